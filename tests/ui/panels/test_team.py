"""The team overview as a manager reads it: who is overdue for an observation and since when,
sorting that treats numbers, dates and names as a person would, and opening a worker."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.store.models import AuditEvent
from observer.vocabulary import Role
from tests.support.core import Staff
from tests.support.prompts import FakePrompts
from tests.support.qt import column_texts
from tests.support.review import Recorder, added_on
from ui.main_window import MainWindow
from ui.models.team_overview import DUE_COLUMN, IN_PERIOD_COLUMN, NAME_COLUMN
from ui.panels.team import TeamPanel

TODAY = date(2025, 6, 1)
NAME, IN_PERIOD, DUE = "Name", "In\nperiod", "Next\nobservation"


@pytest.fixture
def panel(qtbot: QtBot, services: Services) -> TeamPanel:
    team = TeamPanel(
        services.team_overview,
        services.review_settings,
        services.people,
        today=lambda: TODAY,
        pause_ms=0,
    )
    qtbot.addWidget(team)
    team.resize(1300, 700)
    team.show()
    return team


def load(qtbot: QtBot, panel: TeamPanel) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.reload()


def row_of(panel: TeamPanel, name: str) -> int:
    return column_texts(panel.table.view, NAME).index(name)


def test_who_is_overdue_for_an_observation_is_said_with_the_date_it_was_due(
    qtbot: QtBot, services: Services, panel: TeamPanel, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 1, 15))  # Siobhán: due by 15/04/2025, overdue
    record.observation(date(2025, 5, 20), person=staff.senior)  # Zoë: due by 20/08/2025
    added_on(services.db, staff.asye, date(2024, 12, 1))  # Łukasz: never observed

    load(qtbot, panel)

    view = panel.table.view
    due = column_texts(view, DUE)
    assert due[row_of(panel, "Siobhán Walker")] == "Overdue: due 15/04/2025"
    assert due[row_of(panel, "Zoë Green")] == "By 20/08/2025"
    assert due[row_of(panel, "Łukasz Nowak")] == "Overdue: due 01/03/2025"
    overdue = view.model().index(row_of(panel, "Siobhán Walker"), DUE_COLUMN)
    assert overdue.data(Qt.ItemDataRole.FontRole).bold()
    assert column_texts(view, "Last\nobserved")[row_of(panel, "Łukasz Nowak")] == "Never"
    assert "overdue for an observation (none for 3 months)" in panel.summary.text()

    panel.only_overdue.setChecked(True)

    assert "Zoë Green" not in column_texts(view, NAME)
    assert "Siobhán Walker" in column_texts(view, NAME)


def test_observations_in_the_period_sort_as_numbers(
    qtbot: QtBot, panel: TeamPanel, staff: Staff, record: Recorder
) -> None:
    for days in range(10):
        record.observation(TODAY - timedelta(days=10 + days))
    for days in range(9):
        record.observation(TODAY - timedelta(days=10 + days), person=staff.senior)
    for days in range(2):
        record.observation(TODAY - timedelta(days=10 + days), person=staff.asye)
    load(qtbot, panel)

    panel.table.sort_by(IN_PERIOD_COLUMN, Qt.SortOrder.DescendingOrder)

    counts = column_texts(panel.table.view, IN_PERIOD)
    assert counts[:3] == ["10", "9", "2"]  # as text, "9" would come before "10"
    assert column_texts(panel.table.view, NAME)[:3] == [
        "Siobhán Walker",
        "Zoë Green",
        "Łukasz Nowak",
    ]


def test_a_shorter_period_counts_fewer_observations(
    qtbot: QtBot, panel: TeamPanel, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 5, 1))
    record.observation(date(2024, 11, 1))
    load(qtbot, panel)
    assert column_texts(panel.table.view, IN_PERIOD)[row_of(panel, "Siobhán Walker")] == "2"

    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.period.setCurrentIndex(panel.period.findText("Last 3 months"))

    assert column_texts(panel.table.view, IN_PERIOD)[row_of(panel, "Siobhán Walker")] == "1"
    assert "from 02/03/2025 to 01/06/2025" in panel.summary.text()
    assert not panel.custom_dates.isVisible()


def test_names_sort_as_a_person_reads_them_accents_and_all(
    qtbot: QtBot, services: Services, panel: TeamPanel, staff: Staff
) -> None:
    for name in ("Åsa Lindqvist", "Émile Dubois", "adam Brown", "Ștefan Popescu"):
        services.people.add_person(PersonDetails(name, Role.SOCIAL_WORKER))
    load(qtbot, panel)

    panel.table.sort_by(NAME_COLUMN, Qt.SortOrder.AscendingOrder)

    assert column_texts(panel.table.view, NAME) == [
        "adam Brown",
        "Åsa Lindqvist",
        "Émile Dubois",
        "Łukasz Nowak",
        "Morag Campbell",
        "Siobhán Walker",
        "Ștefan Popescu",
        "Zoë Green",
    ]


def test_the_team_filter_keeps_one_team(
    qtbot: QtBot, services: Services, panel: TeamPanel, staff: Staff
) -> None:
    other = services.people.add_team("Court Team")
    services.people.add_person(PersonDetails("Olu Adeyemi", Role.SOCIAL_WORKER, other))
    load(qtbot, panel)
    assert len(column_texts(panel.table.view, NAME)) == 5

    panel.team.setCurrentIndex(panel.team.findText("Court Team"))

    assert column_texts(panel.table.view, NAME) == ["Olu Adeyemi"]
    qtbot.waitUntil(lambda: panel.summary.text().startswith("Showing 1 of 5 workers"))


def test_with_no_workers_the_overview_says_how_to_add_them(qtbot: QtBot, panel: TeamPanel) -> None:
    load(qtbot, panel)

    assert not panel.table.is_showing_records()
    assert "Add person" in panel.table.message()


# In the main window


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompts: FakePrompts, staff: Staff) -> MainWindow:
    main_window = MainWindow(services, prompts)
    qtbot.addWidget(main_window)
    with qtbot.waitSignal(main_window.first_data_loaded, timeout=5000):
        main_window.show()
        main_window.load_data()
    return main_window


def test_team_is_a_section_and_a_double_click_opens_the_worker_page(
    qtbot: QtBot, window: MainWindow, staff: Staff, record: Recorder
) -> None:
    record.observation(date.today() - timedelta(days=3))
    panel = window.team_panel
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        window.section_actions[window.stack.indexOf(panel)].trigger()
    view = panel.table.view
    where = view.visualRect(view.model().index(row_of(panel, "Siobhán Walker"), 0)).center()

    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)

    assert window.stack.currentWidget() is window.worker_page
    assert window.worker_page.name.text() == "Siobhán Walker"
    assert window.worker_page.back_button.text() == "‹ &Back to Team"
    window.worker_page.back_button.click()
    assert window.stack.currentWidget() is panel


def test_enter_on_a_worker_opens_their_page(qtbot: QtBot, window: MainWindow, staff: Staff) -> None:
    panel = window.team_panel
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        window.show_section(window.stack.indexOf(panel))
    view = panel.table.view
    view.setFocus()
    view.selectRow(row_of(panel, "Zoë Green"))

    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        qtbot.keyClick(view, Qt.Key.Key_Return)

    assert window.worker_page.name.text() == "Zoë Green"


def test_review_settings_change_who_is_overdue_and_are_audited(
    qtbot: QtBot,
    services: Services,
    window: MainWindow,
    staff: Staff,
    record: Recorder,
    monkeypatch,
) -> None:
    from observer.review.settings import review_settings
    from ui.dialogs.review_settings import ReviewSettingsDialog

    record.observation(date.today() - timedelta(days=45))

    def every_month(dialog: ReviewSettingsDialog) -> int:
        assert dialog.interval.value() == 3
        dialog.interval.setValue(1)
        dialog.asye_required.setValue(4)
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        return dialog.result()

    monkeypatch.setattr(ReviewSettingsDialog, "exec", every_month)
    window.review_settings_action.trigger()

    settings = review_settings(services.db)
    assert (settings.interval_months, settings.asye_required) == (1, 4)
    with services.db.session() as s:
        audited = set(
            s.execute(
                select(AuditEvent.action, AuditEvent.actor).where(
                    AuditEvent.record_type == "settings"
                )
            )
        )
    assert audited == {("observation_interval", "Aled Hughes"), ("asye_requirement", "Aled Hughes")}
    panel = window.team_panel
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        window.show_section(window.stack.indexOf(panel))
    due = column_texts(panel.table.view, DUE)[row_of(panel, "Siobhán Walker")]
    assert due.startswith("Overdue: due ")
    assert "(none for a month)" in panel.summary.text()
