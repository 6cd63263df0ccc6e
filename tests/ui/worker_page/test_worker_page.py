"""The worker page as a manager reads it before supervision: actions, recurring development
areas, the ASYE year, trends per framework version, the timeline and its filters."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCharts import QCategoryAxis, QLineSeries
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView, QTextBrowser, QWidget
from pytestqt.qtbot import QtBot

from observer.review.worker_history import WorkerHistories, worker_history
from observer.services import Services
from observer.vocabulary import ActionStatus, Kind, Status
from tests.support.core import Staff, force_status
from tests.support.pdf import flat, pdf_text
from tests.support.prompts import FakePrompts
from tests.support.qt import column_texts
from tests.support.review import Recorder, framework_id, second_version, start_asye
from ui import latest_result
from ui.main_window import MainWindow
from ui.models.history_actions import DONE_COLUMN, STATUS_COLUMN
from ui.worker_page import WorkerPage

TODAY = date(2025, 6, 1)
RI = "requires_improvement"
LEVELS_WORST_FIRST = ["Inadequate", "Requires improvement to be good", "Good", "Outstanding"]


@pytest.fixture
def page(qtbot: QtBot, services: Services, prompts: FakePrompts) -> WorkerPage:
    worker_page = WorkerPage(services, prompts, today=lambda: TODAY, pause_ms=0)
    qtbot.addWidget(worker_page)
    worker_page.resize(1300, 800)
    worker_page.show()
    return worker_page


def open_worker(qtbot: QtBot, page: WorkerPage, person: uuid.UUID) -> None:
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_worker(person)


def filtered(qtbot: QtBot, page: WorkerPage, change) -> None:
    with qtbot.waitSignal(page.loaded, timeout=5000):
        change()


def show_tab(page: WorkerPage, part: QWidget) -> None:
    """Chooses the tab holding `part`, as a user clicks it (a tab is filled when seen)."""
    page.tabs.setCurrentWidget(part.parentWidget())


def timeline_dates(page: WorkerPage) -> list[str]:
    return column_texts(page.timeline.view, "Date")


# Actions


@pytest.fixture
def actions(services: Services, record: Recorder) -> dict[str, uuid.UUID]:
    visit = record.observation(date(2025, 1, 10))
    made = {
        "later": record.action(visit, "Use the three houses tool", date(2025, 7, 1)),
        "undated": record.action(visit, "Read the chronology"),
        "overdue": record.action(visit, "Share the plan with the family", date(2025, 5, 1)),
        "done": record.action(visit, "Book the genogram training", date(2025, 2, 1)),
    }
    services.actions.complete_action(made["done"], "Morag Campbell")
    return made


def test_open_actions_are_listed_overdue_first_and_overdue_is_said_in_words(
    qtbot: QtBot, page: WorkerPage, staff: Staff, actions
) -> None:
    open_worker(qtbot, page, staff.worker)

    show_tab(page, page.actions_view)
    view = page.actions_view.table.view
    assert column_texts(view, "Action") == [
        "Share the plan with the family",
        "Use the three houses tool",
        "Read the chronology",
    ]
    assert column_texts(view, "Status") == ["Overdue by 31 days", "Open", "Open"]
    assert column_texts(view, "Due") == ["01/05/2025", "01/07/2025", "No date"]
    overdue = view.model().index(0, STATUS_COLUMN)
    assert overdue.data(Qt.ItemDataRole.FontRole).bold()
    assert overdue.data(Qt.ItemDataRole.DecorationRole) is not None  # a sign, not colour alone
    assert view.model().index(1, STATUS_COLUMN).data(Qt.ItemDataRole.DecorationRole) is None
    assert page.tabs.tabText(1) == "Actions (3 open, 1 overdue)"
    assert "3 open actions, 1 overdue." in page.glance.actions_card.text()

    page.actions_view.show_done.setChecked(True)

    done_row = column_texts(view, "Action").index("Book the genogram training")
    assert column_texts(view, "Status")[done_row] == "Done"
    assert column_texts(view, "Done by")[done_row].startswith("Morag Campbell, ")


def test_ticking_an_overdue_action_marks_it_done_by_this_user_now_in_one_step(
    qtbot: QtBot, services: Services, page: WorkerPage, staff: Staff, actions
) -> None:
    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.actions_view)
    view = page.actions_view.table.view
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, DONE_COLUMN))
    before = datetime.now(UTC)

    with qtbot.waitSignal(page.loaded, timeout=5000):
        QTest.keyClick(view, Qt.Key.Key_Space)

    assert "Share the plan with the family" not in column_texts(view, "Action")
    assert page.tabs.tabText(1) == "Actions (2 open)"
    assert page.actions_view.outcome.text().startswith("Marked done by Aled Hughes on ")
    done = next(
        a
        for a in worker_history(services.db, staff.worker, today=TODAY).actions
        if a.id == actions["overdue"]
    )
    assert (done.status, done.done_by) == (ActionStatus.DONE, "Aled Hughes")
    assert done.done_at is not None
    assert before - timedelta(seconds=1) <= done.done_at <= datetime.now(UTC)


def test_unticking_a_done_action_reopens_it(
    qtbot: QtBot, services: Services, page: WorkerPage, staff: Staff, actions
) -> None:
    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.actions_view)
    page.actions_view.show_done.setChecked(True)
    view: QTableView = page.actions_view.table.view
    row = column_texts(view, "Action").index("Book the genogram training")

    with qtbot.waitSignal(page.loaded, timeout=5000):
        view.model().setData(
            view.model().index(row, DONE_COLUMN),
            Qt.CheckState.Unchecked,
            Qt.ItemDataRole.CheckStateRole,
        )

    assert page.tabs.tabText(1) == "Actions (4 open, 2 overdue)"
    page.actions_view.show_done.setChecked(False)
    assert "Book the genogram training" in column_texts(view, "Action")


def test_without_actions_the_tab_says_what_will_appear(
    qtbot: QtBot, page: WorkerPage, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 1, 10))

    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.actions_view)

    assert not page.actions_view.table.is_showing_records()
    assert "No actions have been agreed with this worker yet" in page.actions_view.table.message()


# Recurring development areas


def test_recurring_areas_show_their_sentence_and_the_evidence_behind_them(
    qtbot: QtBot, page: WorkerPage, staff: Staff, record: Recorder
) -> None:
    first = record.observation(
        date(2025, 1, 14),
        {"1": (RI, "Did not ask why the family had been referred."), "2": "good"},
    )
    record.observation(
        date(2025, 2, 18),
        {"1": ("inadequate", "Accepted the threshold without question."), "2": (RI, "Once.")},
    )
    record.observation(date(2025, 3, 20), {"1": "good", "2": "not_observed"})

    open_worker(qtbot, page, staff.worker)

    assert page.tabs.tabText(0) == "Development areas (1)"
    assert len(page.areas.areas) == 1
    lines = [line.strip() for line in page.areas.text().splitlines() if line.strip()]
    assert lines == [
        "1 · Thresholds and the response to need",
        "Below Good in 2 of the latest 3 observations that rated it. (Direct work, version 1)",
        "Inadequate · Home visit, 18/02/2025 · Open the observation",
        "Accepted the threshold without question.",
        "Requires improvement to be good · Home visit, 14/01/2025 · Open the observation",
        "Did not ask why the family had been referred.",
    ]
    with qtbot.waitSignal(page.open_requested) as opened:
        click_link(qtbot, page.areas.document, "Open the observation", occurrence=2)
    assert opened.args == [first]


def click_link(qtbot: QtBot, browser: QTextBrowser, text: str, occurrence: int = 1) -> None:
    """Clicks the `occurrence`th link reading `text`, as a user would."""
    cursor = QTextCursor(browser.document())
    for _ in range(occurrence):
        cursor = browser.document().find(text, cursor)
        assert not cursor.isNull()
    cursor.setPosition(cursor.selectionStart() + 2)
    browser.ensureCursorVisible()
    where = browser.cursorRect(cursor).center()
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=where)


def test_no_recurring_area_says_why_the_list_is_empty(
    qtbot: QtBot, page: WorkerPage, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 1, 14), {"1": RI})
    record.observation(date(2025, 2, 18), {"1": "good"})

    open_worker(qtbot, page, staff.worker)

    assert page.areas.areas == ()
    assert page.areas.message().startswith("No development area keeps coming back")


# The ASYE year


def test_the_asye_tracker_counts_finished_direct_observations_in_the_year(
    qtbot: QtBot, services: Services, page: WorkerPage, staff: Staff, record: Recorder
) -> None:
    start_asye(services, staff.asye, date(2025, 1, 6))
    for day, kind, status in (
        (date(2025, 2, 10), Kind.DIRECT_WORK, Status.READY),
        (date(2025, 3, 1), Kind.SUPERVISION_INDIVIDUAL, Status.READY),  # not direct practice
        (date(2025, 4, 1), Kind.HOME_VISIT, Status.SIGNED),
        (date(2025, 5, 1), Kind.HOME_VISIT, Status.DRAFT),  # still being written up
    ):
        record.observation(day, person=staff.asye, kind=kind, status=status)

    open_worker(qtbot, page, staff.asye)

    card = page.glance.asye
    assert card.isVisible()
    assert card.text().splitlines()[0] == (
        "2 of 3 direct observations done (1 more being written up); 7 months left."
    )
    assert (card.progress.value(), card.progress.maximum()) == (2, 3)
    assert card.progress.text() == "2 of 3 done"


def test_the_asye_tracker_is_shown_for_newly_qualified_workers_only(
    qtbot: QtBot, page: WorkerPage, staff: Staff
) -> None:
    open_worker(qtbot, page, staff.worker)

    assert not page.glance.asye.isVisible()


# Trends


def series_codes(page: WorkerPage) -> list[str]:
    return [series.name().split(" · ")[0] for series in page.chart.series()]


def standards_offered(page: WorkerPage) -> list[str]:
    combo = page.chart.standard
    return [combo.itemData(i) for i in range(combo.count())]


def test_the_chart_shows_one_framework_version_with_its_own_scale_and_standards(
    qtbot: QtBot, services: Services, page: WorkerPage, staff: Staff, record: Recorder
) -> None:
    first = framework_id(services, "direct-work-practice")
    revised = second_version(services)
    record.observation(date(2025, 1, 10), {"1": "good", "2": RI}, framework_id=first)
    record.observation(
        date(2025, 2, 10), {"1": RI, "2": "good", "5": "outstanding"}, framework_id=first
    )
    record.observation(date(2025, 3, 10), {"1": RI, "3": "good"}, framework_id=revised)
    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.chart)

    chart = page.chart
    assert chart.framework.count() == 2
    assert "version 2" in chart.chart.title()
    assert standards_offered(page) == ["1", "3"]
    assert series_codes(page) == ["1"]  # one standard at a time
    (scale,) = [a for a in chart.chart.axes() if isinstance(a, QCategoryAxis)]
    assert scale.categoriesLabels() == LEVELS_WORST_FIRST  # best at the top

    chart.framework.setCurrentIndex(1)

    assert "version 1" in chart.chart.title()
    assert standards_offered(page) == ["1", "2", "5"]
    assert chart.standard.itemText(0).endswith("(2 ratings)")
    assert series_codes(page) == ["1"]
    assert [s.count() for s in chart.series()] == [2]
    assert all(isinstance(s, QLineSeries) and s.pointsVisible() for s in chart.series())
    (scale,) = [a for a in chart.chart.axes() if isinstance(a, QCategoryAxis)]
    assert scale.categoriesLabels() == LEVELS_WORST_FIRST
    assert "versions" in chart.note.text()
    assert chart.note.isVisible()


def test_choosing_a_standard_charts_it_alone(
    qtbot: QtBot, page: WorkerPage, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 1, 10), {"1": "good", "2": RI})
    record.observation(date(2025, 2, 10), {"1": RI, "2": "good"})
    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.chart)

    assert series_codes(page) == ["1"]
    page.chart.standard.setCurrentIndex(page.chart.standard.findData("2"))

    assert series_codes(page) == ["2"]
    assert [p.y() for p in page.chart.series()[0].points()] == [2.0, 3.0]
    assert page.chart.chart.title().endswith(page.chart.series()[0].name())
    assert not page.chart.chart.legend().isVisible()  # the title names the one standard
    assert not page.chart.framework.isEnabled()  # one version: nothing to choose


def test_without_finished_ratings_the_chart_says_what_will_appear(
    qtbot: QtBot, page: WorkerPage, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 1, 10), {"1": "good"}, status=Status.DRAFT)

    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.chart)

    assert page.chart.stack.currentWidget() is page.chart.empty
    assert "ready for sign-off or signed" in page.chart.empty.text()


# Timeline and filters


@pytest.fixture
def three(services: Services, staff: Staff, record: Recorder) -> list[uuid.UUID]:
    return [
        record.observation(date(2025, 1, 10), kind=Kind.HOME_VISIT, overall="good"),
        record.observation(date(2025, 3, 10), kind=Kind.DIRECT_WORK, observer=staff.manager),
        record.observation(date(2025, 5, 10), kind=Kind.SUPERVISION_INDIVIDUAL),
    ]


def test_the_timeline_lists_each_observation_newest_first(
    qtbot: QtBot, page: WorkerPage, staff: Staff, three
) -> None:
    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.timeline)

    view = page.timeline.view
    assert timeline_dates(page) == ["10/05/2025", "10/03/2025", "10/01/2025"]
    assert column_texts(view, "Kind") == [
        "One-to-one supervision",
        "Direct work with a child",
        "Home visit",
    ]
    assert column_texts(view, "Observer") == ["Aled Hughes", "Morag Campbell", "Aled Hughes"]
    assert column_texts(view, "Overall judgement")[2] == "Good"
    assert column_texts(view, "Status") == ["Ready for sign-off"] * 3
    assert column_texts(view, "Framework")[2] == "Direct work, version 1"
    assert page.tabs.tabText(3) == "Timeline (3)"
    assert "Home visit 1" in page.glance.observations.text()


def test_filters_narrow_the_timeline(qtbot: QtBot, page: WorkerPage, staff: Staff, three) -> None:
    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.timeline)
    bar = page.filters

    filtered(qtbot, page, lambda: bar.kind.setCurrentIndex(bar.kind.findText("Home visit")))
    assert timeline_dates(page) == ["10/01/2025"]
    filtered(qtbot, page, lambda: bar.kind.setCurrentIndex(bar.kind.findText("Supervision")))
    assert timeline_dates(page) == ["10/05/2025"]

    filtered(qtbot, page, bar.clear)
    filtered(
        qtbot, page, lambda: bar.observer.setCurrentIndex(bar.observer.findText("Morag Campbell"))
    )
    assert timeline_dates(page) == ["10/03/2025"]

    filtered(qtbot, page, bar.clear)
    bar.date_from.setDate(date(2025, 2, 1))
    filtered(qtbot, page, lambda: bar.use_date_from.setChecked(True))
    assert timeline_dates(page) == ["10/05/2025", "10/03/2025"]
    bar.date_to.setDate(date(2025, 4, 1))
    filtered(qtbot, page, lambda: bar.use_date_to.setChecked(True))
    assert timeline_dates(page) == ["10/03/2025"]

    filtered(qtbot, page, bar.clear)
    assert bar.framework.count() == 3  # any, and the two versions this worker was rated against
    filtered(
        qtbot,
        page,
        lambda: bar.framework.setCurrentIndex(bar.framework.findText("Direct work, version 1")),
    )
    assert timeline_dates(page) == ["10/03/2025", "10/01/2025"]
    assert page.tabs.tabText(3) == "Timeline (2)"


def test_a_filter_that_matches_nothing_says_how_to_see_everything(
    qtbot: QtBot, page: WorkerPage, staff: Staff, three
) -> None:
    open_worker(qtbot, page, staff.worker)
    bar = page.filters

    filtered(qtbot, page, lambda: bar.kind.setCurrentIndex(bar.kind.findText("Group supervision")))

    show_tab(page, page.timeline)
    assert page.timeline.message() == (
        "No observation of Siobhán Walker matches these filters. Choose Clear filters to see all."
    )
    show_tab(page, page.areas)
    assert page.areas.message() == page.timeline.message()


def test_a_worker_never_observed_is_told_how_to_start(
    qtbot: QtBot, page: WorkerPage, staff: Staff
) -> None:
    open_worker(qtbot, page, staff.worker)

    assert page.name.text() == "Siobhán Walker"
    assert "Social worker · Children in Care" in page.profile.text()
    assert "New observation… (Ctrl+N)" in page.areas.message()
    show_tab(page, page.timeline)
    assert "has not been observed yet" in page.timeline.message()


def test_double_click_on_the_timeline_opens_the_record(
    qtbot: QtBot, page: WorkerPage, staff: Staff, three
) -> None:
    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.timeline)
    view = page.timeline.view
    where = view.visualRect(view.model().index(1, 0)).center()

    with qtbot.waitSignal(page.open_requested) as opened:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)

    assert opened.args == [three[1]]


def test_an_older_load_finishing_late_never_replaces_a_newer_one(
    qtbot: QtBot, page: WorkerPage, staff: Staff, three, monkeypatch
) -> None:
    gate = threading.Event()
    real = WorkerHistories.of

    def slow_when_unfiltered(histories, person, filters, today):
        if filters.is_empty:
            gate.wait(10)
        return real(histories, person, filters, today)

    monkeypatch.setattr(WorkerHistories, "of", slow_when_unfiltered)
    arrived: list[int] = []
    arrive = latest_result.LatestResult._arrived

    def counted(owner, load) -> None:
        arrived.append(load.number)
        arrive(owner, load)

    monkeypatch.setattr(latest_result.LatestResult, "_arrived", counted)
    page.show_worker(staff.worker)  # its load waits at the gate
    show_tab(page, page.timeline)
    bar = page.filters
    filtered(qtbot, page, lambda: bar.kind.setCurrentIndex(bar.kind.findText("Home visit")))
    assert timeline_dates(page) == ["10/01/2025"]

    gate.set()
    qtbot.waitUntil(lambda: len(arrived) == 2)

    assert timeline_dates(page) == ["10/01/2025"]
    assert page.history is not None
    assert page.history.filters.kinds == (Kind.HOME_VISIT,)


# The history PDF


def test_history_pdf_saves_a_signed_pdf_of_what_the_page_is_narrowed_to(
    qtbot: QtBot, page: WorkerPage, prompts: FakePrompts, staff: Staff, three, tmp_path: Path
) -> None:
    open_worker(qtbot, page, staff.worker)
    bar = page.filters
    filtered(qtbot, page, lambda: bar.kind.setCurrentIndex(bar.kind.findText("Home visit")))
    target = tmp_path / "history.pdf"
    prompts.paths.append(target)
    page.pdf_unsigned.click()  # the home visit is only ready for sign-off

    with qtbot.waitSignal(page.pdf_done, timeout=60000):
        page.pdf_button.click()

    assert target.read_bytes().startswith(b"%PDF")
    kind, message = prompts.shown[-1]
    assert kind == "information"
    assert "signed history of 1 observation" in message
    text = flat(pdf_text(target.read_bytes(), tmp_path))
    assert "Ready for sign-off — not signed" in text


def test_history_pdf_holds_signed_records_only_unless_asked_and_briefly_unless_asked(
    qtbot: QtBot, page: WorkerPage, prompts: FakePrompts, staff: Staff, three, tmp_path: Path,
    services: Services,
) -> None:  # fmt: skip
    force_status(services.db, three[0], Status.SIGNED)
    open_worker(qtbot, page, staff.worker)
    assert not page.pdf_unsigned.isChecked()
    assert not page.pdf_full.isChecked()
    brief, full = tmp_path / "brief.pdf", tmp_path / "full.pdf"
    prompts.paths.append(brief)
    with qtbot.waitSignal(page.pdf_done, timeout=60000):
        page.pdf_button.click()
    prompts.paths.append(full)
    page.pdf_full.click()
    with qtbot.waitSignal(page.pdf_done, timeout=60000):
        page.pdf_button.click()

    text = flat(pdf_text(brief.read_bytes(), tmp_path))
    assert "Records included Signed observations only" in text
    saved = [message for kind, message in prompts.shown if kind == "information"]
    assert "signed history of 1 observation" in saved[0]
    assert "not signed" not in text
    assert "Practice observation summary" not in text  # in brief
    assert "Practice observation summary" in flat(pdf_text(full.read_bytes(), tmp_path))


# In the main window


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompts: FakePrompts, staff: Staff) -> MainWindow:
    main_window = MainWindow(services, prompts)
    qtbot.addWidget(main_window)
    with qtbot.waitSignal(main_window.first_data_loaded, timeout=5000):
        main_window.show()
        main_window.load_data()
    return main_window


def test_double_click_on_a_worker_opens_their_page_and_back_returns(
    qtbot: QtBot, window: MainWindow, staff: Staff
) -> None:
    window.show_section(0)
    view = window.workers_panel.table.view
    row = column_texts(view, "Name").index("Łukasz Nowak")
    where = view.visualRect(view.model().index(row, 0)).center()

    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)

    assert window.stack.currentWidget() is window.worker_page
    assert window.worker_page.name.text() == "Łukasz Nowak"
    assert window.worker_page.glance.asye.isVisible()
    assert window.worker_page.back_button.text() == "‹ &Back to Workers"
    window.worker_page.back_button.click()
    assert window.stack.currentWidget() is window.workers_panel


def test_a_tick_done_can_be_undone_for_a_few_seconds(
    qtbot: QtBot, services: Services, page: WorkerPage, staff: Staff, actions
) -> None:
    open_worker(qtbot, page, staff.worker)
    show_tab(page, page.actions_view)
    view = page.actions_view.table.view
    outcome = page.actions_view.outcome
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, DONE_COLUMN))
    with qtbot.waitSignal(page.loaded, timeout=5000):
        QTest.keyClick(view, Qt.Key.Key_Space)
    assert "Share the plan with the family" not in column_texts(view, "Action")
    assert outcome.undo_button.isVisible()

    with qtbot.waitSignal(page.loaded, timeout=5000):
        QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    # Reopened through the core, as this user, and the row is back.
    assert "Share the plan with the family" in column_texts(view, "Action")
    assert page.tabs.tabText(1) == "Actions (3 open, 1 overdue)"
    assert outcome.text() == "Reopened by Aled Hughes."
    assert not outcome.undo_button.isVisible()
    reopened = next(
        a
        for a in worker_history(services.db, staff.worker, today=TODAY).actions
        if a.id == actions["overdue"]
    )
    assert reopened.status is ActionStatus.OPEN

    # Ticked again, the offer lasts its few seconds, then Undo is gone.
    view.setCurrentIndex(view.model().index(0, DONE_COLUMN))
    with qtbot.waitSignal(page.loaded, timeout=5000):
        QTest.keyClick(view, Qt.Key.Key_Space)
    assert outcome.expiry.isActive()
    outcome.expiry.timeout.emit()  # the seconds, fired rather than waited for
    assert not outcome.undo_button.isVisible()
    assert outcome.text().startswith("Marked done by Aled Hughes on ")
