"""Searching from the main window: Ctrl+F, typing, ranked results with bold matches, opening."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from observer.errors import InvalidInput
from observer.records.recording import DraftDetails
from observer.search.service import SearchHit
from observer.services import Services
from observer.vocabulary import Kind, Status
from tests.support.qt import column_texts
from ui.main_window import MainWindow
from ui.models.search_results import MATCH_COLUMN, PAINT_ROLE, segments
from ui.panels.search import TYPE_SOMETHING, SearchPanel, _running
from ui.widgets.result_delegate import KEPT_LINES, ResultDelegate

CTRL = Qt.KeyboardModifier.ControlModifier
raises_windows = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints|raise)\(\)$"
)


def draft(services: Services, cast, focus: str, **fields: str) -> uuid.UUID:
    record = services.recording.create_draft(
        DraftDetails(
            observed_person_id=cast.worker,
            observer_id=cast.observer,
            kind=Kind.HOME_VISIT,
            observed_at=datetime(2025, 3, 14, 10, 30, tzinfo=UTC),
            focus=focus,
        )
    )
    if fields:
        services.recording.update(record, fields)
    return record


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompts) -> MainWindow:
    main_window = MainWindow(services, prompts)
    qtbot.addWidget(main_window)
    with qtbot.waitSignal(main_window.first_data_loaded, timeout=5000):
        main_window.show()
        main_window.load_data()
    qtbot.waitExposed(main_window)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    return main_window


def match_pieces(panel: SearchPanel, row: int) -> tuple[tuple[str, bool], ...]:
    """The snippet as drawn: its pieces, and whether each is a match (drawn bold)."""
    return panel.proxy.index(row, MATCH_COLUMN).data(PAINT_ROLE)


def test_ctrl_f_goes_to_the_search_box_from_any_section(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.search_panel
    panel.search.setText("earlier words")
    window.show_section(0)
    window.navigation.setFocus()

    QTest.keyClick(window.navigation, Qt.Key.Key_F, CTRL)

    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.search)
    assert window.stack.currentWidget() is panel
    assert panel.search.selectedText() == "earlier words"
    assert window.find_action.shortcut().toString() == "Ctrl+F"


def test_typing_shows_ranked_results_with_the_match_in_bold(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    once = draft(services, cast, "Reading the <chronology> & the plan before the visit.")
    twice = draft(
        services,
        cast,
        "The chronology, with the family.",
        strengths="Used the chronology to challenge the dates.",
    )
    draft(services, cast, "Nothing about it here.")
    window.search_observations()
    panel = window.search_panel
    assert panel.table.message() == TYPE_SOMETHING

    qtbot.keyClicks(panel.search, "chronology")

    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 2)
    assert [panel.proxy.record(row).hit.observation_id for row in (0, 1)] == [twice, once]
    assert column_texts(panel.table.view, "Rank") == ["1", "2"]
    assert column_texts(panel.table.view, "Worker") == ["Zoë Łukasiewicz"] * 2
    assert column_texts(panel.table.view, "Kind") == ["Home visit"] * 2
    assert ("chronology", True) in match_pieces(panel, 0)
    assert match_pieces(panel, 1) == (
        ("Reading the <", False),
        ("chronology", True),
        ("> & the plan before the visit.", False),
    )
    assert column_texts(panel.table.view, "Match")[1] == (
        "Reading the <chronology> & the plan before the visit."
    )
    assert panel.summary.text() == "2 observations found, best match first."
    panel.table.view.grab()  # the bold snippets are drawn without complaint


@raises_windows
def test_enter_on_a_result_opens_it_in_its_editor(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    record = draft(services, cast, "The genogram was drawn together.")
    window.search_observations()
    panel = window.search_panel
    qtbot.keyClicks(panel.search, "genogram")
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 1)

    QTest.keyClick(panel.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is panel.table.view
    QTest.keyClick(panel.table.view, Qt.Key.Key_Return)

    assert list(window.editors.windows) == [record]


def test_a_search_that_cannot_run_says_why_in_the_list(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    draft(services, cast, "Children in care review.")
    window.search_observations()
    panel = window.search_panel

    qtbot.keyClicks(panel.search, "ch*")

    qtbot.waitUntil(lambda: "at least 3 letters" in panel.table.message())
    assert panel.summary.text() == ""
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.table.message() == TYPE_SOMETHING)


def test_results_follow_an_edit_to_a_record(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    record = draft(services, cast, "The contact centre visit.")
    window.search_observations()
    panel = window.search_panel
    qtbot.keyClicks(panel.search, "contact")
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 1)

    services.recording.update(record, {"focus": "The school visit."})
    window.editors.changed.emit(record)

    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 0)
    assert "No observation has all of these words" in panel.table.message()


def _hit(observation_id: uuid.UUID, text: str) -> SearchHit:
    return SearchHit(
        observation_id=observation_id,
        score=1.0,
        snippet=text,
        highlights=((0, len(text)),),
        field="focus",
        field_label="Agreed focus",
        worker="Someone",
        observer="Someone else",
        observed_at=datetime(2025, 1, 1, tzinfo=UTC),
        kind=Kind.OTHER,
        status=Status.DRAFT,
    )


def test_an_older_search_finishing_late_never_replaces_a_newer_one(qtbot: QtBot) -> None:
    older_may_finish = threading.Event()

    def run(text: str) -> list[SearchHit]:
        if text == "older":
            older_may_finish.wait(5)
        return [_hit(uuid.uuid4(), text)]

    panel = SearchPanel(run, pause_ms=0)
    qtbot.addWidget(panel)
    panel.show()
    panel.search.setText("older")
    panel.search_now()
    panel.search.setText("newer")
    with qtbot.waitSignal(panel.searched, timeout=5000):
        panel.search_now()
    assert panel.proxy.record(0).hit.snippet == "newer"

    older_may_finish.set()
    qtbot.waitUntil(lambda: not _running)
    assert panel.proxy.rowCount() == 1
    assert panel.proxy.record(0).hit.snippet == "newer"


def test_the_search_runs_off_the_gui_thread(qtbot: QtBot) -> None:
    threads: list[threading.Thread] = []

    def run(text: str) -> list[SearchHit]:
        threads.append(threading.current_thread())
        raise InvalidInput("Not like that.")

    panel = SearchPanel(run, pause_ms=0)
    qtbot.addWidget(panel)
    panel.search.setText("anything")
    with qtbot.waitSignal(panel.searched, timeout=5000):
        panel.search_now()

    assert threads
    assert threads[0] is not threading.main_thread()
    assert panel.table.message() == "Not like that."


def test_user_text_is_shown_as_typed_and_only_matches_are_bold() -> None:
    hit = _hit(uuid.uuid4(), "<script>alert('x')</script> & more")
    snippet = hit.marked_snippet
    assert segments(snippet) == (("<script>alert('x')</script> & more", True),)
    plain = type(snippet)("a <i>b</i> c", ((3, 6),))
    assert segments(plain) == (("a <", False), ("i>b", True), ("</i> c", False))
    assert segments(type(snippet)("two matches", ((0, 3), (4, 11)))) == (
        ("two", True),
        (" ", False),
        ("matches", True),
    )


def test_show_more_adds_the_next_best_matches_below(qtbot: QtBot) -> None:
    from observer.search.service import DEFAULT_LIMIT

    asked: list[int] = []

    def run(text: str, offset: int = 0) -> list[SearchHit]:
        asked.append(offset)
        shown = DEFAULT_LIMIT if offset == 0 else 3
        return [_hit(uuid.uuid4(), f"{text} {offset + n + 1}") for n in range(shown)]

    panel = SearchPanel(run, pause_ms=0)
    qtbot.addWidget(panel)
    panel.show()
    panel.search.setText("chronology")
    with qtbot.waitSignal(panel.searched, timeout=5000):
        panel.search_now()
    assert panel.proxy.rowCount() == DEFAULT_LIMIT
    assert panel.summary.text().startswith(f"The {DEFAULT_LIMIT} best matches, best first.")
    assert panel.more_button.isVisible()

    with qtbot.waitSignal(panel.searched, timeout=5000):
        qtbot.mouseClick(panel.more_button, Qt.MouseButton.LeftButton)

    assert asked == [0, DEFAULT_LIMIT]
    assert panel.proxy.rowCount() == DEFAULT_LIMIT + 3
    last = panel.proxy.record(DEFAULT_LIMIT + 2)
    assert (last.rank, last.hit.snippet) == (DEFAULT_LIMIT + 3, f"chronology {DEFAULT_LIMIT + 3}")
    assert panel.summary.text() == f"{DEFAULT_LIMIT + 3} observations found, best match first."
    assert not panel.more_button.isVisible()


def test_the_results_stay_where_they_are_as_searches_start_and_end(qtbot: QtBot) -> None:
    """Typing, "Searching…", a page of results with Show more, a few results, none: the
    table never moves or changes size, so none of it is laid out and painted again for a
    line of text above it."""
    from observer.search.service import DEFAULT_LIMIT

    release = threading.Event()

    def run(text: str, offset: int = 0) -> list[SearchHit]:
        release.wait(5)
        shown = {"many": DEFAULT_LIMIT, "few": 2}.get(text, 0)
        return [_hit(uuid.uuid4(), f"{text} {n}") for n in range(shown)]

    panel = SearchPanel(run, pause_ms=0)
    qtbot.addWidget(panel)
    panel.resize(1000, 600)
    panel.show()
    qtbot.waitExposed(panel)
    where = panel.table.geometry()
    moved: list[tuple[str, str, object]] = []
    for text in ("many", "few", "none", "many"):
        release.clear()
        panel.search.setText(text)
        panel.search_now()
        QApplication.processEvents()
        assert panel.summary.text() == "Searching…"
        if panel.table.geometry() != where:
            moved.append((text, "searching", panel.table.geometry()))
        with qtbot.waitSignal(panel.searched, timeout=5000):
            release.set()
        QApplication.processEvents()
        if panel.table.geometry() != where:
            moved.append((text, "found", panel.table.geometry()))
    assert panel.more_button.isVisible()
    assert moved == []
    # Painted a turn after they were put in the table, not never.
    qtbot.waitUntil(panel.table.view.updatesEnabled, timeout=1000)


def test_fifty_results_show_whole_short_columns_and_the_snippets_bold_without_qt_measuring(
    qtbot: QtBot,
) -> None:
    """Columns fit the results by their text alone (Qt's measuring each cell through Python
    held the window up for longer than a frame): a long worker name is still whole."""
    longest = "Ελένη Παπαδοπούλου-Fitt"
    hits = [
        replace(_hit(uuid.uuid4(), f"match {n}"), worker=longest if n == 37 else "Al Li")
        for n in range(50)
    ]
    panel = SearchPanel(lambda text: hits, pause_ms=0)
    qtbot.addWidget(panel)
    panel.resize(1200, 600)
    panel.show()
    panel.search.setText("match")
    with qtbot.waitSignal(panel.searched, timeout=5000):
        panel.search_now()

    view = panel.table.view
    worker = 1
    width = view.fontMetrics().horizontalAdvance(longest)
    assert view.horizontalHeader().sectionSize(worker) > width
    assert match_pieces(panel, 0) == (("match 0", True),)
    assert view.verticalScrollBar().isVisible()  # there from the first: no second layout
    centred = panel.proxy.index(0, 0).data(Qt.ItemDataRole.TextAlignmentRole)
    assert centred == Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
    assert panel.proxy.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None


def test_the_lines_fitted_for_painting_are_only_those_lately_painted(qtbot: QtBot) -> None:
    panel = SearchPanel(lambda text: [], pause_ms=0)
    qtbot.addWidget(panel)
    delegate = panel.table.view.itemDelegate()
    assert isinstance(delegate, ResultDelegate)
    font = panel.font()

    first = delegate.line((("one", True),), 200, font)
    assert delegate.line((("one", True),), 200, font) is first  # fitted once
    for n in range(KEPT_LINES * 3):
        delegate.line(f"line {n}", 200, font)
    assert len(delegate._lines) == KEPT_LINES
    assert delegate.line((("one", True),), 200, font) is not first
