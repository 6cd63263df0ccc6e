"""The main window as a user first meets it: sections, the people in the store, menus."""

from __future__ import annotations

import pytest
from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.vocabulary import Role
from tests.support.qt import column_texts, shown_title
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompts) -> MainWindow:
    main_window = MainWindow(services, prompts)
    qtbot.addWidget(main_window)
    return main_window


def _open(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.first_data_loaded, timeout=5000):
        window.show()
        window.load_data()


def test_workers_table_lists_the_people_in_the_store(qtbot, services: Services, window, cast):
    services.people.add_person(PersonDetails("Adam Brown", Role.ASYE))

    _open(qtbot, window)

    assert window.data_loaded
    table = window.workers_panel.table
    assert table.is_showing_records()
    names = column_texts(table.view, "Name")
    assert names == ["Adam Brown", "Priya Shah", "Zoë Łukasiewicz"]
    assert column_texts(table.view, "Role")[0] == "Newly qualified social worker (ASYE)"
    assert column_texts(table.view, "Team")[2] == "Assessment North"


def test_title_and_status_bar_name_the_user_and_organisation(qtbot, window, cast):
    _open(qtbot, window)

    # As the window manager shows it: Qt adds the app's name unless the title ends with it.
    assert shown_title(window) == "Northshire County Council — Practice Observer"
    assert "Priya Shah" in window.user_label.text()
    assert "Northshire County Council" in window.user_label.text()


def test_a_store_of_sample_data_says_so_in_the_title_and_status_bar(
    qtbot, services: Services, prompts, cast
):
    from observer.demo.generator import generate

    generate(services, workers=2, observations=2, seed=3)
    window = MainWindow(services, prompts)
    qtbot.addWidget(window)
    _open(qtbot, window)

    assert window.windowTitle() == "Northshire County Council — Sample data — Practice Observer"
    assert window.sample_label.isVisible()
    assert window.sample_label.text().startswith("Sample data")


def test_a_real_store_has_no_sample_mark(qtbot, window, cast):
    _open(qtbot, window)

    assert not window.sample_label.isVisible()
    assert window.profile_action.text() == "P&rofile…"


def test_a_new_store_explains_what_to_do(qtbot, window):
    _open(qtbot, window)

    table = window.workers_panel.table
    assert not table.is_showing_records()
    assert "Add person" in table.message()
    assert not window.observations_panel.table.is_showing_records()
    assert not window.actions_panel.table.is_showing_records()


def test_find_a_worker_ignores_case_and_accents(qtbot, services: Services, window, cast):
    _open(qtbot, window)
    panel = window.workers_panel

    qtbot.keyClicks(panel.search, "zoe lukas")

    assert column_texts(panel.table.view, "Name") == ["Zoë Łukasiewicz"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "nobody like this")
    assert not panel.table.is_showing_records()
    assert "No one matches" in panel.table.message()


def test_control_digits_switch_sections(qtbot, window):
    _open(qtbot, window)

    for number, action in enumerate(window.section_actions):
        assert action.shortcut().toString() == f"Ctrl+{number + 1}"
    window.section_actions[2].trigger()
    assert window.stack.currentWidget() is window.actions_panel
    window.section_actions[1].trigger()
    assert window.stack.currentWidget() is window.observations_panel
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"


def test_about_names_version_and_data_folder(qtbot, services: Services, window, monkeypatch):
    from observer import __version__
    from ui.dialogs.about import AboutDialog

    seen: list[str] = []

    def fake_exec(dialog: AboutDialog) -> int:
        seen.append(dialog.text())
        return 0

    monkeypatch.setattr(AboutDialog, "exec", fake_exec)
    window.about_action.trigger()

    assert len(seen) == 1
    assert __version__ in seen[0]
    assert str(services.data_dir) in seen[0]


def test_window_geometry_is_remembered(qtbot, services: Services, prompts):
    first = MainWindow(services, prompts)
    qtbot.addWidget(first)
    first.show()
    first.resize(720, 520)
    first.show_section(2)
    first.close()

    second = MainWindow(services, prompts)
    qtbot.addWidget(second)

    assert (second.width(), second.height()) == (720, 520)
    assert second.current_section() == 2


def _tab_chain(window: MainWindow, steps: int) -> list[QWidget]:
    chain: list[QWidget] = []
    widget = window.navigation
    while len(chain) < steps:
        widget = widget.nextInFocusChain()
        takes_tab = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if takes_tab and widget.isVisibleTo(window) and widget.isEnabled():
            chain.append(widget)
    return chain


def test_tab_goes_from_sections_through_the_panel_in_reading_order(qtbot, window, cast):
    _open(qtbot, window)
    panel = window.workers_panel

    expected = [panel.search, panel.add_button, panel.table.view, window.navigation]
    assert _tab_chain(window, 4) == expected


def _named(widget: QWidget) -> bool:
    """Buttons are named by their text; every other control needs an accessible name."""
    if isinstance(widget, QPushButton):
        return bool(widget.accessibleName() or widget.text().replace("&", ""))
    return bool(widget.accessibleName())


def test_every_control_has_an_accessible_name(qtbot, services: Services, window, prompts, cast):
    from ui.dialogs.first_run import FirstRunDialog
    from ui.dialogs.person import PersonDialog
    from ui.dialogs.review_settings import ReviewSettingsDialog
    from ui.dialogs.teams import TeamDialog, TeamsDialog

    _open(qtbot, window)
    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        window.open_worker(cast.worker)  # the worker page and the team overview are panels too
    dialogs = [
        FirstRunDialog(services.profiles, prompts),
        PersonDialog(services.people, prompts),
        TeamsDialog(services.people, prompts),
        TeamDialog(services.people, prompts),
        ReviewSettingsDialog(services, prompts),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
    controls = (
        QLineEdit,
        QComboBox,
        QCheckBox,
        QPushButton,
        QTableView,
        QListWidget,
        QAbstractSpinBox,
        QProgressBar,
        QTabWidget,
        QChartView,
    )
    unnamed = [
        f"{type(widget).__name__} in {type(top).__name__}"
        for top in [window, *dialogs]
        for kind in controls
        for widget in top.findChildren(kind)
        if not _named(widget)
    ]
    assert unnamed == []


def test_help_opens_a_getting_started_guide(qtbot, window, monkeypatch):
    from ui.dialogs.guide import GuideDialog

    seen: list[str] = []

    def fake_exec(dialog: GuideDialog) -> int:
        seen.append(dialog.text())
        return 0

    monkeypatch.setattr(GuideDialog, "exec", fake_exec)
    help_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text() == "&Help" and a.menu()
    )
    titles = [a.text() for a in help_menu.actions()]
    assert titles[:2] == ["&Getting started", "&About Practice Observer"]
    window.guide_action.trigger()

    (guide,) = seen
    for heading in (
        "Recording an observation",
        "Signing off in the room",
        "Exporting a summary",
        "Locking",
        "Backups",
        "Where your data lives",
    ):
        assert heading in guide
    assert "**" not in guide  # rendered, not shown as markdown
    assert "##" not in guide
