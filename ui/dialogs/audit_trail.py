"""The audit trail, for the whole store or one record, and a check that nothing in it was
altered or removed. The check reads every event, so it runs off the GUI thread."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.governance.audit import AuditEntry, AuditTrail, ChainReport
from ui.background import BatchJob
from ui.models.audit import AuditTrailModel
from ui.models.table import RecordFilterProxy
from ui.prompts import Prompts
from ui.widgets.layout import opening_size
from ui.widgets.record_table import RecordTable

SHOWN = 2000
CHECK = "Check the trail"
CHECKING = "Checking…"
WHOLE_STORE = "Who did what, and when, newest first."
ONE_RECORD = "Who did what to this record and its actions, and when, newest first."
# Checks under way, kept until they finish even if their dialog is closed first.
_RUNNING: set[BatchJob[AuditTrail]] = set()
MORE_THAN_SHOWN = (
    f"Showing the latest {SHOWN:,} events; the command “observer audit list” lists them all."
)


class AuditTrailDialog(QDialog):
    def __init__(
        self,
        audit: AuditTrail,
        prompts: Prompts,
        record_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._audit = audit
        self._prompts = prompts
        self._record_id = record_id
        self._job: BatchJob[AuditTrail] | None = None
        self._reports: list[ChainReport] = []
        self.setWindowTitle("Audit trail" if record_id is None else "Audit trail for this record")
        self.resize(opening_size(self, 170, 34))

        self.intro = QLabel(WHOLE_STORE if record_id is None else ONE_RECORD)
        self.intro.setWordWrap(True)
        self.model = AuditTrailModel(self)
        self.proxy: RecordFilterProxy[AuditEntry] = RecordFilterProxy(self.model, self)
        self.table = RecordTable(self.model, self.proxy, "Audit events")
        self.table.set_empty_texts("Nothing has been recorded yet.", "No events match.")
        self.note = QLabel(MORE_THAN_SHOWN)
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.setAccessibleName("What the check found")
        self.problems.setVisible(False)
        self.check_button = QPushButton(CHECK)
        self.check_button.setToolTip(
            "Checks that no event in the whole trail was altered or removed"
        )
        self.check_button.clicked.connect(self.check)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.load()

    @classmethod
    def show_trail(
        cls,
        parent: QWidget | None,
        audit: AuditTrail,
        prompts: Prompts,
        record_id: uuid.UUID | None = None,
    ) -> None:
        dialog = cls(audit, prompts, record_id, parent)
        dialog.exec()

    def load(self) -> None:
        entries = self._audit.events(record_id=self._record_id, limit=SHOWN + 1)
        self.model.set_records(entries[:SHOWN])
        self.note.setVisible(len(entries) > SHOWN)
        self.table.sort_by(0, Qt.SortOrder.DescendingOrder)
        self.table.fit_columns()

    def checking(self) -> bool:
        return self._job is not None

    def check(self) -> None:
        if self._job is not None:
            return
        self._reports.clear()
        job: BatchJob[AuditTrail] = BatchJob(
            [self._audit], lambda audit: self._reports.append(audit.verify())
        )
        _RUNNING.add(job)
        job.signals.finished.connect(lambda *_: _RUNNING.discard(job))
        job.signals.step_failed.connect(self._failed)
        job.signals.finished.connect(self._checked)
        self._job = job
        self.check_button.setEnabled(False)
        self.check_button.setText(CHECKING)
        job.start()

    def _failed(self, _db: object, problem: str) -> None:
        self._prompts.error(self, problem)

    def _checked(self, _done: int, _cancelled: bool) -> None:
        self._job = None
        self.check_button.setEnabled(True)
        self.check_button.setText(CHECK)
        if not self._reports or not self.isVisible():
            return
        report = self._reports[0]
        self.problems.setText("\n".join(report.problems))
        self.problems.setVisible(not report.ok)
        if report.ok:
            self._prompts.information(self, report.sentence())
        else:
            self._prompts.warning(self, report.sentence())
