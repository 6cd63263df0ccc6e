"""The Service section's Board report tab as the QA lead uses it: the commentary kept as it
is typed and following the period shown, the signed report and its tables made off the GUI
thread, and a commentary naming someone refused before anything is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from observer.review.team_overview import Period
from observer.service.period import ServiceFilter, quarter_of, shift_quarter
from observer.services import Services
from observer.vocabulary import Role
from tests.support.core import Staff
from tests.support.prompts import FakePrompts
from tests.support.review import Recorder
from ui.panels.board_report import BoardReportTab
from ui.panels.service import ServicePanel

TODAY = date(2025, 8, 20)
QA_LEAD = "Rhian Pritchard"


@pytest.fixture
def prompts() -> FakePrompts:
    return FakePrompts()


@pytest.fixture
def panel(qtbot: QtBot, services: Services, prompts: FakePrompts, staff: Staff) -> ServicePanel:
    services.profiles.set_up(QA_LEAD, Role.QA_LEAD, "Northshire County Council")
    service = ServicePanel(services.service_view, today=lambda: TODAY, pause_ms=0)
    service.add_board_report(
        BoardReportTab(
            services.commentaries,
            services.board_reports,
            services.actor,
            prompts,
            today=lambda: TODAY,
            save_pause_ms=0,
        )
    )
    qtbot.addWidget(service)
    service.resize(1300, 800)
    service.show()
    with qtbot.waitSignal(service.loaded, timeout=10000):
        service.reload()
    return service


def typed(qtbot: QtBot, tab: BoardReportTab, text: str) -> None:
    tab.text.setPlainText(text)
    qtbot.waitUntil(lambda: tab.saved_label.text().startswith("Saved"))


def test_the_commentary_is_kept_as_typed_and_follows_the_quarter_shown(
    qtbot: QtBot, services: Services, panel: ServicePanel
) -> None:
    tab = panel.board_report
    quarter = quarter_of(TODAY)
    assert tab.heading.text() == "Commentary for July to September 2025, every team"
    typed(qtbot, tab, "Visits are more purposeful this quarter.")
    assert services.commentaries.read(quarter).text == "Visits are more purposeful this quarter."
    assert tab.saved_label.text().endswith(f"by {QA_LEAD}.")

    tab.text.setPlainText("Visits are more purposeful this quarter; plans too.")
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.step_quarter(-1)  # typed, then at once another quarter: nothing is lost
    assert tab.heading.text() == "Commentary for April to June 2025, every team"
    assert tab.text.toPlainText() == ""
    assert services.commentaries.read(quarter).text == (
        "Visits are more purposeful this quarter; plans too."
    )
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.step_quarter(1)
    assert tab.text.toPlainText() == "Visits are more purposeful this quarter; plans too."


def test_a_commentary_saved_elsewhere_meanwhile_is_not_overwritten_and_the_text_stays(
    qtbot: QtBot, services: Services, panel: ServicePanel, prompts: FakePrompts
) -> None:
    tab = panel.board_report
    quarter = quarter_of(TODAY)
    services.commentaries.save(quarter, None, "Another window's words.", based_on=0, actor="X")
    tab.text.setPlainText("My words.")
    qtbot.waitUntil(lambda: bool(prompts.shown))
    assert prompts.shown[-1][0] == "error"
    assert "changed elsewhere" in prompts.shown[-1][1]
    assert tab.text.toPlainText() == "My words."
    assert services.commentaries.read(quarter).text == "Another window's words."


def test_the_signed_report_is_made_off_the_gui_thread_and_one_naming_someone_is_refused(
    qtbot: QtBot,
    services: Services,
    panel: ServicePanel,
    prompts: FakePrompts,
    record: Recorder,
    tmp_path: Path,
) -> None:
    record.observation(date(2025, 7, 10), {"1": "good"})
    tab = panel.board_report
    typed(qtbot, tab, "Steady progress on the child's voice.")
    target = tmp_path / "board.pdf"
    prompts.paths.append(target)
    tab.report_button.click()
    assert tab.busy
    assert not tab.report_button.isEnabled()
    qtbot.waitUntil(lambda: not tab.busy, timeout=30000)
    assert prompts.shown[-1][0] == "information"
    assert "Wrote the signed Board report" in prompts.shown[-1][1]
    assert target.read_bytes().startswith(b"%PDF")
    assert tab.report_button.isEnabled()

    typed(qtbot, tab, "Thanks to Siobhán Walker for her visits.")
    again = tmp_path / "again.pdf"
    prompts.paths.append(again)
    tab.report_button.click()
    qtbot.waitUntil(lambda: not tab.busy, timeout=30000)
    assert prompts.shown[-1] == (
        "error",
        "The commentary names Siobhán Walker, and the Board report is anonymised: take the "
        "name out of the commentary and make the report again.",
    )
    assert not again.exists()


def test_the_reports_tables_are_saved_as_csv(
    qtbot: QtBot, panel: ServicePanel, prompts: FakePrompts, tmp_path: Path
) -> None:
    tab = panel.board_report
    prompts.paths.append(tmp_path / "tables")
    tab.csv_button.click()
    qtbot.waitUntil(lambda: not tab.busy, timeout=30000)
    assert "Wrote 10 CSV tables" in prompts.shown[-1][1]
    assert (tmp_path / "tables" / "standards.csv").exists()


def test_the_report_covers_every_kind_whatever_the_section_is_narrowed_to(
    qtbot: QtBot, panel: ServicePanel
) -> None:
    panel.supervision.setChecked(True)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.reload()
    query = panel.board_report.query
    assert query == ServiceFilter(quarter_of(TODAY))
    assert shift_quarter(quarter_of(TODAY), -1) == Period(date(2025, 4, 1), date(2025, 6, 30))


def test_a_commentary_saved_elsewhere_is_shown_when_the_section_reloads(
    qtbot: QtBot, services: Services, panel: ServicePanel
) -> None:
    quarter = quarter_of(TODAY)
    services.commentaries.save(quarter, None, "Written in another window.", based_on=0, actor="X")
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.reload()
    assert panel.board_report.text.toPlainText() == "Written in another window."
    assert panel.board_report.saved_label.text().endswith("by X.")
