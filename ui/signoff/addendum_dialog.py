"""An addendum: a dated, signed correction shown after a locked record, which never changes."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.errors import ObserverError
from observer.records.sign_off import AddendumView
from observer.services import RecordServices
from ui.prompts import Prompts
from ui.signoff.signing import SigningFields, labelled
from ui.widgets.cards import describe, heading, muted
from ui.widgets.spell_check import SpellCheck

NOTE = (
    "The signed record does not change. An addendum is a dated, signed note shown after it: "
    "a correction, or something learned since."
)
WHEN_NOTE = "The date and time are recorded when you press Add addendum."


class AddendumDialog(QDialog):
    def __init__(
        self,
        services: RecordServices,
        observation_id: uuid.UUID,
        prompts: Prompts,
        parent: QWidget | None = None,
        text: str = "",
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._prompts = prompts
        self.observation_id = observation_id
        self.addendum: AddendumView | None = None
        view = services.recording.get(observation_id)
        self.setWindowTitle(f"Addendum — {view.kind.label} — {view.observed_person_name}")
        self.setModal(True)

        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("What is corrected or added, and why")
        self.text.setPlainText(text)  # an edit set aside from the signed record, if any
        self.text.setMinimumHeight(self.fontMetrics().lineSpacing() * 7)
        describe(self.text, "Addendum", "The text of the addendum, shown after the signed record.")
        SpellCheck(self.text, services.spelling, prompts)
        profile = services.profiles.current()
        self.fields = SigningFields(
            profile.name if profile else "", "Your full name", with_comment=False
        )
        self.save_button = QPushButton("Add addendum")
        describe(self.save_button, "Add addendum", "Signs and adds the addendum, now.")
        self.cancel_button = QPushButton("Cancel")
        describe(self.cancel_button, "Cancel", "Closes without adding anything.")
        for button in (self.save_button, self.cancel_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(8)
        layout.addWidget(heading("Add an addendum", 1.2))
        layout.addWidget(muted(NOTE))
        layout.addSpacing(6)
        layout.addWidget(labelled("&Addendum", self.text))
        layout.addWidget(self.text, 1)
        layout.addSpacing(6)
        layout.addWidget(self.fields)
        layout.addSpacing(4)
        layout.addWidget(muted(WHEN_NOTE))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        self.text.setFocus()

    @classmethod
    def add(
        cls,
        parent: QWidget | None,
        services: RecordServices,
        observation_id: uuid.UUID,
        prompts: Prompts,
        text: str = "",
    ) -> bool:
        """Adds a signed addendum to a signed record; True when one was stored. `text` is
        what the addendum starts with (words set aside when the record was signed)."""
        try:
            dialog = cls(services, observation_id, prompts, parent, text)
        except ObserverError as error:
            prompts.error(parent, str(error))
            return False
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted

    def accept(self) -> None:
        try:
            self.addendum = self._services.signoff.add_addendum(
                self.observation_id,
                self.text.toPlainText(),
                self.fields.typed_name(),
                drawing_png=self.fields.drawing(),
            )
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        super().accept()
