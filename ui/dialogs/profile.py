"""The laptop user's profile: correcting their own details, or handing the laptop over.

A correction is the same person (a misspelt name, a new role, another organisation): the
person record changes everywhere it is shown today and the audit trail says so; records
already signed keep the names they were signed with. Someone else using the laptop is a
change of person (ui/dialogs/first_run.py): nobody's records are renamed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QPushButton, QWidget

from observer.errors import ObserverError
from observer.people.directory import clean_name
from observer.people.profile import LocalProfile, Profiles
from observer.people.profile import clean_organisation as check_organisation
from ui.dialogs.base import SavingDialog
from ui.dialogs.choices import chosen_role, role_combo
from ui.dialogs.first_run import FirstRunDialog
from ui.prompts import Prompts
from ui.widgets.field_error import show_errors, with_error
from ui.widgets.panel_header import PanelHeader

INTRO = (
    "Correct your own details here: the spelling of your name, your role, your "
    "organisation. The correction shows wherever your name is shown today; records already "
    "signed keep the name they were signed with, and the audit trail records the change."
)
SOMEONE_ELSE = "Someone &else uses this laptop…"
SOMEONE_ELSE_HINT = (
    "For a different person, not a correction: they are chosen or added, and nobody's "
    "records are renamed."
)


class ProfileDialog(SavingDialog):
    def __init__(self, profiles: Profiles, prompts: Prompts, parent: QWidget | None = None) -> None:
        super().__init__(prompts, "Profile", parent)
        self._profiles = profiles
        current = profiles.current()
        if current is None:
            raise ObserverError("No one is set up as this laptop's user yet.")
        self.profile: LocalProfile = current
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Save correction")

        self.name = QLineEdit(current.name)
        self.name.setAccessibleName("Your name")
        self.role = role_combo("Your role", current.role)
        self.organisation = QLineEdit(current.organisation)
        self.organisation.setAccessibleName("Organisation")
        name_row, self.name_error = with_error(self.name)
        organisation_row, self.organisation_error = with_error(self.organisation)
        self.someone_else = QPushButton(SOMEONE_ELSE)
        self.someone_else.setToolTip(SOMEONE_ELSE_HINT)
        self.someone_else.clicked.connect(self._someone_else)
        hint = QLabel(SOMEONE_ELSE_HINT)
        hint.setWordWrap(True)
        hint.setEnabled(False)

        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        form = self.form()
        form.addRow("Your &name:", name_row)
        form.addRow("Your &role:", self.role)
        form.addRow("&Organisation:", organisation_row)
        form.addRow("", self.someone_else)
        form.addRow("", hint)
        self.arrange(form, self.name, PanelHeader("Your profile", ""), intro, width=74)

    def field_errors(self) -> bool:
        return show_errors(
            (
                (lambda t: clean_name(t, "Your name"), self.name, self.name_error),
                (check_organisation, self.organisation, self.organisation_error),
            )
        )

    def accept(self) -> None:
        if self.field_errors():
            return
        super().accept()

    def save(self) -> None:
        self.profile = self._profiles.correct(
            name=self.name.text(),
            role=chosen_role(self.role),
            organisation=self.organisation.text(),
        )

    def _someone_else(self) -> None:
        profile = FirstRunDialog.switch(self, self._profiles, self._prompts)
        if profile is not None:
            self.profile = profile
            self.done(1)

    @classmethod
    def edit(cls, parent: QWidget | None, profiles: Profiles, prompts: Prompts) -> bool:
        """Shows the profile; True when it changed (corrected, or another person)."""
        dialog = cls(profiles, prompts, parent)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return accepted
