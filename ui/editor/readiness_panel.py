"""Ready for sign-off: what is still missing, each item a step away."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.records.readiness import Missing
from observer.vocabulary import Status
from ui.formatting import count
from ui.widgets.cards import describe, heading, muted

TARGET_ROLE = Qt.ItemDataRole.UserRole


class ReadinessPanel(QFrame):
    go_to = Signal(str)  # the target of a missing item
    mark_ready = Signal()
    return_to_draft = Signal()
    hide_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readiness")
        self.title = heading("Ready for sign-off?", 1.2)
        self.summary = muted("")
        self.summary.setAccessibleName("Readiness summary")
        self.items = QListWidget()
        describe(
            self.items,
            "What is missing",
            "Each item is something sign-off needs; press Enter to go to it.",
        )
        self.items.setWordWrap(True)
        self.items.setFrameShape(QFrame.Shape.NoFrame)
        self.items.setSpacing(3)
        self.items.itemActivated.connect(self._activated)
        self.items.itemClicked.connect(self._activated)
        self.ready_button = QPushButton("Mark ready for sign-off")
        describe(
            self.ready_button,
            "Mark ready for sign-off",
            "Marks the record ready for the observer and the practitioner to sign.",
        )
        self.ready_button.clicked.connect(self.mark_ready)
        self.draft_button = QPushButton("Return to draft")
        describe(self.draft_button, "Return to draft", "Takes the record back to a draft.")
        self.draft_button.clicked.connect(self.return_to_draft)
        hide = QPushButton("Hide")
        describe(hide, "Hide the readiness list", "Hides this list; Ctrl+R shows it again.")
        hide.clicked.connect(self.hide_requested)
        for button in (self.ready_button, self.draft_button, hide):
            button.setAutoDefault(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.ready_button)
        buttons.addWidget(self.draft_button)
        buttons.addStretch(1)
        buttons.addWidget(hide)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.items, 10)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def show_missing(self, missing: Sequence[Missing], status: Status) -> None:
        self.items.clear()
        for entry in missing:
            item = QListWidgetItem(entry.message)
            item.setData(TARGET_ROLE, entry.target)
            item.setToolTip("Go to this item")
            self.items.addItem(item)
        self.items.setVisible(bool(missing))
        if status is Status.SIGNED:
            text = "This observation is signed and locked."
        elif missing:
            text = f"{count(len(missing), 'thing is', 'things are')} missing before sign-off:"
        elif status is Status.READY:
            text = "This observation is ready for sign-off."
        else:
            text = "Everything sign-off needs is here."
        self.summary.setText(text)
        self.ready_button.setVisible(status is Status.DRAFT)
        self.ready_button.setEnabled(not missing)
        self.draft_button.setVisible(status is Status.READY)

    def _activated(self, item: QListWidgetItem) -> None:
        self.go_to.emit(str(item.data(TARGET_ROLE)))
