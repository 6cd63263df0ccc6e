"""A dialog whose OK saves through a service and stays open, text intact, if that fails."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from observer.errors import ObserverError
from ui.prompts import Prompts
from ui.widgets.layout import grow_with_text


class SavingDialog(QDialog):
    def __init__(self, prompts: Prompts, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prompts = prompts
        self.setWindowTitle(title)
        self.setModal(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def save(self) -> None:
        """Calls the service; raises ObserverError when the service refuses."""
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.save()
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        super().accept()

    def arrange(self, form: QFormLayout, first: QWidget, *above: QWidget, width: int = 60) -> None:
        """Lays out what goes above the form, the form, then the buttons; focus on `first`."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(16)
        for widget in above:
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * width)
        grow_with_text(self)
        first.setFocus()

    @staticmethod
    def form() -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(form.labelAlignment())
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        return form
