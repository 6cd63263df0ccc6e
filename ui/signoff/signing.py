"""The part of a sign-off that is the person's own: typed name, drawn signature, comment."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.records.sign_off import MAX_NAME
from ui.widgets.cards import describe, muted
from ui.widgets.signature_pad import SignaturePad

PAD_HINT = "Draw with a mouse, pen or finger. If you cannot draw, your typed name is enough."


def labelled(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def small_button(text: str, name: str, description: str) -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)
    describe(button, name, description)
    return button


class SigningFields(QWidget):
    """Name, signature pad with Clear, Undo and Redo, and (optionally) a comment."""

    def __init__(
        self,
        name: str,
        name_placeholder: str,
        *,
        with_comment: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = QLineEdit(name)
        self.name.setMaxLength(MAX_NAME)
        self.name.setPlaceholderText(name_placeholder)
        self.name.setClearButtonEnabled(True)
        describe(
            self.name,
            "Your name",
            "Your full name as you sign; it is your signature when drawing is not possible.",
        )
        self.pad = SignaturePad()
        self.clear_button = small_button(
            "&Clear", "Clear the signature", "Wipes the signature pad; Undo brings it back."
        )
        self.undo_button = small_button(
            "&Undo", "Undo the last stroke", "Removes the last stroke drawn (Ctrl+Z in the pad)."
        )
        self.redo_button = small_button(
            "Re&do",
            "Redo the stroke",
            "Puts back the stroke just undone (Ctrl+Shift+Z in the pad).",
        )
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button.clicked.connect(self.pad.undo)
        self.redo_button.clicked.connect(self.pad.redo)
        self.pad.changed.connect(self._pad_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(labelled("Your &name", self.name))
        layout.addWidget(self.name)
        layout.addSpacing(8)
        layout.addWidget(labelled("Your &signature", self.pad))
        layout.addWidget(self.pad)
        tools = QHBoxLayout()
        tools.setSpacing(6)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.redo_button)
        tools.addStretch(1)
        tools.addWidget(self.clear_button)
        layout.addLayout(tools)
        hint = muted(PAD_HINT)
        hint.setAccessibleName("About the signature")
        layout.addWidget(hint)

        self.comment: QPlainTextEdit | None = None
        if with_comment:
            self.comment = QPlainTextEdit()
            self.comment.setTabChangesFocus(True)
            self.comment.setPlaceholderText("Anything you want to say alongside your signature")
            self.comment.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
            describe(
                self.comment,
                "Comment",
                "An optional comment kept with your signature.",
            )
            layout.addSpacing(8)
            layout.addWidget(labelled("Co&mment (optional)", self.comment))
            layout.addWidget(self.comment)
        self._pad_changed()

    def typed_name(self) -> str:
        return self.name.text()

    def comment_text(self) -> str:
        if self.comment is None:
            return ""
        return self.comment.toPlainText()

    def drawing(self) -> bytes | None:
        return None if self.pad.is_empty() else self.pad.to_png()

    def _pad_changed(self) -> None:
        self.clear_button.setEnabled(not self.pad.is_empty())
        self.undo_button.setEnabled(self.pad.can_undo())
        self.redo_button.setEnabled(self.pad.can_redo())
