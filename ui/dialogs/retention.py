"""The retention policy: how long observations are kept after someone leaves, what is due
for removal today, and removing it after saying exactly how much will go."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from observer.errors import ObserverError
from observer.governance import retention
from observer.governance.retention import RetentionPolicy, RetentionPreview
from observer.services import Services
from ui.background import BatchJob
from ui.formatting import count
from ui.models.retention import RetentionModel
from ui.models.table import RecordFilterProxy
from ui.prompts import Prompts
from ui.widgets.record_table import RecordTable

DEFAULT_YEARS = 6


class RetentionDialog(QDialog):
    def __init__(
        self,
        services: Services,
        prompts: Prompts,
        parent: QWidget | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._prompts = prompts
        self._today = today
        self._policy = RetentionPolicy()
        self.preview = RetentionPreview(self._policy, today())
        self.removed_any = False
        self._job: BatchJob[RetentionPreview] | None = None
        self._removed: RetentionPreview | None = None
        self.setWindowTitle("Retention policy")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)

        self.keep_everything = QRadioButton("&Keep everything")
        self.keep_everything.setAccessibleName("Keep everything")
        self.remove_after = QRadioButton("&Remove a person's observations")
        self.remove_after.setAccessibleName("Remove observations after leaving")
        choice = QButtonGroup(self)
        choice.addButton(self.keep_everything)
        choice.addButton(self.remove_after)
        self.years = QSpinBox()
        self.years.setRange(retention.MIN_YEARS, retention.MAX_YEARS)
        self.years.setValue(DEFAULT_YEARS)
        self.years.setSuffix(" whole years after they left")
        self.years.setAccessibleName("Years after leaving")
        self.years.findChild(QLineEdit).setAccessibleName("Years after leaving")
        self.save_button = QPushButton("&Save policy")
        self.save_button.clicked.connect(self.save_policy)
        for signal in (self.keep_everything.toggled, self.years.valueChanged):
            signal.connect(self._update_controls)

        policy_box = QGroupBox("Policy")
        after = QHBoxLayout()
        after.addWidget(self.remove_after)
        after.addWidget(self.years)
        after.addStretch(1)
        policy_layout = QVBoxLayout(policy_box)
        policy_layout.addWidget(self.keep_everything)
        policy_layout.addLayout(after)
        policy_layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.model = RetentionModel(self)
        self.proxy: RecordFilterProxy[retention.PersonDue] = RecordFilterProxy(self.model, self)
        self.table = RecordTable(self.model, self.proxy, "People due for removal")
        self.table.sort_by(4, Qt.SortOrder.AscendingOrder)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setAccessibleName("Totals")
        self.kept = QLabel()
        self.kept.setWordWrap(True)
        self.kept.setAccessibleName("Kept without a leaving date")
        self.remove_button = QPushButton("Remove &now…")
        self.remove_button.clicked.connect(self.remove_now)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(policy_box)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.kept)
        layout.addLayout(bottom)
        self.refresh()

    def chosen_policy(self) -> RetentionPolicy:
        if self.keep_everything.isChecked():
            return RetentionPolicy()
        return RetentionPolicy(self.years.value())

    def refresh(self) -> None:
        """Reads the stored policy and what is due under it today."""
        self._policy = self._services.retention.policy()
        self.keep_everything.setChecked(self._policy.keeps_everything)
        self.remove_after.setChecked(not self._policy.keeps_everything)
        if self._policy.years_after_leaving is not None:
            self.years.setValue(self._policy.years_after_leaving)
        self.preview = self._services.retention.preview(self._today())
        self.table.set_empty_texts(self.preview.totals(), self.preview.totals())
        self.model.set_records(self.preview.due)
        self.table.fit_columns()
        self.totals.setText(self.preview.totals())
        # With nobody due, the table's own message says it; saying it below too repeats it.
        self.totals.setVisible(bool(self.preview.due))
        self.kept.setText(self._kept_text())
        self.kept.setVisible(bool(self.preview.no_leaving_date))
        self._update_controls()

    def _kept_text(self) -> str:
        names = [p.name for p in self.preview.no_leaving_date]
        if not names:
            return ""
        shown = ", ".join(names[:10])
        more = f" and {len(names) - 10} more" if len(names) > 10 else ""
        return f"{self.preview.kept_without_date().rstrip('.')}: {shown}{more}."

    def _update_controls(self) -> None:
        unsaved = self.chosen_policy() != self._policy
        self.years.setEnabled(self.remove_after.isChecked())
        self.save_button.setEnabled(unsaved)
        self.remove_button.setEnabled(bool(self.preview.due) and not unsaved)

    def save_policy(self) -> None:
        try:
            self._services.retention.set_policy(self.chosen_policy())
        except ObserverError as error:
            self._prompts.error(self, str(error))
        self.refresh()

    def running(self) -> bool:
        return self._job is not None

    def remove_now(self) -> None:
        """Asks with the exact numbers, then removes them off the GUI thread (one transaction;
        thousands of records take seconds)."""
        preview = self.preview
        if not preview.due or self.running():
            return
        question = (
            f"Remove {count(preview.observations, 'observation')} of "
            f"{count(preview.people, 'person', 'people')}, {preview.signed} of them signed? "
            "They cannot be brought back."
        )
        if not self._prompts.ask(self, question):
            return
        policy, today = self._services.retention, self._today()
        self._removed = None

        def remove(expected: RetentionPreview) -> None:
            self._removed = policy.apply(today, expected)

        self._job = BatchJob([preview], remove)
        self._job.signals.step_failed.connect(self._refused)
        self._job.signals.finished.connect(self._finished)
        for control in (self.remove_button, self.save_button, self.keep_everything):
            control.setEnabled(False)
        self.remove_after.setEnabled(False)
        self.years.setEnabled(False)
        self.totals.setText(f"Removing {count(preview.observations, 'observation')}…")
        self._job.start()

    def _refused(self, _item: object, problem: str) -> None:
        self._prompts.error(self, problem)

    def _finished(self, _done: int, _cancelled: bool) -> None:
        self._job = None
        self.keep_everything.setEnabled(True)
        self.remove_after.setEnabled(True)
        self.refresh()
        removed = self._removed
        if removed is None:
            return
        self.removed_any = True
        self._prompts.information(
            self,
            f"Removed {count(removed.observations, 'observation')} "
            f"({removed.signed} signed) of {count(removed.people, 'person', 'people')}; "
            "the audit trail records each removal.",
        )

    def reject(self) -> None:
        """Stays open while removing: the removal finishes (or not at all) either way."""
        if not self.running():
            super().reject()

    @classmethod
    def manage(cls, parent: QWidget | None, services: Services, prompts: Prompts) -> bool:
        """Shows the dialog; True when it removed observations, so lists need reloading.
        Once the laptop has joined a team server, says instead that retention is set there."""
        on_server = services.retention.decided_on_server()
        if on_server is not None:
            prompts.information(parent, on_server)
            return False
        dialog = cls(services, prompts, parent)
        dialog.exec()
        dialog.deleteLater()
        return dialog.removed_any
