"""Team: every worker at a glance, who is overdue for an observation, sortable by any column.

The overview is read off the GUI thread (observer/review/team_overview.py); only the latest
request is shown. The period counts observations; the team and "only overdue" choices
narrow what is already loaded.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from observer.changes import Topic
from observer.errors import InvalidInput
from observer.people.directory import People
from observer.review.asye import add_months
from observer.review.settings import ReviewSettingsService
from observer.review.team_overview import Period, TeamOverview, TeamRow
from ui.change_bus import ChangeBus, Freshness
from ui.formatting import count, uk_date
from ui.latest_result import LatestResult, single_shot
from ui.models.table import RecordFilterProxy
from ui.models.team_overview import Cells, TeamOverviewModel, display_cells, search_texts
from ui.panels.team_laptops import LaptopsLine
from ui.widgets.labelled import together, wrapping_row
from ui.widgets.layout import ROW_SPACING, panel_layout
from ui.widgets.optional_date import DATE_FORMAT, day_of, qdate
from ui.widgets.panel_header import PanelHeader
from ui.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from observer.sync.laptops import LaptopSync

log = logging.getLogger(__name__)

PAUSE_MS = 200
PERIODS: tuple[tuple[str, int | None], ...] = (
    ("Last 3 months", 3),
    ("Last 6 months", 6),
    ("Last 12 months", 12),
    ("Chosen dates", None),
)
DEFAULT_PERIOD = 2
# Qt measures the first rows in view whole, and those with the widest texts (RecordTable):
# two thousand need not all be measured.
FIT_ROWS = 10
ALL_TEAMS = "All teams"
NO_TEAM = "No team"
NO_WORKERS = (
    "No one whose practice is observed has been added yet. Add social workers, newly "
    "qualified workers, senior practitioners, family support workers and team managers "
    "through People, then Add person…; they are listed here with when they were last observed."
)
NO_MATCHES = "No worker matches these choices."
OVERDUE_TIP = "Show only workers overdue for an observation"


@dataclass(frozen=True)
class Overview:
    """What one load brings back from the thread pool."""

    rows: list[TeamRow]
    interval_months: int
    period: Period
    texts: dict[uuid.UUID, str]  # what the find box looks in, per worker, when made here
    cells: Cells  # what each worker's row shows
    teams: list[tuple[str, uuid.UUID]]  # the teams to choose from, by name
    own_team: uuid.UUID | None = None  # the team this laptop's user manages, if one


class TeamPanel(QWidget):
    worker_requested = Signal(uuid.UUID)
    loaded = Signal()  # the latest overview (or a refusal) is on screen

    def __init__(
        self,
        overview: TeamOverview,
        settings: ReviewSettingsService,
        people: People,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
        *,
        pool: QThreadPool | None = None,
        pause_ms: int = PAUSE_MS,
        changes: ChangeBus | None = None,
        laptops: Callable[[], list[LaptopSync]] | None = None,
        user: Callable[[], uuid.UUID | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self._overview = overview
        self._user = user
        # A manager's overview opens on their team, once it is known (after a first sync,
        # perhaps); after that the choice is theirs.
        self._own_team_shown = False
        self._settings = settings
        self._people = people
        self._today = today
        self.freshness = Freshness(
            self,
            self.reload,
            changes,
            Topic.LISTED | Topic.ACTIONS | Topic.PEOPLE | Topic.SETTINGS,
        )
        self.overview: Overview | None = None
        self._loader = LatestResult(self, pool)
        self._loader.ready.connect(self._show)
        self._loader.failed.connect(self._refused)
        self._pause = single_shot(self, pause_ms, self.reload)
        self.model = TeamOverviewModel(self)
        self.proxy = RecordFilterProxy(self.model, self)

        self.header = PanelHeader(
            "Team",
            "Every worker at a glance: when each was last observed, their latest overall "
            "judgement, their actions, and who is overdue for an observation. Click a column "
            "heading to sort; double-click a worker to see their history.",
        )
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a worker")
        self.search.setAccessibleName("Find a worker in the team overview")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.team = QComboBox()
        self.team.setAccessibleName("Team")
        self.team.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.team.addItem(ALL_TEAMS, ALL_TEAMS)
        self.team.currentIndexChanged.connect(self._narrow)
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        self.period.setAccessibleDescription("The period in which observations are counted")
        for text, _months in PERIODS:
            self.period.addItem(text)
        self.period.setCurrentIndex(DEFAULT_PERIOD)
        today_q = QDate.currentDate()
        self.period_from = _date_edit("Period from", today_q.addYears(-1))
        self.period_to = _date_edit("Period to", today_q)
        self.only_overdue = QCheckBox("Only &overdue for an observation")
        self.only_overdue.setAccessibleName(OVERDUE_TIP)
        self.only_overdue.toggled.connect(self._narrow)
        self.summary = QLabel()
        self.summary.setAccessibleName("Team summary")
        self.summary.setWordWrap(True)
        # When each laptop of the team last synced, once this laptop has joined a server.
        self.laptops = None if laptops is None else LaptopsLine(laptops, self, pool=pool)

        self.table = RecordTable(self.model, self.proxy, "Team overview")
        self.table.set_empty_texts(NO_WORKERS, NO_MATCHES)
        self.table.fit_to_first_rows(FIT_ROWS)
        self.table.sort_by(0, Qt.SortOrder.AscendingOrder)
        self.table.open_requested.connect(self._open_selected)
        # A change of filter moves rows in many steps: the summary is counted once, after.
        self._recount = single_shot(self, 0, self._show_counts)
        self.table.counts_changed.connect(lambda *_: self._recount.start())

        self.period.currentIndexChanged.connect(self._period_chosen)
        for edit in (self.period_from, self.period_to):
            edit.dateChanged.connect(self._pause.start)

        first = QHBoxLayout()
        first.setSpacing(ROW_SPACING)
        first.addWidget(self.search, 1)
        first.addSpacing(ROW_SPACING)
        first.addWidget(self.only_overdue)
        self.custom_dates = together("&From:", self.period_from, "&To:", self.period_to)
        choices = wrapping_row(
            together("T&eam:", self.team),
            together("Observations &in:", self.period),
            self.custom_dates,
        )
        layout = panel_layout(QVBoxLayout(), self)
        layout.addWidget(self.header)
        layout.addLayout(first)
        layout.addWidget(choices)
        layout.addWidget(self.summary)
        if self.laptops is not None:
            layout.addWidget(self.laptops)
        layout.addWidget(self.table, 1)
        self.custom_dates.setVisible(PERIODS[DEFAULT_PERIOD][1] is None)

    # What the main window asks of a panel

    def reload(self) -> None:
        """Reads the overview again for the period chosen, off the GUI thread."""
        self.freshness.note_reloaded()
        self._pause.stop()
        try:
            period = self.current_period()
        except InvalidInput as error:
            self.summary.setText(str(error))
            return
        overview, settings = self._overview, self._settings
        people, today, user = self._people, self._today(), self._user
        # With a word in the find box, every row is looked in as soon as the rows are shown:
        # their texts are made here, off the GUI thread. Otherwise a row's is made when the
        # find box first needs it, and the overview is not kept waiting for two thousand.
        finding = bool(self.search.text().strip())

        def load() -> Overview:
            rows = overview.rows(today, period)
            teams = people.team_names()
            interval = settings.observation_interval_months()
            cells = display_cells(rows)
            texts = search_texts(rows, cells) if finding else {}
            own = people.team_managed_by(user())
            return Overview(rows, interval, period, texts, cells, teams, own)

        self.summary.setText("Loading…")
        self._loader.request(load)
        if self.laptops is not None:
            self.laptops.read()

    @property
    def loading(self) -> bool:
        return self._loader.busy or (self.laptops is not None and self.laptops.loading)

    def current_period(self) -> Period:
        months = PERIODS[max(self.period.currentIndex(), 0)][1]
        if months is None:
            return Period(day_of(self.period_from), day_of(self.period_to))
        return last_months(self._today(), months)

    def selected(self) -> TeamRow | None:
        rows = self.table.view.selectionModel().selectedRows()
        return self.proxy.record(rows[0].row()) if rows else None

    def shown(self) -> list[TeamRow]:
        return [self.proxy.record(row) for row in range(self.proxy.rowCount())]

    # Internals

    def _period_chosen(self, *_: object) -> None:
        custom = PERIODS[max(self.period.currentIndex(), 0)][1] is None
        self.custom_dates.setVisible(custom)
        if custom:
            period = Period(add_months(self._today(), -12) + timedelta(days=1), self._today())
            for edit, day in ((self.period_from, period.first), (self.period_to, period.last)):
                edit.blockSignals(True)
                edit.setDate(qdate(day))
                edit.blockSignals(False)
        self._pause.start()

    def _refresh_teams(self, teams: list[tuple[str, uuid.UUID]]) -> None:
        offered = [
            (self.team.itemText(i), self.team.itemData(i)) for i in range(1, self.team.count())
        ]
        wanted = [*teams, (NO_TEAM, None)]
        if offered == wanted:
            return
        chosen = self.team.currentData()
        self.team.blockSignals(True)
        while self.team.count() > 1:
            self.team.removeItem(1)
        for text, value in wanted:
            self.team.addItem(text, value)
        self.team.setCurrentIndex(max(self.team.findData(chosen), 0))
        self.team.blockSignals(False)

    def _narrow(self, *_: object) -> None:
        team = self.team.currentData() if self.team.currentIndex() > 0 else ALL_TEAMS
        only_overdue = self.only_overdue.isChecked()

        def keep(row: TeamRow) -> bool:
            if team != ALL_TEAMS and row.team_id != team:
                return False
            return row.overdue_for_observation or not only_overdue

        self.proxy.set_keep(keep)

    def _show(self, result: object) -> None:
        assert isinstance(result, Overview)
        self.overview = result
        self._refresh_teams(result.teams)
        if result.own_team is not None and not self._own_team_shown:
            self._own_team_shown = True
            # findData does not compare Python objects held as item data: compare here.
            items = (self.team.itemData(i) for i in range(1, self.team.count()))
            found = next((i for i, d in enumerate(items, 1) if d == result.own_team), 0)
            if found:
                self.team.setCurrentIndex(found)  # narrows through its signal
        chosen = self.selected()
        self.model.set_records(result.rows, result.texts, result.cells)
        self.table.fit_columns()
        if chosen is not None:
            self._select(chosen.person_id)
        self._show_counts()
        self.loaded.emit()

    def _refused(self, sentence: str) -> None:
        self.summary.setText(sentence)
        self.loaded.emit()

    def _select(self, person_id: uuid.UUID) -> None:
        for row in range(self.model.rowCount()):
            if self.model.record(row).person_id == person_id:
                shown = self.proxy.mapFromSource(self.model.index(row, 0))
                if shown.isValid():
                    self.table.view.selectRow(shown.row())
                return

    def _open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.worker_requested.emit(row.person_id)

    def _show_counts(self) -> None:
        self._recount.stop()
        if self._loader.busy or self.overview is None:
            return
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        # Every row shown: the model's rows, without mapping each through the proxy.
        rows = (self.model.record(row) for row in range(total)) if shown == total else self.shown()
        overdue = sum(r.overdue_for_observation for r in rows)
        workers = count(total, "worker")
        text = workers if shown == total else f"Showing {shown} of {workers}"
        interval, period = self.overview.interval_months, self.overview.period
        months = "a month" if interval == 1 else f"{interval} months"
        text += (
            f"; {overdue} overdue for an observation (none for {months}). "
            f"Observations counted from {uk_date(period.first)} to {uk_date(period.last)}."
        )
        self.summary.setText(text)


def last_months(today: date, months: int) -> Period:
    return Period(add_months(today, -months) + timedelta(days=1), today)


def read_ahead(overview: TeamOverview, today: date) -> None:
    """Reads the overview the Team section first shows (every team, the default period), so
    that its first opening after start need not wait for the store (run it off the GUI
    thread)."""
    months = PERIODS[DEFAULT_PERIOD][1]
    assert months is not None
    try:
        overview.read_ahead(today, last_months(today, months))
    except Exception:
        # Only a head start: the section reads the overview itself when it opens.
        log.exception("the team overview could not be read ahead")


def _date_edit(name: str, initial: QDate) -> QDateEdit:
    edit = QDateEdit(initial)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setAccessibleName(name)
    inner = edit.findChild(QLineEdit)
    if inner is not None:
        inner.setAccessibleName(name)
    return edit
