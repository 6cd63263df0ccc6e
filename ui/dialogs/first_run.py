"""Who uses this laptop: at the first start, and when someone else takes it over.

Someone already in the store (a store started from a colleague's bundle, say) is chosen
from a list; anyone else is added, and a name and role already in the store asks first
whether it is them. Mistakes are shown beside their fields, all at once, and the focus
stays where the user is typing.
"""

from __future__ import annotations

import uuid

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialogButtonBox, QLabel, QLineEdit, QWidget

from observer.people.directory import clean_name
from observer.people.profile import Candidate, LocalProfile, Profiles
from observer.people.profile import clean_organisation as check_organisation
from observer.vocabulary import Role
from ui.dialogs.base import SavingDialog
from ui.dialogs.choices import chosen_role, role_combo
from ui.prompts import Prompts
from ui.widgets.field_error import show_errors, with_error
from ui.widgets.panel_header import PanelHeader

INTRO = (
    "Tell Practice Observer who uses this laptop. Your name goes on the observations you "
    "record and the organisation's name on the summaries you export. "
    "You can correct these later in File → Profile…"
)
SWITCH_INTRO = (
    "Someone else uses this laptop from now on. Choose them if they are already in this "
    "store, or add them. Nobody's records are renamed: what each person recorded and "
    "signed keeps their name."
)
NEW_PERSON = "No, I am new here: add me"
SAMPLE_CHOICE = "Look around with fictional sample data first"
SAMPLE_HINT = (
    "Sample data goes in a separate sample store, marked SAMPLE on everything it "
    "exports; this store stays empty for your real records."
)


def candidate_label(c: Candidate) -> str:
    team = f", {c.team}" if c.team else ""
    return f"{c.name} ({c.role.label}{team})"


def is_that_you(c: Candidate) -> str:
    plural = "s" if c.observations != 1 else ""
    records = f"; named in {c.observations} observation{plural}" if c.observations else ""
    team = f", {c.team}" if c.team else ""
    return (
        f"{c.name} ({c.role.label}{team}{records}) is already in this store. Is that you?\n\n"
        "Yes: carry on as them. No: add you as another person of the same name."
    )


class FirstRunDialog(SavingDialog):
    def __init__(
        self,
        profiles: Profiles,
        prompts: Prompts,
        parent: QWidget | None = None,
        *,
        switching: bool = False,
        offer_sample: bool = True,
    ):
        title = "Someone else uses this laptop" if switching else "Welcome to Practice Observer"
        super().__init__(prompts, title, parent)
        self._profiles = profiles
        self._switching = switching
        self._offer_sample = offer_sample and not switching
        self.profile: LocalProfile | None = None
        current = profiles.current()
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("&Use this laptop" if switching else "&Start")
        save.setIcon(QIcon())  # the standard Save button's disk icon would mislead here

        self.existing = QComboBox()
        # Long entries (name, role, team) must not squeeze the row labels at large fonts.
        self.existing.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.existing.setMinimumContentsLength(24)
        self.existing.setAccessibleName("Are you already in this store?")
        self.existing.addItem(NEW_PERSON, None)
        for c in profiles.candidates():
            if current is None or c.person_id != current.person_id:
                self.existing.addItem(candidate_label(c), c.person_id)
        self.name = QLineEdit()
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("For example, Priya Shah")
        self.role = role_combo("Your role", Role.PRACTICE_LEAD)
        self.organisation = QLineEdit(current.organisation if current else "")
        self.organisation.setAccessibleName("Organisation")
        self.organisation.setPlaceholderText("For example, Northshire County Council")
        self.sample = QCheckBox(SAMPLE_CHOICE)
        self.sample.setAccessibleName("Sample data")
        self.sample.setToolTip(SAMPLE_HINT)
        self.sample.setChecked(False)

        name_row, self.name_error = with_error(self.name)
        organisation_row, self.organisation_error = with_error(self.organisation)
        intro = QLabel(SWITCH_INTRO if switching else INTRO)
        intro.setWordWrap(True)
        form = self.form()
        if self.existing.count() > 1:
            form.addRow("Are you &already here?", self.existing)
        form.addRow("Your &name:", name_row)
        form.addRow("Your &role:", self.role)
        form.addRow("&Organisation:", organisation_row)
        if self._offer_sample:
            hint = QLabel(SAMPLE_HINT)
            hint.setWordWrap(True)
            hint.setEnabled(False)
            form.addRow("", self.sample)
            form.addRow("", hint)
        self.existing.currentIndexChanged.connect(self._chosen)
        header = PanelHeader("Who uses this laptop" if switching else "Welcome", "")
        first = self.existing if self.existing.count() > 1 else self.name
        self.arrange(form, first, header, intro, width=74)

    @property
    def sample_chosen(self) -> bool:
        return self._offer_sample and self.sample.isChecked()

    def _chosen(self) -> None:
        new = self.existing.currentData() is None
        self.name.setEnabled(new)
        self.role.setEnabled(new)
        if not new:
            self.name_error.clear_error()

    def _chosen_person(self) -> uuid.UUID | None:
        data = self.existing.currentData()
        return data if isinstance(data, uuid.UUID) else None

    def field_errors(self) -> bool:
        """Checks every field at once and says what is wrong beside each; True if any is."""
        checks = [(check_organisation, self.organisation, self.organisation_error)]
        if self._chosen_person() is None:
            checks.insert(0, (lambda t: clean_name(t, "Your name"), self.name, self.name_error))
        return show_errors(checks)

    def accept(self) -> None:
        if self.field_errors():
            return
        super().accept()

    def save(self) -> None:
        person_id = self._chosen_person()
        name, role = self.name.text(), chosen_role(self.role)
        organisation = self.organisation.text()
        if person_id is not None:
            self.profile = self._profiles.use_person(person_id, organisation)
            return
        current = self._profiles.current()
        for candidate in self._profiles.candidates(name, role):
            if current is not None and candidate.person_id == current.person_id:
                self.profile = self._profiles.use_person(candidate.person_id, organisation)
                return
            if self._prompts.ask(self, is_that_you(candidate), default_yes=True):
                self.profile = self._profiles.use_person(candidate.person_id, organisation)
                return
        self.profile = self._profiles.add_person(name, role, organisation)

    @classmethod
    def set_up(
        cls, parent: QWidget | None, profiles: Profiles, prompts: Prompts
    ) -> tuple[LocalProfile | None, bool]:
        profile, accepted, _sample = cls.first_start(parent, profiles, prompts)
        return profile, accepted

    @classmethod
    def first_start(
        cls,
        parent: QWidget | None,
        profiles: Profiles,
        prompts: Prompts,
        *,
        offer_sample: bool = True,
    ) -> tuple[LocalProfile | None, bool, bool]:
        """The profile, whether accepted, and whether sample data was asked for."""
        dialog = cls(profiles, prompts, parent, offer_sample=offer_sample)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return dialog.profile, accepted, accepted and dialog.sample_chosen

    @classmethod
    def switch(
        cls, parent: QWidget | None, profiles: Profiles, prompts: Prompts
    ) -> LocalProfile | None:
        """Someone else uses this laptop: the profile now, or None if cancelled."""
        dialog = cls(profiles, prompts, parent, switching=True)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return dialog.profile if accepted else None
