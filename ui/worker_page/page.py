"""The worker page: one worker's history, as a manager reads it before supervision.

The profile and filters sit at the top, then the worker at a glance (observations by kind,
actions, the ASYE year), then tabs: recurring development areas, actions, trends and the
timeline. The history is read off the GUI thread (observer/review/worker_history.py does the work);
only the latest request is shown, so a slow earlier one never overwrites a newer one.
Each tab is filled when it is first seen, so a long history shows at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from observer.changes import Changed, Topic
from observer.errors import ObserverError
from observer.review.worker_history import TimelineEntry, WorkerHistory
from observer.services import Services
from ui.change_bus import ChangeBus
from ui.formatting import framework_label, uk_date, uk_date_time
from ui.latest_result import LatestResult, single_shot
from ui.models.table import RecordFilterProxy
from ui.models.timeline import TimelineModel
from ui.prompts import Prompts
from ui.widgets.layout import PANEL_SPACING, panel_layout
from ui.widgets.record_table import RecordTable
from ui.worker_page.actions_view import FIT_ROWS, ActionsView
from ui.worker_page.areas import RecurringAreasView
from ui.worker_page.filter_bar import HistoryFilterBar
from ui.worker_page.glance import AtAGlance
from ui.worker_page.trend_chart import NO_RATINGS, TrendChart

PAUSE_MS = 200  # after a filter changes, so typing a date reloads once
CATCH_UP_MS = 1500  # after records change elsewhere: an editor saves as its user types
LOADING = "Loading…"
NO_OBSERVATIONS = (
    "{name} has not been observed yet. Choose New observation… (Ctrl+N) to record the "
    "first; their timeline, trends and actions build up here."
)
NO_MATCHES = "No observation of {name} matches these filters. Choose Clear filters to see all."
NO_AREAS = (
    "No development area keeps coming back: no standard was rated below Good in two of the "
    "latest three observations that rated it."
)
NO_FINISHED = (
    "Nothing to look at yet: ratings count once the observer has marked a record ready for "
    "sign-off. Recurring development areas are listed here when they appear."
)
FOLLOWED = Topic.RECORDS | Topic.ACTIONS | Topic.PEOPLE | Topic.SETTINGS | Topic.FRAMEWORKS
TAB_TITLES = ("Development areas", "Actions", "Trends", "Timeline")
PDF_BUTTON = "History &PDF…"
PDF_FILTER = "PDF documents (*.pdf)"


@dataclass(frozen=True)
class Loaded:
    """What one load brings back from the thread pool."""

    history: WorkerHistory
    framework_titles: dict[uuid.UUID, str]


class WorkerPage(QWidget):
    open_requested = Signal(uuid.UUID)  # an observation, for its editor
    back_requested = Signal()
    loaded = Signal()  # the latest history (or a refusal) is on screen
    pdf_done = Signal()  # a history PDF was saved, or could not be

    def __init__(
        self,
        services: Services,
        prompts: Prompts,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
        *,
        pool: QThreadPool | None = None,
        pause_ms: int = PAUSE_MS,
        changes: ChangeBus | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._prompts = prompts
        self._today = today
        self._person_id: uuid.UUID | None = None
        self._stale = False
        self.history: WorkerHistory | None = None
        self._loader = LatestResult(self, pool)
        self._loader.ready.connect(self._show)
        self._loader.failed.connect(self._refused)
        self._pause = single_shot(self, pause_ms, self.reload)
        # Tests pass no pause, and want no catch-up wait either.
        self._catch_up = single_shot(self, CATCH_UP_MS if pause_ms else 0, self.reload)
        self.pdf_exporting: LatestResult | None = None
        if changes is not None:
            changes.changed.connect(self._store_changed)

        self.back_button = QPushButton("‹ &Back")
        self.back_button.setAccessibleName("Back")
        self.back_button.setToolTip("Back to the list (Alt+Left)")
        self.back_button.clicked.connect(self.back_requested)
        back = QShortcut(QKeySequence(QKeySequence.StandardKey.Back), self)
        back.activated.connect(self.back_requested)
        self.name = QLabel()
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setAccessibleName("Worker")
        self.profile = QLabel()
        self.profile.setWordWrap(True)
        self.profile.setAccessibleName("Profile")
        self.pdf_button = QPushButton(PDF_BUTTON)
        self.pdf_button.setAccessibleName("History PDF")
        self.pdf_button.setToolTip(
            "Save a signed PDF of this history, as filtered, for the supervision file."
        )
        self.pdf_button.clicked.connect(self.export_history_pdf)
        # A supervision file holds signed records; the rest only when someone chooses so.
        self.pdf_unsigned = QCheckBox("Include unsi&gned records")
        self.pdf_unsigned.setAccessibleName("Include unsigned records in the history PDF")
        self.pdf_unsigned.setToolTip(
            "Put drafts and records ready for sign-off in the history PDF too, each marked "
            "“not signed”. Without this, the PDF holds signed observations only."
        )
        self.pdf_full = QCheckBox("Full summar&ies")
        self.pdf_full.setAccessibleName("Full summaries in the history PDF")
        self.pdf_full.setToolTip(
            "Each observation's whole summary (evidence, narrative, signatures) in the "
            "history PDF. Without this, each observation is shown in brief."
        )
        self.filters = HistoryFilterBar()
        self.filters.changed.connect(self._pause.start)
        self.status = QLabel()
        self.status.setAccessibleName("Loading state")
        self.glance = AtAGlance()

        self.areas = RecurringAreasView()
        self.areas.open_requested.connect(self.open_requested)
        self.actions_view = ActionsView(today())
        self.actions_view.model.done_requested.connect(self.set_action_done)
        self.actions_view.table.open_requested.connect(self._open_action_record)
        self.chart = TrendChart()
        self.timeline_model = TimelineModel(self)
        self.timeline_proxy: RecordFilterProxy[TimelineEntry] = RecordFilterProxy(
            self.timeline_model, self
        )
        self.timeline = RecordTable(self.timeline_model, self.timeline_proxy, "Timeline")
        self.timeline.sort_by(0, Qt.SortOrder.DescendingOrder)
        self.timeline.fit_to_first_rows(FIT_ROWS)
        self.timeline.open_requested.connect(self._open_timeline_record)
        self._filled: set[int] = set()  # the tabs filled from the history shown
        self._framework_titles: dict[uuid.UUID, str] = {}
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Parts of the history")
        self.tabs.setDocumentMode(True)
        parts = (self.areas, self.actions_view, self.chart, self.timeline)
        for widget, title in zip(parts, TAB_TITLES, strict=True):
            self.tabs.addTab(_padded(widget), title)
        self.tabs.currentChanged.connect(self._fill)

        heading = QHBoxLayout()
        heading.addWidget(self.back_button)
        heading.addSpacing(PANEL_SPACING)
        heading.addWidget(self.name, 1)
        heading.addWidget(self.status)  # up here, so that loading never moves the page
        heading.addSpacing(PANEL_SPACING)
        heading.addWidget(self.pdf_unsigned)
        heading.addWidget(self.pdf_full)
        heading.addWidget(self.pdf_button)
        layout = panel_layout(QVBoxLayout(), self)
        layout.setSpacing(10)
        layout.addLayout(heading)
        layout.addWidget(self.profile)
        layout.addWidget(self.filters)
        layout.addWidget(self.glance)
        layout.addWidget(self.tabs, 1)
        self.status.hide()

    # What the main window asks

    @property
    def person_id(self) -> uuid.UUID | None:
        return self._person_id

    def show_worker(self, person_id: uuid.UUID) -> None:
        """Shows another worker's history, every filter off, from the first tab."""
        if person_id != self._person_id:
            self._person_id = person_id
            self.filters.start_over()
            self.tabs.setCurrentIndex(0)
            self.name.setText(LOADING)
            self.profile.setText("")
            self._clear()
        self.reload()

    def _clear(self) -> None:
        """Nothing of the previous worker stays in view while the next one loads."""
        self.history = None
        self._filled.clear()
        self.glance.clear()
        self.areas.set_areas((), LOADING)
        self.actions_view.set_actions((), self._today())
        self.actions_view.say("")
        self.chart.set_trends((), LOADING)
        self.timeline_model.set_records(())
        self.timeline.set_empty_texts(LOADING, LOADING)
        for tab, title in enumerate(TAB_TITLES):
            self.tabs.setTabText(tab, title)

    def reload(self) -> None:
        """Reads the history again with the filters as they are now, off the GUI thread."""
        self._pause.stop()
        self._catch_up.stop()
        self._stale = False
        if self._person_id is None:
            return
        histories, recording = self._services.worker_history, self._services.recording
        person_id, filters, today = self._person_id, self.filters.filters(), self._today()

        def load() -> Loaded:
            history = histories.of(person_id, filters, today)
            titles = {
                f.id: framework_label(f.short_name or f.name, f.version)
                for f in recording.frameworks()
            }
            return Loaded(history, titles)

        self.status.setText(LOADING)
        self.status.show()
        self._loader.request(load)

    def _store_changed(self, changed: Changed) -> None:
        # A change names the records it wrote, not whose they are, so any record may be one
        # of this worker's (a new one among them); the frameworks name the trends.
        if changed.touches(FOLLOWED):
            self.records_changed()

    def records_changed(self) -> None:
        """Records changed elsewhere: the page catches up now if seen, else when next shown."""
        if self.isVisible():
            self._catch_up.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    @property
    def loading(self) -> bool:
        return self._loader.busy

    # Showing

    def _show(self, result: object) -> None:
        assert isinstance(result, Loaded)
        history = result.history
        if history.profile.id != self._person_id:
            return
        self.history = history
        name = history.profile.name
        self.name.setText(name)
        self.profile.setText(_profile_line(history))
        titles = result.framework_titles
        self.filters.offer(
            {(t.observer_name, t.observer_id) for t in history.timeline if t.observer_id},
            {
                (titles.get(t.framework_id, t.framework_name), t.framework_id)
                for t in history.timeline
            },
        )
        self.glance.set_history(history)
        self._framework_titles = titles
        self._filled.clear()
        self._fill(self.tabs.currentIndex())
        self._name_tabs(history)
        self.status.hide()
        self.loaded.emit()

    def _fill(self, tab: int) -> None:
        """Fills a tab from the history when it is first seen: a long history's chart and
        tables cost nothing until they are looked at."""
        history = self.history
        if history is None or tab < 0 or tab in self._filled:
            return
        self._filled.add(tab)
        filtered = not history.filters.is_empty
        nothing = (NO_MATCHES if filtered else NO_OBSERVATIONS).format(name=history.profile.name)
        widget = self.tabs.widget(tab)
        if widget is self.areas.parentWidget():
            finished = history.totals.signed + history.totals.ready
            self.areas.set_areas(
                history.recurring_areas,
                nothing if not history.timeline else NO_AREAS if finished else NO_FINISHED,
            )
        elif widget is self.actions_view.parentWidget():
            self.actions_view.set_actions(history.actions, history.today)
        elif widget is self.chart.parentWidget():
            self.chart.set_trends(history.trends, nothing if not history.timeline else NO_RATINGS)
        elif widget is self.timeline.parentWidget():
            self.timeline_model.set_framework_titles(self._framework_titles)
            self.timeline_model.set_records(history.timeline)
            self.timeline.fit_columns()
            self.timeline.set_empty_texts(nothing, nothing)

    def _refused(self, sentence: str) -> None:
        self.status.setText(sentence)
        self.status.show()
        if self.history is None:
            self.name.setText("")
        self.loaded.emit()

    def _name_tabs(self, history: WorkerHistory) -> None:
        totals = history.totals
        self.tabs.setTabText(0, f"Development areas ({len(history.recurring_areas)})")
        actions = f"Actions ({totals.open_actions} open"
        if totals.overdue_actions:
            actions += f", {totals.overdue_actions} overdue"
        self.tabs.setTabText(1, actions + ")")
        self.tabs.setTabText(3, f"Timeline ({totals.observations})")

    # Acting

    def set_action_done(self, action_id: uuid.UUID, done: bool) -> None:
        """Marks an action done by this laptop's user, now, or reopens it: one step."""
        who = self._services.actor()
        try:
            if done:
                self._services.actions.complete_action(action_id, who)
            else:
                self._services.actions.reopen_action(action_id, who)
        except ObserverError as error:
            self._prompts.error(self, str(error))
            self.reload()
            return
        if done:
            at = datetime.now(UTC)
            self.actions_view.model.show_done(action_id, who, at)
            self.actions_view.say(
                f"Marked done by {who} on {uk_date_time(at)}.",
                undo=lambda: self.set_action_done(action_id, False),
            )
        else:
            self.actions_view.model.show_reopened(action_id)
            self.actions_view.say(f"Reopened by {who}.")
        self.reload()

    def export_history_pdf(self) -> None:
        """Saves a signed PDF of this worker's history, narrowed by the filters shown, for
        the supervision file (observer/documents/histories.py), off the GUI thread."""
        history = self.history
        if history is None or self.pdf_exporting is not None:
            return
        from observer.documents.histories import HistoryExportResult

        target = self._prompts.save_file(
            self, "Save the history PDF", Path.home() / _pdf_name(history), PDF_FILTER
        )
        if target is None:
            return
        services, person_id = self._services, history.profile.id
        filters, today = self.filters.filters(), self._today()
        unsigned, full = self.pdf_unsigned.isChecked(), self.pdf_full.isChecked()
        runner = self.pdf_exporting = LatestResult(self)

        def saved(result: object) -> None:
            finished()
            lines = result.lines() if isinstance(result, HistoryExportResult) else []
            self._prompts.information(self, "\n".join(lines) or f"Saved {target}.")

        def refused(sentence: str) -> None:
            finished()
            self._prompts.error(self, sentence)

        def finished() -> None:
            self.pdf_exporting = None
            self.pdf_button.setEnabled(True)
            self.pdf_button.setText(PDF_BUTTON)
            runner.deleteLater()
            self.pdf_done.emit()

        runner.ready.connect(saved)
        runner.failed.connect(refused)
        self.pdf_button.setEnabled(False)
        self.pdf_button.setText("Saving the PDF…")
        pdfs = services.history_pdfs
        runner.request(
            lambda: pdfs.export(
                person_id,
                target,
                filters,
                today=today,
                include_unsigned=unsigned,
                full_summaries=full,
            )
        )

    def _open_timeline_record(self) -> None:
        rows = self.timeline.view.selectionModel().selectedRows()
        if rows:
            entry = self.timeline_proxy.record(rows[0].row())
            self.open_requested.emit(entry.observation_id)

    def _open_action_record(self) -> None:
        rows = self.actions_view.table.view.selectionModel().selectedRows()
        if rows:
            self.open_requested.emit(self.actions_view.proxy.record(rows[0].row()).observation_id)


def _profile_line(history: WorkerHistory) -> str:
    profile = history.profile
    parts = [profile.role_label, profile.team_name or "No team"]
    if profile.staff_reference:
        parts.append(f"Staff reference {profile.staff_reference}")
    if not profile.active:
        parts.append(f"Left on {uk_date(profile.left_on)}" if profile.left_on else "Has left")
    if profile.asye_started_on:
        parts.append(f"ASYE year began {uk_date(profile.asye_started_on)}")
    return " · ".join(parts)


def _pdf_name(history: WorkerHistory) -> str:
    day = history.today.isoformat()
    name = "".join(c if c.isalnum() or c in " -" else "_" for c in history.profile.name)
    return f"{day} {name} - history.pdf"


def _padded(widget: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 10, 0, 0)
    layout.addWidget(widget)
    return holder
