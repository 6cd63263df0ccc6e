"""The manager's review settings: what the ASYE year needs, and how often each worker is to
be observed. Both are settings of the store, shared by everyone who uses it; a change goes
in the audit trail (observer/review/settings.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox, QWidget

from observer.review import settings
from observer.services import Services
from ui.dialogs.base import SavingDialog
from ui.prompts import Prompts

ABOUT = (
    "These settings are shared by everyone who uses this store. The team overview and the "
    "ASYE tracker on each worker's page follow them; each change is kept in the audit trail."
)


def _spin(low: int, high: int, value: int, suffix: str, name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setAccessibleName(name)
    inner = spin.findChild(QLineEdit)
    if inner is not None:
        inner.setAccessibleName(name)
    return spin


class ReviewSettingsDialog(SavingDialog):
    def __init__(self, services: Services, prompts: Prompts, parent: QWidget | None = None):
        super().__init__(prompts, "Review settings", parent)
        self._services = services
        current = services.review_settings.current()
        self.changed = False
        self.about = QLabel(ABOUT)
        self.about.setWordWrap(True)
        self.asye_required = _spin(
            settings.MIN_ASYE_REQUIRED,
            settings.MAX_ASYE_REQUIRED,
            current.asye_required,
            " direct observations",
            "Direct observations needed in the ASYE year",
        )
        self.interval = _spin(
            settings.MIN_INTERVAL_MONTHS,
            settings.MAX_INTERVAL_MONTHS,
            current.interval_months,
            " months",
            "Months without an observation before a worker is overdue",
        )
        form = self.form()
        form.addRow("&ASYE year needs:", self.asye_required)
        form.addRow("Observe each worker at &least every:", self.interval)
        self.arrange(form, self.asye_required, self.about, width=70)

    @classmethod
    def edit(cls, parent: QWidget | None, services: Services, prompts: Prompts) -> bool:
        """Shows the settings; returns whether they were changed and saved."""
        dialog = cls(services, prompts, parent)
        dialog.exec()
        return dialog.changed

    def save(self) -> None:
        review = self._services.review_settings
        before = review.current()
        review.set_asye_observations_required(self.asye_required.value())
        review.set_observation_interval_months(self.interval.value())
        self.changed = review.current() != before
