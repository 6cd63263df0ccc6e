"""The first start on a laptop: who uses it, in which role, for which organisation."""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QWidget

from observer.people.profile import LocalProfile, Profiles
from observer.vocabulary import Role
from ui.dialogs.base import SavingDialog
from ui.dialogs.choices import chosen_role, role_combo
from ui.prompts import Prompts
from ui.widgets.panel_header import PanelHeader

INTRO = (
    "Tell Practice Observer who uses this laptop. Your name goes on the observations you "
    "record and the organisation's name on the summaries you export. "
    "You can change these later."
)


class FirstRunDialog(SavingDialog):
    def __init__(self, profiles: Profiles, prompts: Prompts, parent: QWidget | None = None):
        super().__init__(prompts, "Welcome to Practice Observer", parent)
        self._profiles = profiles
        self.profile: LocalProfile | None = None
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("&Start")
        save.setIcon(QIcon())  # the standard Save button's disk icon would mislead here

        self.name = QLineEdit()
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("For example, Priya Shah")
        self.role = role_combo("Your role", Role.PRACTICE_LEAD)
        self.organisation = QLineEdit()
        self.organisation.setAccessibleName("Organisation")
        self.organisation.setPlaceholderText("For example, Northshire County Council")

        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        form = self.form()
        form.addRow("Your &name:", self.name)
        form.addRow("Your &role:", self.role)
        form.addRow("&Organisation:", self.organisation)
        self.arrange(form, self.name, PanelHeader("Welcome", ""), intro, width=70)

    def save(self) -> None:
        self.profile = self._profiles.set_up(
            self.name.text(), chosen_role(self.role), self.organisation.text()
        )

    @classmethod
    def set_up(
        cls, parent: QWidget | None, profiles: Profiles, prompts: Prompts
    ) -> tuple[LocalProfile | None, bool]:
        dialog = cls(profiles, prompts, parent)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return dialog.profile, accepted
