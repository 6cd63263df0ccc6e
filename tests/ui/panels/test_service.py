"""The Service section as the Improvement Board reads it: the right counts and shares, "too
few to compare" where the numbers are small, the right coverage, framework versions kept
apart, development areas that open their evidence, and the same in supervision alone."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from observer.service.period import quarter_of
from observer.services import Services
from observer.vocabulary import Kind, Status
from tests.support.core import Staff
from tests.support.qt import column_texts, headers, row_texts
from tests.support.review import Recorder, added_on, framework_id, second_version
from tests.support.service import write_sections
from ui.main_window import SERVICE, MainWindow
from ui.panels.service import ServicePanel

TODAY = date(2025, 8, 20)
DW = "direct-work-practice"
RI = "requires_improvement"
raises_windows = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints|raise)\(\)$"
)


@pytest.fixture
def panel(qtbot: QtBot, services: Services) -> ServicePanel:
    service = ServicePanel(services.service_view, today=lambda: TODAY, pause_ms=0)
    qtbot.addWidget(service)
    service.resize(1300, 800)
    service.show()
    return service


def load(qtbot: QtBot, panel: ServicePanel) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.reload()


def test_the_board_reads_each_standards_spread_share_and_change(
    qtbot: QtBot, services: Services, panel: ServicePanel, record: Recorder
) -> None:
    fw = framework_id(services, DW)
    for level in ("outstanding", "good", "good", RI, "inadequate", "inadequate"):
        record.observation(date(2025, 7, 10), {"1": level, "2": "good"}, framework_id=fw)
    for level in ("good", RI, RI, RI, "inadequate"):
        record.observation(date(2025, 5, 10), {"1": level}, framework_id=fw)
    record.observation(date(2025, 7, 11), {"1": "good"}, framework_id=fw, status=Status.DRAFT)

    load(qtbot, panel)

    view = panel.standards_table.view
    assert view.accessibleName() == "Ratings per standard"
    assert headers(view)[:6] == [
        "Standard",
        "Rated",
        "Outstanding",
        "Good",
        "Requires improvement to be good",
        "Inadequate",
    ]
    first = row_texts(view, 0)
    assert first["Standard"].startswith("1 · ")
    assert (first["Rated"], first["Outstanding"], first["Good"], first["Inadequate"]) == (
        "6", "1", "2", "2",
    )  # fmt: skip
    assert (first["Good or\nbetter"], first["Before"], first["Change"]) == (
        "50%",
        "20%",
        "+30 points",
    )
    second = row_texts(view, 1)
    assert (second["Good or\nbetter"], second["Rated\nbefore"], second["Change"]) == (
        "100%", "0", "Too few to compare",
    )  # fmt: skip
    summary = panel.summary.text()
    assert summary.startswith("July to September 2025, compared with April to June 2025.")
    assert "ready for sign-off or signed" in summary
    assert "too few to compare" in summary
    # The chart shows the same: one bar per standard, one piece per level, best first.
    assert [bar.label() for bar in panel.chart.sets] == [
        "Outstanding", "Good", "Requires improvement to be good", "Inadequate",
    ]  # fmt: skip
    assert panel.chart.sets[3].at(len(panel.chart.categories) - 1) == 2.0  # standard 1 on top
    assert panel.chart.view.accessibleDescription().startswith(
        "Direct work, version 1: 2 standards"
    )


def test_framework_versions_have_their_own_chart_and_table(
    qtbot: QtBot, services: Services, panel: ServicePanel, record: Recorder
) -> None:
    first, revised = framework_id(services, DW), second_version(services)
    record.observation(date(2025, 7, 2), {"3": "good"}, framework_id=first)
    for day in (3, 4):
        record.observation(date(2025, 7, day), {"3": "inadequate"}, framework_id=revised)

    load(qtbot, panel)

    versions = [panel.version.itemText(i) for i in range(panel.version.count())]
    assert versions == [
        "Direct work, version 2 (2 ratings)",
        "Direct work, version 1 (1 rating)",
    ]
    assert panel.versions_note.isVisibleTo(panel)
    assert column_texts(panel.standards_table.view, "Rated") == ["2"]
    assert column_texts(panel.standards_table.view, "Good or\nbetter") == ["0%"]
    panel.version.setCurrentIndex(1)
    assert column_texts(panel.standards_table.view, "Rated") == ["1"]
    assert column_texts(panel.standards_table.view, "Good or\nbetter") == ["100%"]


def test_coverage_says_who_in_each_team_is_observed_and_who_is_overdue(
    qtbot: QtBot, services: Services, panel: ServicePanel, staff: Staff, record: Recorder
) -> None:
    for person in (staff.manager, staff.worker, staff.asye, staff.senior):
        added_on(services.db, person, date(2025, 1, 1))
    record.observation(date(2025, 7, 5), status=Status.DRAFT)
    record.observation(date(2025, 7, 6), person=staff.senior)

    load(qtbot, panel)

    row = row_texts(panel.coverage_table.view, 0)
    observed = (row["Observed in\nthe period"], row["Share\nobserved"])
    assert (row["Team"], row["Workers"], *observed) == ("Children in Care", "4", "2", "50%")
    assert row["Overdue"] == "2"
    assert row["Overdue for an observation"] == (
        "Łukasz Nowak (due 01/04/2025); Morag Campbell (due 01/04/2025)"  # by due date, name
    )
    assert panel.coverage_note.text().startswith("2 of 4 workers (50%) observed in the period")


def test_a_development_area_opens_the_observations_behind_it(
    qtbot: QtBot, services: Services, panel: ServicePanel, record: Recorder
) -> None:
    fw = framework_id(services, DW)
    older = record.observation(date(2025, 7, 1), {"4": RI}, framework_id=fw)
    newer = record.observation(date(2025, 7, 9), {"4": "inadequate"}, framework_id=fw)
    record.observation(date(2025, 7, 10), {"4": "good"}, framework_id=fw)

    load(qtbot, panel)

    area = row_texts(panel.areas_table.view, 0)
    assert (area["Below Good"], area["Rated"], area["Share below\nGood"]) == ("2", "3", "67%")
    assert "Below Good in 2 of 3 observations that rated it." in panel.evidence_label.text()
    evidence = panel.evidence_table.view
    assert column_texts(evidence, "Observed") == ["09/07/2025", "01/07/2025"]
    assert column_texts(evidence, "Rated") == ["Inadequate", "Requires improvement to be good"]
    with qtbot.waitSignal(panel.open_requested) as opened:
        evidence.doubleClicked.emit(evidence.model().index(1, 0))
    assert opened.args == [older]
    assert newer != older


def test_actions_by_theme_and_the_childs_voice_say_small_numbers_honestly(
    qtbot: QtBot, services: Services, panel: ServicePanel, record: Recorder
) -> None:
    visit = record.observation(date(2025, 7, 8), kind=Kind.DIRECT_WORK)
    write_sections(services, visit, child_voice="Amira said she likes her new school.")
    record.observation(date(2025, 7, 9), kind=Kind.HOME_VISIT)
    record.action(visit, "Use a chronology in every case", date(2025, 8, 1))

    load(qtbot, panel)

    rows = {
        row_texts(panel.themes_table.view, r)["Theme"]: row_texts(panel.themes_table.view, r)
        for r in range(panel.themes_table.view.model().rowCount())
    }
    assert list(rows) == ["Practice", "Performance", "People", "Partnerships", "No standard linked"]
    linked_to_none = rows["No standard linked"]
    assert (linked_to_none["Open"], linked_to_none["Of which\noverdue"]) == ("1", "1")
    voice = panel.voice.text()
    assert voice.startswith(
        "50% of the observations of direct work with a child or family (1 of 2) say something"
    )
    assert "Of those, 0% (0 of 1) also record feedback" in voice
    assert "too few for these shares to mean much" in voice


def test_supervision_only_shows_the_same_for_supervision_alone(
    qtbot: QtBot, services: Services, panel: ServicePanel, staff: Staff, record: Recorder
) -> None:
    record.observation(date(2025, 7, 2), {"1": "good"}, framework_id=framework_id(services, DW))
    supervisors = framework_id(services, "kss-practice-supervisors")
    record.observation(
        date(2025, 7, 4),
        {"2": "inadequate"},
        person=staff.manager,
        kind=Kind.SUPERVISION_INDIVIDUAL,
        framework_id=supervisors,
    )
    load(qtbot, panel)
    assert panel.version.count() == 2

    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.supervision.setChecked(True)

    assert "Supervision only." in panel.summary.text()
    assert [panel.version.itemText(i) for i in range(panel.version.count())] == [
        "KSS supervisors, version 1 (1 rating)"
    ]
    assert column_texts(panel.standards_table.view, "Inadequate") == ["1"]
    assert "supervision is not such work" in panel.voice.text()


def test_the_period_steps_by_quarter_or_takes_chosen_dates(
    qtbot: QtBot, panel: ServicePanel
) -> None:
    load(qtbot, panel)
    assert panel.period_label.text() == "July to September 2025"

    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.previous_button.click()

    assert panel.period == quarter_of(date(2025, 5, 1))
    assert panel.summary.text().startswith("April to June 2025, compared with January to March")
    panel.mode.setCurrentIndex(1)
    assert panel.custom_dates.isVisibleTo(panel)
    assert not panel.next_button.isEnabled()


@raises_windows
def test_the_service_section_is_in_the_main_window(
    qtbot: QtBot, services: Services, prompts
) -> None:
    window = MainWindow(services, prompts)
    qtbot.addWidget(window)
    window.show()
    window.load_data()

    window.show_section(SERVICE)

    assert window.navigation.item(SERVICE).text() == "Service"
    assert isinstance(window.service_panel, ServicePanel)
    qtbot.waitUntil(lambda: not window.service_panel.loading, timeout=10000)
    assert window.service_panel.standards_table.message() == (
        "No observation ready for sign-off or signed in this period rated a standard."
    )
    assert window.section_actions[SERVICE].shortcut().toString() == "Ctrl+6"
    assert Qt.Key.Key_6  # the View menu's shortcut for the sixth section


def test_the_levels_are_told_apart_in_greyscale_and_labelled(
    qtbot: QtBot, services: Services, panel: ServicePanel, record: Recorder
) -> None:
    fw = framework_id(services, DW)
    for level in ("outstanding", "good", RI, "inadequate"):
        record.observation(date(2025, 7, 10), {"1": level}, framework_id=fw)

    load(qtbot, panel)

    def grey(colour: QColor) -> float:  # the luminance a greyscale print keeps
        return 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()

    greys = sorted(grey(bar.color()) for bar in panel.chart.sets)
    assert min(b - a for a, b in pairwise(greys)) >= 30
    assert all(bar.label() for bar in panel.chart.sets)  # the legend names each level
    assert panel.chart.chart.series()[0].isLabelsVisible()  # each piece says its share


@raises_windows
def test_double_clicking_the_evidence_opens_the_record_in_its_editor(
    qtbot: QtBot, services: Services, prompts, record: Recorder
) -> None:
    fw = framework_id(services, DW)
    behind = record.observation(date.today(), {"4": RI}, framework_id=fw)
    window = MainWindow(services, prompts)
    qtbot.addWidget(window)
    window.show()
    window.load_data()
    window.show_section(SERVICE)
    panel = window.service_panel
    qtbot.waitUntil(lambda: panel.evidence_model.rowCount() == 1, timeout=10000)

    view = panel.evidence_table.view
    view.doubleClicked.emit(view.model().index(0, 0))

    assert list(window.editors.windows) == [behind]
