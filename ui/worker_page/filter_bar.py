"""The worker page's filters: date range, kinds, observer and framework version.

They narrow everything on the page below them, as observer/review/worker_history.py says
(open actions and the ASYE tracker excepted). The observers and framework versions offered
are those of the worker's own observations, so every choice finds something.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QPushButton, QWidget

from observer.review.asye import DIRECT_OBSERVATION_KINDS
from observer.review.worker_history import HistoryFilter
from observer.text import name_order
from observer.vocabulary import Kind
from ui.widgets.labelled import together, wrapping_row
from ui.widgets.optional_date import day_of, optional_date

ALL_KINDS = "All kinds"
ANY_OBSERVER = "Any observer"
ANY_FRAMEWORK = "Any framework"
KIND_CHOICES: tuple[tuple[str, tuple[Kind, ...]], ...] = (
    (ALL_KINDS, ()),
    ("Direct practice (not supervision)", DIRECT_OBSERVATION_KINDS),
    ("Supervision", (Kind.SUPERVISION_INDIVIDUAL, Kind.SUPERVISION_GROUP)),
    *((kind.label, (kind,)) for kind in Kind),
)


class HistoryFilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        today = QDate.currentDate()
        self.use_date_from, self.date_from = optional_date(
            "Fro&m:", "From date", today.addYears(-1)
        )
        self.use_date_to, self.date_to = optional_date("&To:", "To date", today)
        self.kind = _combo("Kinds of observation", 14)
        for text, _kinds in KIND_CHOICES:
            self.kind.addItem(text)
        self.kind.setItemData(
            1,
            "Direct work, home visits, meetings with parents or carers, and child "
            "protection meetings: what counts for the ASYE year",
            Qt.ItemDataRole.ToolTipRole,
        )
        self.observer = _combo("Observer", 12)
        self.observer.addItem(ANY_OBSERVER, None)
        self.framework = _combo("Framework version", 14)
        self.framework.addItem(ANY_FRAMEWORK, None)
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.clicked.connect(self.clear)

        wrapping_row(
            together(self.use_date_from, self.date_from),
            together(self.use_date_to, self.date_to),
            together("&Kind:", self.kind),
            together("O&bserver:", self.observer),
            together("F&ramework:", self.framework),
            self.clear_button,
            parent=self,
        )

        for check, edit in ((self.use_date_from, self.date_from), (self.use_date_to, self.date_to)):
            check.toggled.connect(self._changed)
            edit.dateChanged.connect(lambda _day, used=check: self._date_changed(used))
        for combo in (self.kind, self.observer, self.framework):
            combo.currentIndexChanged.connect(self._changed)
        self._update_clear()

    def filters(self) -> HistoryFilter:
        observer = self.observer.currentData()
        framework = self.framework.currentData()
        return HistoryFilter(
            date_from=day_of(self.date_from) if self.use_date_from.isChecked() else None,
            date_to=day_of(self.date_to) if self.use_date_to.isChecked() else None,
            kinds=KIND_CHOICES[max(self.kind.currentIndex(), 0)][1],
            observer_id=observer if isinstance(observer, uuid.UUID) else None,
            framework_id=framework if isinstance(framework, uuid.UUID) else None,
        )

    def clear(self) -> None:
        """Every filter off, saying `changed` once."""
        with _quietly(self):
            self.use_date_from.setChecked(False)
            self.use_date_to.setChecked(False)
            self.kind.setCurrentIndex(0)
            self.observer.setCurrentIndex(0)
            self.framework.setCurrentIndex(0)
        self._changed()

    def start_over(self) -> None:
        """For another worker: every filter off and nobody offered, saying nothing."""
        with _quietly(self):
            self.use_date_from.setChecked(False)
            self.use_date_to.setChecked(False)
            self.kind.setCurrentIndex(0)
            for combo in (self.observer, self.framework):
                while combo.count() > 1:
                    combo.removeItem(1)
        self._update_clear()

    def offer(
        self,
        observers: Iterable[tuple[str, uuid.UUID]],
        frameworks: Iterable[tuple[str, uuid.UUID]],
    ) -> None:
        """Adds observers and framework versions not offered yet, in name order."""
        with _quietly(self):
            _add_new(self.observer, observers)
            _add_new(self.framework, frameworks)

    def _date_changed(self, check: QCheckBox) -> None:
        if check.isChecked():  # a date not in use changes nothing
            self._changed()

    def _changed(self, *_: object) -> None:
        self._update_clear()
        self.changed.emit()

    def _update_clear(self) -> None:
        self.clear_button.setEnabled(not self.filters().is_empty)


@contextmanager
def _quietly(bar: HistoryFilterBar) -> Iterator[None]:
    """Changes the bar's controls without each change saying so."""
    controls: tuple[QWidget, ...] = (
        bar.use_date_from,
        bar.use_date_to,
        bar.date_from,
        bar.date_to,
        bar.kind,
        bar.observer,
        bar.framework,
    )
    for control in controls:
        control.blockSignals(True)
    try:
        yield
    finally:
        for control in controls:
            control.blockSignals(False)
        bar.date_from.setEnabled(bar.use_date_from.isChecked())
        bar.date_to.setEnabled(bar.use_date_to.isChecked())


def _combo(name: str, characters: int) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    return combo


def _add_new(combo: QComboBox, items: Iterable[tuple[str, uuid.UUID]]) -> None:
    offered = {combo.itemData(i) for i in range(1, combo.count())}
    new = [(text, value) for text, value in items if value not in offered]
    if not new:
        return
    chosen = combo.currentData()
    everything = sorted(
        [(combo.itemText(i), combo.itemData(i)) for i in range(1, combo.count())] + new,
        key=lambda item: name_order(item[0]),
    )
    while combo.count() > 1:
        combo.removeItem(1)
    for text, value in everything:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen is not None else 0)
