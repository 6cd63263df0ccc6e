"""What follows a signed record in the editor: its signatures, then its addenda.

Names, comments and addenda are shown as plain text, exactly as typed. Drawn signatures
sit on white, as on paper, so dark ink reads in a dark theme too.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from observer.records.sign_off import AddendumView, SignatureView
from ui.formatting import uk_date_time
from ui.widgets.cards import Card, heading, muted

SIGNATURES_NOTE = "Each signature keeps the fingerprint of the record as it was signed."
ADDENDA_NOTE = "Corrections and additions made after signing; the signed record does not change."
INK_HEIGHT = 72
INK_WIDTH = 260
INK_STYLE = (
    "QLabel#ink { background: white; border: 1px solid palette(midlight); "
    "border-radius: 4px; padding: 4px; }"
)


def plain(text: str, *, selectable: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def ink(png: bytes | None, whose: str) -> QLabel:
    """A drawn signature on white; a quiet note when only a name was typed."""
    pixmap = QPixmap()
    if png is None or not pixmap.loadFromData(png, "PNG"):
        label = muted("Typed name only")
        label.setAccessibleName(f"No drawn signature from {whose}")
        return label
    if pixmap.height() > INK_HEIGHT or pixmap.width() > INK_WIDTH:
        pixmap = pixmap.scaled(
            INK_WIDTH,
            INK_HEIGHT,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    label = QLabel()
    label.setObjectName("ink")
    label.setStyleSheet(INK_STYLE)
    label.setPixmap(pixmap)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFixedSize(INK_WIDTH + 12, INK_HEIGHT + 12)
    label.setAccessibleName(f"Drawn signature of {whose}")
    return label


class _Entries(Card):
    """A card whose rows are rebuilt whenever what it lists changes."""

    def __init__(self, title: str, note: str) -> None:
        super().__init__(title, note)
        self._holder = QWidget()
        self.entries = QVBoxLayout(self._holder)
        self.entries.setContentsMargins(0, 0, 0, 0)
        self.entries.setSpacing(0)
        self.add(self._holder)
        self.setVisible(False)

    def _clear(self) -> None:
        while self.entries.count():
            item = self.entries.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()

    def _row(self, first: bool) -> tuple[QFrame, QGridLayout]:
        row = QFrame()
        row.setObjectName("row" if first else "standard")
        grid = QGridLayout(row)
        grid.setContentsMargins(0, 0 if first else 12, 0, 10)
        grid.setHorizontalSpacing(20)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(0, 1)
        self.entries.addWidget(row)
        return row, grid

    @staticmethod
    def _fill(grid: QGridLayout, texts: list[QLabel], drawing: QLabel) -> None:
        """Lines of text on the left, top to bottom; the drawn signature on the right."""
        for line, label in enumerate(texts):
            grid.addWidget(label, line, 0)
        grid.setRowStretch(len(texts), 1)
        grid.addWidget(
            drawing,
            0,
            1,
            len(texts) + 1,
            1,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
        )


class SignaturesCard(_Entries):
    def __init__(self) -> None:
        super().__init__("Signatures", SIGNATURES_NOTE)
        self.names: list[str] = []

    def show_signatures(self, signatures: Sequence[SignatureView]) -> None:
        self._clear()
        self.names = [s.name for s in signatures]
        for number, signature in enumerate(signatures):
            row, grid = self._row(number == 0)
            row.setAccessibleName(f"{signature.role_label}'s signature")
            texts = [
                heading(signature.role_label),
                plain(signature.name),
                muted(f"Signed {uk_date_time(signature.signed_at)}"),
            ]
            if signature.comment.strip():
                texts.append(plain(f"Comment: {signature.comment}"))
            fingerprint = muted(f"Fingerprint {signature.content_hash[:16]}…")
            fingerprint.setToolTip(signature.content_hash)
            texts.append(fingerprint)
            self._fill(grid, texts, ink(signature.drawing_png, signature.name))
        self.setVisible(bool(signatures))


class AddendaCard(_Entries):
    def __init__(self) -> None:
        super().__init__("Addenda", ADDENDA_NOTE)
        self.texts: list[str] = []

    def show_addenda(self, addenda: Sequence[AddendumView]) -> None:
        self._clear()
        self.texts = [a.text for a in addenda]
        for number, addendum in enumerate(addenda):
            row, grid = self._row(number == 0)
            row.setAccessibleName(f"Addendum {number + 1}")
            texts = [
                heading(f"Addendum {number + 1}"),
                muted(f"Added {uk_date_time(addendum.signed_at)} by {addendum.author_name}"),
                plain(addendum.text),
            ]
            self._fill(grid, texts, ink(addendum.drawing_png, addendum.author_name))
        self.setVisible(bool(addenda))
