"""Adding a person, or changing who they are: name, role, team, staff reference, active,
the day they left, and (for a newly qualified worker) the day their ASYE year began."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QLineEdit, QWidget

from observer.people.directory import (
    People,
    PersonDetails,
    PersonSummary,
    check_staff_reference,
    clean_name,
)
from observer.vocabulary import Role
from ui.dialogs.base import SavingDialog
from ui.dialogs.choices import chosen_id, chosen_role, role_combo, team_combo
from ui.prompts import Prompts
from ui.widgets.field_error import show_errors, with_error

# The ASYE start date's "not recorded": a QDateEdit always holds a date, so the earliest
# one it allows stands for none, shown in words.
NOT_RECORDED = QDate(2000, 1, 1)


class PersonDialog(SavingDialog):
    def __init__(
        self,
        people: People,
        prompts: Prompts,
        person: PersonSummary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = f"Edit {person.name}" if person else "Add person"
        super().__init__(prompts, title, parent)
        self._people = people
        self._person = person
        self.saved_id: uuid.UUID | None = None

        self.name = QLineEdit(person.name if person else "")
        self.name.setAccessibleName("Name")
        self.name.setPlaceholderText("For example, Sam Okafor")
        self.role = role_combo(selected=person.role) if person else role_combo()
        self.team = team_combo(people.list_teams(), person.team_id if person else None)
        self.staff_reference = QLineEdit(person.staff_reference if person else "")
        self.staff_reference.setAccessibleName("Staff reference")
        self.staff_reference.setPlaceholderText("Optional")
        self.active = QCheckBox("Currently works here")
        self.active.setAccessibleName("Currently works here")
        self.active.setChecked(person.active if person else True)
        left_on = person.left_on if person and person.left_on else date.today()
        self.left_on = QDateEdit(QDate(left_on.year, left_on.month, left_on.day))
        self.left_on.setAccessibleName("Left on")
        self.left_on.findChild(QLineEdit).setAccessibleName("Left on")
        self.left_on.setCalendarPopup(True)
        self.left_on.setDisplayFormat("dd/MM/yyyy")
        started = person.asye_started_on if person else None
        self.asye_started_on = QDateEdit(
            QDate(started.year, started.month, started.day) if started else NOT_RECORDED
        )
        self.asye_started_on.setMinimumDate(NOT_RECORDED)
        self.asye_started_on.setSpecialValueText("Not recorded")
        self.asye_started_on.setAccessibleName("ASYE year began on")
        self.asye_started_on.findChild(QLineEdit).setAccessibleName("ASYE year began on")
        self.asye_started_on.setCalendarPopup(True)
        self.asye_started_on.setDisplayFormat("dd/MM/yyyy")

        name_row, self.name_error = with_error(self.name)
        reference_row, self.staff_reference_error = with_error(self.staff_reference)
        form = self.form()
        form.addRow("&Name:", name_row)
        form.addRow("&Role:", self.role)
        form.addRow("&Team:", self.team)
        form.addRow("&Staff reference:", reference_row)
        form.addRow("", self.active)
        form.addRow("&Left on:", self.left_on)
        form.addRow("&ASYE year began on:", self.asye_started_on)
        self._form = form
        self.active.toggled.connect(self._show_left_on)
        self._show_left_on(self.active.isChecked())
        self.role.currentIndexChanged.connect(self._show_asye_start)
        self._show_asye_start()
        self.arrange(form, self.name)

    def _show_left_on(self, active: bool) -> None:
        """The leaving date only matters, and is only asked for, once someone has left."""
        self._form.setRowVisible(self.left_on, not active)

    def _show_asye_start(self, *_: object) -> None:
        """Only a newly qualified worker has an ASYE year, for the observations it needs."""
        self._form.setRowVisible(self.asye_started_on, chosen_role(self.role) is Role.ASYE)

    def _asye_start(self) -> date | None:
        if chosen_role(self.role) is not Role.ASYE or self.asye_started_on.date() == NOT_RECORDED:
            return None
        started: date = self.asye_started_on.date().toPython()
        return started

    def details(self) -> PersonDetails:
        return PersonDetails(
            name=self.name.text(),
            role=chosen_role(self.role),
            team_id=chosen_id(self.team),
            staff_reference=self.staff_reference.text(),
            active=self.active.isChecked(),
            left_on=None if self.active.isChecked() else self.left_on.date().toPython(),
            asye_started_on=self._asye_start(),
        )

    def accept(self) -> None:
        """Every mistake beside its field at once, the focus left where it was."""
        if show_errors(
            (
                (clean_name, self.name, self.name_error),
                (check_staff_reference, self.staff_reference, self.staff_reference_error),
            )
        ):
            return
        super().accept()

    def save(self) -> None:
        if self._person is None:
            self.saved_id = self._people.add_person(self.details())
        else:
            self._people.update_person(self._person.id, self.details(), self._person.revision)
            self.saved_id = self._person.id

    @classmethod
    def add(
        cls, parent: QWidget | None, people: People, prompts: Prompts
    ) -> tuple[uuid.UUID | None, bool]:
        dialog = cls(people, prompts, None, parent)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return dialog.saved_id, accepted

    @classmethod
    def edit(
        cls, parent: QWidget | None, people: People, prompts: Prompts, person: PersonSummary
    ) -> tuple[uuid.UUID | None, bool]:
        dialog = cls(people, prompts, person, parent)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return dialog.saved_id, accepted
