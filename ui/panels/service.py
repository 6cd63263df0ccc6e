"""Service: the quality of practice across the service, for the practice lead, the QA lead
and managers, and what the Improvement Board reads each quarter.

For a period (the current quarter unless chosen otherwise), narrowed by team, kind and
framework version, or to supervision alone: per standard the spread of ratings (a chart,
and the same figures as a table), the share Good or better and its change from the period
before; coverage; the development areas that recur across the service, with the
observations behind them; agreed actions by improvement theme; and the child's voice. The
figures are read off the GUI thread (observer/service/); only the latest request is shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from observer.changes import Topic
from observer.errors import InvalidInput
from observer.review.team_overview import Period
from observer.service.action_themes import ThemePlan, Themes
from observer.service.child_voice import ChildVoice
from observer.service.period import (
    ServiceFilter,
    is_quarter,
    period_name,
    quarter_of,
    shift_quarter,
)
from observer.service.quality import ServiceChoices, ServiceFigures, ServiceView
from observer.service.standards import MIN_TO_COMPARE, StandardFigures, StandardKey
from observer.vocabulary import Kind
from ui.change_bus import ChangeBus, Freshness
from ui.formatting import count
from ui.latest_result import LatestResult, single_shot
from ui.models.service import (
    BELOW_GOOD_COLUMN,
    ActionCountsModel,
    AreasModel,
    CoverageModel,
    EvidenceModel,
    StandardsModel,
    percent,
)
from ui.models.table import RecordFilterProxy
from ui.panels.board_report import BoardReportTab
from ui.panels.service_chart import SpreadChart
from ui.widgets.labelled import together, wrapping_row
from ui.widgets.layout import ROW_SPACING, panel_layout
from ui.widgets.optional_date import DATE_FORMAT, day_of, qdate
from ui.widgets.panel_header import PanelHeader
from ui.widgets.record_table import RecordTable

PAUSE_MS = 200
TABLE_AT_LEAST = 130  # pixels of the standards table below the chart: a few rows
QUARTER, CHOSEN = 0, 1
ALL = "All"
TOO_FEW_RULE = (
    f"A change needs at least {MIN_TO_COMPARE} observations rating the standard in both "
    "periods; with fewer it says “too few to compare”."
)
NO_RATINGS = "No observation ready for sign-off or signed in this period rated a standard."
NO_AREAS = "No standard was rated below Good in this period."
NO_WORKERS = "No worker whose practice is observed is in this team."
COUNTED_HERE = (
    "Ratings, areas, actions and the child's voice count observations ready for sign-off "
    "or signed, as the worker page does."
)
ThemesArgument = ThemePlan | Themes | Mapping[StandardKey, Sequence[str]] | None


@dataclass(frozen=True)
class Loaded:
    figures: ServiceFigures
    choices: ServiceChoices


class ServicePanel(QWidget):
    open_requested = Signal(uuid.UUID)  # an observation behind a development area
    loaded = Signal()  # the latest figures (or a refusal) are on screen

    def __init__(
        self,
        view: ServiceView,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
        *,
        themes: Callable[[], ThemesArgument] = lambda: None,
        pool: QThreadPool | None = None,
        pause_ms: int = PAUSE_MS,
        changes: ChangeBus | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._today = today
        self._themes = themes
        self.period = quarter_of(today())
        self.figures: ServiceFigures | None = None
        self.freshness = Freshness(
            self, self.reload, changes, Topic.LISTED | Topic.ACTIONS | Topic.PEOPLE | Topic.SETTINGS
        )
        self._loader = LatestResult(self, pool)
        self._loader.ready.connect(self._show)
        self._loader.failed.connect(self._refused)
        self._pause = single_shot(self, pause_ms, self.reload)

        self.header = PanelHeader(
            "Service",
            "",
        )
        self._build_choices()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Service summary")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._standards_tab(), "&Standards")
        self.tabs.addTab(self._coverage_tab(), "&Coverage")
        self.tabs.addTab(self._areas_tab(), "&Development areas")
        self.tabs.addTab(self._actions_tab(), "&Actions by theme")
        self.tabs.addTab(self._voice_tab(), "The child's &voice")
        # Beside the tabs: it turns every one of them to supervision alone.
        self.tabs.setCornerWidget(self.supervision, Qt.Corner.TopRightCorner)

        layout = panel_layout(QVBoxLayout(), self)
        layout.addWidget(self.header)
        layout.addWidget(self.choices)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self._show_period()

    # Building

    def _build_choices(self) -> None:
        self.previous_button = _step_button("‹", "Previous quarter", "Alt+Left")
        self.previous_button.clicked.connect(lambda: self.step_quarter(-1))
        self.next_button = _step_button("›", "Next quarter", "Alt+Right")
        self.next_button.clicked.connect(lambda: self.step_quarter(1))
        self.period_label = QLabel()
        self.period_label.setAccessibleName("Period shown")
        bold = self.period_label.font()
        bold.setBold(True)
        self.period_label.setFont(bold)
        self.mode = QComboBox()
        self.mode.setAccessibleName("Period")
        self.mode.addItems(["Quarter", "Chosen dates"])
        self.mode.currentIndexChanged.connect(self._mode_chosen)
        self.date_from = _date_edit("Period from", qdate(self.period.first))
        self.date_to = _date_edit("Period to", qdate(self.period.last))
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._dates_chosen)
        self.custom_dates = together("&From:", self.date_from, "&To:", self.date_to)
        self.custom_dates.setVisible(False)
        self.team = _combo("Team", [(f"{ALL} teams", None)], 18)
        kinds = [(f"{ALL} kinds", None), *((k.short_label, k) for k in Kind)]
        self.kind = _combo("Kind", kinds, 14)
        self.framework = _combo("Framework version", [(f"{ALL} framework versions", None)], 18)
        self.supervision = QCheckBox("S&upervision only")
        self.supervision.setToolTip(
            "The same figures for observations of supervision alone: management oversight"
        )
        for combo in (self.team, self.kind, self.framework):
            combo.currentIndexChanged.connect(self._pause.start)
        self.supervision.toggled.connect(self._pause.start)
        quarter = QWidget()
        row = QHBoxLayout(quarter)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(ROW_SPACING)
        for widget in (self.previous_button, self.period_label, self.next_button):
            row.addWidget(widget)
        self.choices = wrapping_row(
            quarter,
            together("Pe&riod:", self.mode),
            self.custom_dates,
            together("T&eam:", self.team),
            together("&Kind:", self.kind),
            together("Fra&mework:", self.framework),
        )

    def _standards_tab(self) -> QWidget:
        self.version = _combo("Framework version charted", [])
        self.version.currentIndexChanged.connect(self._version_chosen)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a standard")
        self.search.setAccessibleName("Find a standard")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.standards_proxy.set_text(text))
        self.versions_note = QLabel()
        self.versions_note.setWordWrap(True)
        self.versions_note.setAccessibleName("About the framework versions")
        self.chart = SpreadChart()
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.chart)
        self._make_standards_table(())
        self.split.setChildrenCollapsible(False)
        self.split.setSizes([400, 200])
        split = self.split
        tab = QWidget()
        layout = QVBoxLayout(tab)
        top = QHBoxLayout()
        top.setSpacing(ROW_SPACING)
        top.addWidget(together("Framework &version:", self.version))
        top.addWidget(self.versions_note, 1)
        top.addWidget(self.search)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        return tab

    def _make_standards_table(self, levels: tuple[str, ...]) -> None:
        """The table of a framework version's standards, its columns the version's levels."""
        self.standards_model = StandardsModel(levels, self)
        self.standards_proxy = RecordFilterProxy(self.standards_model, self)
        self.standards_proxy.set_text(self.search.text())
        table = RecordTable(self.standards_model, self.standards_proxy, "Ratings per standard")
        table.set_empty_texts(NO_RATINGS, "No standard matches what you typed.")
        table.sort_by(0, Qt.SortOrder.AscendingOrder)
        if self.split.count() > 1:
            old = self.standards_table
            self.split.replaceWidget(1, table)
            old.deleteLater()
        else:
            self.split.addWidget(table)
        self.standards_table = table

    def _coverage_tab(self) -> QWidget:
        self.coverage_note = QLabel()
        self.coverage_note.setWordWrap(True)
        self.coverage_note.setAccessibleName("About coverage")
        self.coverage_model = CoverageModel(self)
        self.coverage_table = RecordTable(
            self.coverage_model, RecordFilterProxy(self.coverage_model, self), "Coverage by team"
        )
        self.coverage_table.set_empty_texts(NO_WORKERS, NO_WORKERS)
        self.coverage_table.sort_by(0, Qt.SortOrder.AscendingOrder)
        return _tab(self.coverage_note, self.coverage_table)

    def _areas_tab(self) -> QWidget:
        self.areas_note = QLabel()
        self.areas_note.setWordWrap(True)
        self.areas_note.setAccessibleName("About development areas")
        self.areas_model = AreasModel(self)
        self.areas_proxy = RecordFilterProxy(self.areas_model, self)
        self.areas_table = RecordTable(self.areas_model, self.areas_proxy, "Development areas")
        self.areas_table.set_empty_texts(NO_AREAS, NO_AREAS)
        self.areas_table.sort_by(BELOW_GOOD_COLUMN, Qt.SortOrder.DescendingOrder)
        self.areas_table.view.selectionModel().selectionChanged.connect(self._area_chosen)
        self.evidence_label = QLabel()
        self.evidence_label.setWordWrap(True)
        self.evidence_label.setAccessibleName("Evidence shown")
        self.evidence_model = EvidenceModel(self)
        self.evidence_proxy = RecordFilterProxy(self.evidence_model, self)
        self.evidence_table = RecordTable(
            self.evidence_model, self.evidence_proxy, "Observations rated below Good"
        )
        self.evidence_table.set_empty_texts("Choose a development area above.", "")
        self.evidence_table.open_requested.connect(self._open_evidence)
        self.evidence_table.sort_by(0, Qt.SortOrder.DescendingOrder)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.areas_note)
        layout.addWidget(self.areas_table, 2)
        layout.addWidget(self.evidence_label)
        layout.addWidget(self.evidence_table, 3)
        return tab

    def _actions_tab(self) -> QWidget:
        self.actions_note = QLabel()
        self.actions_note.setWordWrap(True)
        self.actions_note.setAccessibleName("About actions")
        self.themes_model = ActionCountsModel("Theme", self)
        self.themes_table = RecordTable(
            self.themes_model, RecordFilterProxy(self.themes_model, self), "Actions by theme"
        )
        self.themes_table.sort_by(0, Qt.SortOrder.AscendingOrder)
        self.by_standard_model = ActionCountsModel("Standard", self)
        self.by_standard_table = RecordTable(
            self.by_standard_model,
            RecordFilterProxy(self.by_standard_model, self),
            "Actions by standard",
        )
        self.by_standard_table.sort_by(1, Qt.SortOrder.DescendingOrder)
        self.by_standard_table.set_empty_texts(
            "No action agreed in this period is linked to a standard.", ""
        )
        return _tab(self.actions_note, self.themes_table, self.by_standard_table)

    def _voice_tab(self) -> QWidget:
        self.voice = QLabel()
        self.voice.setWordWrap(True)
        self.voice.setAccessibleName("The child's voice")
        self.voice.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.voice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.voice.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.voice.setFont(font)
        self.voice.setMaximumWidth(self.voice.fontMetrics().averageCharWidth() * 90)
        tab = _tab(self.voice)
        tab.layout().addStretch(1)  # type: ignore[union-attr]
        return tab

    def add_board_report(self, tab: BoardReportTab) -> None:
        """The Board report's tab: its commentary follows the period and team shown."""
        self.board_report = tab
        self.tabs.addTab(tab, "&Board report")

        def follow() -> None:
            team = self.team.currentData()
            tab.follow(self.query(), self.team.currentText() if team is not None else None)

        self.loaded.connect(follow)

    # What the main window asks of a panel

    @property
    def loading(self) -> bool:
        return self._loader.busy

    def query(self) -> ServiceFilter:
        return ServiceFilter(
            self.period,
            team_id=self.team.currentData(),
            kind=self.kind.currentData(),
            framework_id=self.framework.currentData(),
            supervision=self.supervision.isChecked(),
        )

    def reload(self) -> None:
        """Reads the figures again for what is chosen, off the GUI thread."""
        self.freshness.note_reloaded()
        self._pause.stop()
        query, today, view, themes = self.query(), self._today(), self._view, self._themes()

        def load() -> Loaded:
            return Loaded(view.figures(query, today, themes), view.choices())

        self.summary.setText("Loading…")
        self._loader.request(load)

    def show_period(self, period: Period) -> None:
        """Shows `period`: as a quarter when it is one, else as chosen dates."""
        self.period = period
        self.mode.blockSignals(True)
        self.mode.setCurrentIndex(QUARTER if is_quarter(period) else CHOSEN)
        self.mode.blockSignals(False)
        self._show_period()
        self._pause.start()

    def step_quarter(self, quarters: int) -> None:
        self.show_period(shift_quarter(self.period, quarters))

    # Internals

    def _show_period(self) -> None:
        quarter = self.mode.currentIndex() == QUARTER
        self.period_label.setText(period_name(self.period))
        self.custom_dates.setVisible(not quarter)
        self.previous_button.setEnabled(quarter)
        self.next_button.setEnabled(quarter)
        for edit, day in ((self.date_from, self.period.first), (self.date_to, self.period.last)):
            edit.blockSignals(True)
            edit.setDate(qdate(day))
            edit.blockSignals(False)

    def _mode_chosen(self, index: int) -> None:
        if index == QUARTER:
            self.period = quarter_of(self.period.first)
        self._show_period()
        self._pause.start()

    def _dates_chosen(self, *_: object) -> None:
        try:
            self.period = Period(day_of(self.date_from), day_of(self.date_to))
        except InvalidInput as error:
            self.summary.setText(str(error))
            return
        self.period_label.setText(period_name(self.period))
        self._pause.start()

    def _show(self, result: object) -> None:
        assert isinstance(result, Loaded)
        figures = self.figures = result.figures
        self._refresh_choices(result.choices)
        query = figures.query
        restricted = " Supervision only." if query.supervision else ""
        self.summary.setText(
            f"{period_name(query.period)}, compared with {period_name(query.previous)}."
            f"{restricted} {COUNTED_HERE} {TOO_FEW_RULE}"
        )
        self._show_standards(figures)
        self._show_coverage(figures)
        self._show_areas(figures)
        self._show_actions(figures)
        self.voice.setText(voice_text(figures.child_voice))
        self.loaded.emit()

    def _refused(self, sentence: str) -> None:
        self.summary.setText(sentence)
        self.loaded.emit()

    def _refresh_choices(self, choices: ServiceChoices) -> None:
        _refill(self.team, [(name, tid) for name, tid in choices.teams])
        _refill(self.framework, [(f.name, f.id) for f in choices.frameworks])

    def _show_standards(self, figures: ServiceFigures) -> None:
        versions: dict[uuid.UUID, tuple[str, int]] = {}
        for f in figures.standards:
            name, rated = versions.get(f.framework_id, (f.framework_name, 0))
            versions[f.framework_id] = (name, rated + f.rated)
        ordered = sorted(versions.items(), key=lambda item: -item[1][1])
        chosen = self.version.currentData()
        _refill(
            self.version,
            [(f"{name} ({count(rated, 'rating')})", fid) for fid, (name, rated) in ordered],
        )
        if chosen is None or chosen not in versions:
            self.version.setCurrentIndex(0)
        self.versions_note.setText(
            f"{count(len(versions), 'framework version')} rated: each has its own chart and "
            "table, never merged (their standards and scales differ)."
        )
        self.versions_note.setVisible(len(versions) > 1)
        self._version_chosen()

    def _version_chosen(self, *_: object) -> None:
        figures = self.figures
        if figures is None:
            return
        chosen = self.version.currentData()
        shown = tuple(f for f in figures.standards if f.framework_id == chosen)
        levels = tuple(level.label for level in shown[0].levels) if shown else ()
        if tuple(c.header for c in self.standards_model.columns[2 : 2 + len(levels)]) != levels:
            self._make_standards_table(levels)
        self.standards_model.set_records(shown)
        self.standards_table.fit_columns()
        title = shown[0].framework_name if shown else "No ratings"
        self.chart.show_standards(title, shown)
        # The chart as tall as its bars need to be labelled, the table below it the rest.
        room = sum(self.split.sizes())
        chart = min(self.chart.height_for(len(shown)), max(room - TABLE_AT_LEAST, 0))
        if room > 0:
            self.split.setSizes([chart, room - chart])

    def _show_coverage(self, figures: ServiceFigures) -> None:
        rows = figures.coverage
        workers = sum(t.workers for t in rows)
        observed = sum(t.observed for t in rows)
        overdue = sum(len(t.overdue) for t in rows)
        months = "a month" if figures.interval_months == 1 else f"{figures.interval_months} months"
        share = percent(observed / workers) if workers else "–"
        self.coverage_note.setText(
            f"{observed} of {count(workers, 'worker')} ({share}) observed in the period; "
            f"{overdue} overdue for an observation (none for {months}, any kind). Observed "
            "means any observation of the kinds chosen, a draft included, as in the Team "
            "section."
        )
        self.coverage_model.set_records(rows)
        self.coverage_table.fit_columns()

    def _show_areas(self, figures: ServiceFigures) -> None:
        areas = figures.development_areas
        self.areas_note.setText(
            f"The {count(len(areas), 'standard')} rated below Good most often in the period "
            "across the service. Choose one to see the latest observations that rated it so; "
            "double-click an observation to open it."
            if areas
            else ""
        )
        self.areas_model.set_records(areas)
        self.areas_table.fit_columns()
        if areas:
            self.areas_table.view.selectRow(0)
        self._area_chosen()

    def _area_chosen(self, *_: object) -> None:
        rows = self.areas_table.view.selectionModel().selectedRows()
        area = self.areas_proxy.record(rows[0].row()) if rows else None
        if area is None:
            self.evidence_label.setText("")
            self.evidence_model.set_records([])
            return
        self.evidence_label.setText(
            f"{area.standard.code} · {area.standard.title} ({area.standard.framework_name}): "
            f"{area.sentence()} The latest {count(len(area.evidence), 'of them', 'of them')}:"
        )
        self.evidence_model.set_records(area.evidence)
        self.evidence_table.fit_columns()

    def _show_actions(self, figures: ServiceFigures) -> None:
        actions = figures.actions
        total = sum(c.total for c in actions.themes)
        self.actions_note.setText(
            f"{count(total, 'action')} agreed in the observations counted. An action belongs "
            "to the improvement themes of the standards it is linked to; one linked to no "
            "standard is counted on its own line. Overdue: open and due before today."
        )
        self.themes_model.set_records(actions.themes)
        self.themes_table.fit_columns()
        self.by_standard_model.set_records(actions.standards)
        self.by_standard_table.fit_columns()

    def _open_evidence(self) -> None:
        rows = self.evidence_table.view.selectionModel().selectedRows()
        if rows:
            self.open_requested.emit(self.evidence_proxy.record(rows[0].row()).observation_id)

    def shown_standards(self) -> list[StandardFigures]:
        return [self.standards_proxy.record(row) for row in range(self.standards_proxy.rowCount())]


def voice_text(voice: ChildVoice | None) -> str:
    """What the Board reads of the child's voice, small numbers said as such."""
    if voice is None:
        return (
            "The child's voice is recorded in direct work with a child or family; "
            "supervision is not such work, so it is not counted here."
        )
    if not voice.direct_work:
        return "No observation of direct work with a child or family in this period."
    text = (
        f"{percent(voice.voice_share)} of the observations of direct work with a child or "
        f"family ({voice.with_voice} of {voice.direct_work}) say something in the child's "
        "voice section."
    )
    if voice.with_voice:
        text += (
            f" Of those, {percent(voice.feedback_share)} ({voice.with_feedback} of "
            f"{voice.with_voice}) also record feedback from the child or family."
        )
    if voice.direct_work < MIN_TO_COMPARE:
        text += f" Fewer than {MIN_TO_COMPARE} observations: too few for these shares to mean much."
    return text + (
        "\n\nDirect work here: direct work with a child, home visits and meetings with "
        "parents or carers, counted when ready for sign-off or signed."
    )


def _tab(*widgets: QWidget) -> QWidget:
    tab = QWidget()
    layout = QVBoxLayout(tab)
    for number, widget in enumerate(widgets):
        layout.addWidget(widget, 0 if isinstance(widget, QLabel) else 1 + number)
    return tab


def _combo(name: str, items: list[tuple[str, object]], chars: int = 0) -> QComboBox:
    """A choice; `chars` wide (its longest items elided), else as wide as its items."""
    combo = QComboBox()
    combo.setAccessibleName(name)
    if chars:
        combo.setMinimumContentsLength(chars)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    else:
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    for text, value in items:
        combo.addItem(text, value)
    return combo


def _refill(combo: QComboBox, items: list[tuple[str, object]]) -> None:
    """Offers `items` after the combo's first ("All ...") item, when it has one; keeps the
    choice when it is still offered."""
    keep_first = (
        combo.count() > 0 and combo.itemData(0) is None and combo.itemText(0).startswith(ALL)
    )
    start = 1 if keep_first else 0
    offered = [(combo.itemText(i), combo.itemData(i)) for i in range(start, combo.count())]
    if offered == items:
        return
    chosen = combo.currentData()
    combo.blockSignals(True)
    while combo.count() > start:
        combo.removeItem(start)
    for text, value in items:
        combo.addItem(text, value)
    found = next((i for i in range(combo.count()) if combo.itemData(i) == chosen), 0)
    combo.setCurrentIndex(found)
    combo.blockSignals(False)


def _step_button(text: str, name: str, keys: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(f"{name} ({keys})")
    button.setShortcut(QKeySequence(keys))
    button.setFixedWidth(button.fontMetrics().averageCharWidth() * 5)
    return button


def _date_edit(name: str, initial: QDate) -> QDateEdit:
    edit = QDateEdit(initial)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setAccessibleName(name)
    return edit
