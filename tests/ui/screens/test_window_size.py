"""The main window opens at a size that uses the screen, and its tables give width to
short columns first, eliding long text with its whole text on hover."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from observer.demo.generator import generate
from observer.services import Services
from tests.support.qt import headers
from tests.support.text_fits import cut_cells
from tests.ui.conftest import OFFSCREEN_NOISE
from ui.main_window import OBSERVATIONS, TEAM, MainWindow, first_placement

LAPTOP = QRect(0, 0, 1366, 768)  # a common council laptop
MAXIMISED_ON_LAPTOP = (1366, 740)  # less a panel or title bar


@pytest.fixture
def demo(services: Services) -> Services:
    generate(services, workers=40, observations=200, seed=7)
    return services


def test_a_laptop_screen_is_used_whole_and_a_large_one_mostly() -> None:
    assert first_placement(LAPTOP) == (LAPTOP, True)

    placed, maximised = first_placement(QRect(0, 0, 2560, 1400))
    assert not maximised
    assert (placed.width(), placed.height()) == (2304, 1260)
    assert placed.center() == QRect(0, 0, 2560, 1400).center()


def test_the_first_opening_fills_the_screen_and_a_remembered_size_wins(
    qtbot: QtBot, services: Services, prompts
) -> None:
    first = MainWindow(services, prompts)
    qtbot.addWidget(first)
    available = first.screen().availableGeometry()
    placed, maximised = first_placement(available)
    assert bool(first.windowState() & Qt.WindowState.WindowMaximized) == maximised
    assert first.normalGeometry().size() == placed.size() or maximised
    first.show()
    first.setWindowState(Qt.WindowState.WindowNoState)
    first.resize(720, 520)
    first.close()

    second = MainWindow(services, prompts)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (720, 520)


def opened_at(qtbot: QtBot, services: Services, prompts, section: int, size) -> MainWindow:
    window = MainWindow(services, prompts)
    qtbot.addWidget(window)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(*size)
    window.show_section(section)
    with qtbot.waitSignal(window.first_data_loaded, timeout=10_000):
        window.show()
        window.load_data()
    qtbot.waitExposed(window)
    return window


def test_kind_and_framework_show_whole_on_a_laptop(qtbot, demo: Services, prompts) -> None:
    window = opened_at(qtbot, demo, prompts, OBSERVATIONS, MAXIMISED_ON_LAPTOP)
    view = window.observations_panel.table.view
    qtbot.waitUntil(lambda: view.model().rowCount() > 0)

    assert view.horizontalScrollBar().maximum() == 0  # every column in view
    for header in headers(view):
        assert cut_cells(view, header) == [], header


def test_the_team_overview_shows_every_column_whole_on_a_laptop(
    qtbot, demo: Services, prompts
) -> None:
    window = opened_at(qtbot, demo, prompts, TEAM, MAXIMISED_ON_LAPTOP)
    view = window.team_panel.table.view
    qtbot.waitUntil(lambda: view.model().rowCount() > 0)

    assert view.horizontalScrollBar().maximum() == 0
    for header in ("Role", "Latest\njudgement", "Overdue\nactions", "Next\nobservation"):
        assert cut_cells(view, header) == [], header


# The tooltip cannot be raised offscreen, and says so.
@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, r"^This plugin does not support raise\(\)$")
def test_a_cut_cell_shows_its_whole_text_on_hover(qtbot, demo: Services, prompts) -> None:
    window = opened_at(qtbot, demo, prompts, OBSERVATIONS, (1020, 640))
    view = window.observations_panel.table.view
    qtbot.waitUntil(lambda: view.model().rowCount() > 0)
    # The short columns keep their whole text; the long text column gives way.
    assert cut_cells(view, "Status") == []
    assert cut_cells(view, "Date") == []
    cut = cut_cells(view, "Kind")
    assert cut, "at this width some kinds are cut short"
    column = headers(view).index("Kind")
    row = next(
        r for r in range(view.model().rowCount()) if view.model().index(r, column).data() == cut[0]
    )
    index = view.model().index(row, column)
    view.scrollTo(index)
    centre = view.visualRect(index).center()

    event = QHelpEvent(QEvent.Type.ToolTip, centre, view.viewport().mapToGlobal(centre))
    QApplication.sendEvent(view.viewport(), event)

    assert QToolTip.text() == index.data(Qt.ItemDataRole.ToolTipRole)
    assert QToolTip.text().startswith(cut[0])  # a kind's table form begins as its whole name
    QToolTip.hideText()
