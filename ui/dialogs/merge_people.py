"""Merging two records of the same person: the duplicate's records move to the one kept.

Signed records keep their content and signatures exactly as signed (observer/people/
merging.py); the merge is recorded in the audit trail and cannot be undone here.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QWidget

from observer.errors import InvalidInput
from observer.people.directory import People, WorkerRow
from observer.people.merging import DuplicatePeople, MergeReport
from ui.dialogs.base import SavingDialog
from ui.prompts import Prompts
from ui.widgets.panel_header import PanelHeader

INTRO = (
    "Two records of the same person (made twice at a first start, say, or by an import) "
    "become one. The duplicate's observations and actions move to the person kept; records "
    "already signed keep their content and signatures exactly as signed. The merge is "
    "recorded in the audit trail."
)
CONFIRM = "Merge {duplicate} into {keep}? This cannot be undone."


def row_label(row: WorkerRow) -> str:
    p = row.person
    details = [p.role.label, p.team_name or "no team"]
    if p.staff_reference:
        details.append(p.staff_reference)
    details.append(f"observed {row.observations} time{'s' if row.observations != 1 else ''}")
    return f"{p.name} ({', '.join(details)})"


class MergePeopleDialog(SavingDialog):
    def __init__(
        self,
        people: People,
        duplicates: DuplicatePeople,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(prompts, "Merge duplicates", parent)
        self._duplicates = duplicates
        self.report: MergeReport | None = None
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Merge")
        rows = people.list_workers()
        self.keep = QComboBox()
        self.keep.setAccessibleName("Person kept")
        self.duplicate = QComboBox()
        self.duplicate.setAccessibleName("Duplicate merged into them")
        for combo in (self.keep, self.duplicate):
            for row in rows:
                combo.addItem(row_label(row), row.person.id)
        if len(rows) > 1:
            self.duplicate.setCurrentIndex(1)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        form = self.form()
        form.addRow("&Keep:", self.keep)
        form.addRow("&Duplicate:", self.duplicate)
        self.arrange(form, self.keep, PanelHeader("Merge duplicates", ""), intro, width=90)

    def save(self) -> None:
        keep, duplicate = self.keep.currentData(), self.duplicate.currentData()
        if keep is None or duplicate is None or keep == duplicate:
            raise InvalidInput("Choose two different people to merge.")
        question = CONFIRM.format(
            duplicate=self.duplicate.currentText(), keep=self.keep.currentText()
        )
        if not self._prompts.ask(self, question):
            raise _Declined
        self.report = self._duplicates.merge(keep, duplicate)

    def accept(self) -> None:
        try:
            super().accept()
        except _Declined:
            return

    @classmethod
    def merge(
        cls,
        parent: QWidget | None,
        people: People,
        duplicates: DuplicatePeople,
        prompts: Prompts,
    ) -> MergeReport | None:
        dialog = cls(people, duplicates, prompts, parent)
        dialog.exec()
        dialog.deleteLater()
        if dialog.report is not None:
            prompts.information(parent, dialog.report.sentence())
        return dialog.report


class _Declined(Exception):
    """The person said no at the confirmation: the dialog stays open, nothing merged."""
