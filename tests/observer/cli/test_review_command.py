"""`observer worker`, `observer team` and the review settings, as IT would script them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from observer.services import Services
from observer.vocabulary import Kind, Status
from tests.support.core import RunCli, Staff
from tests.support.review import Recorder, added_on, start_asye

TODAY = date(2025, 6, 12)
RI = "requires_improvement"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    import observer.cli.review as module

    class Today(date):
        @classmethod
        def today(cls) -> Today:
            return cls(TODAY.year, TODAY.month, TODAY.day)

    monkeypatch.setattr(module, "date", Today)


@pytest.fixture
def record(services: Services, staff: Staff) -> Recorder:
    return Recorder(services, staff)


def cli(run_cli: RunCli, data_dir: Path, *args: str) -> int:
    return run_cli(["--data-dir", str(data_dir), *args])


def test_worker_json_gives_recurring_areas_actions_counts_and_the_asye_tracker(
    services: Services, staff: Staff, record: Recorder, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    start_asye(services, staff.asye, date(2024, 9, 2))
    first = record.observation(
        date(2025, 1, 13), {"2": (RI, "Risk to the baby not named.")}, person=staff.asye
    )
    record.observation(
        date(2025, 3, 10), {"2": ("inadequate", "Did not see the baby.")}, person=staff.asye,
        kind=Kind.DIRECT_WORK, status=Status.SIGNED,
    )  # fmt: skip
    overdue = record.action(first, "Read the chronology", date(2025, 6, 1))
    done = record.action(first, "Shadow a senior on a visit", date(2025, 2, 1))
    services.actions.complete_action(done, "Morag Campbell")

    assert cli(run_cli, data_dir, "worker", "lukasz nowak", "--json") == 0

    shown = json.loads(capsys.readouterr().out)
    assert shown["worker"]["name"] == "Łukasz Nowak"
    assert shown["worker"]["asye_started_on"] == "2024-09-02"
    (area,) = shown["recurring_areas"]
    assert (area["framework"], area["standard"]) == ("professional-capabilities-framework", "2")
    assert [r["evidence"] for r in area["below_good"]] == [
        "Did not see the baby.",
        "Risk to the baby not named.",
    ]
    assert [(a["id"], a["overdue"], a["status"]) for a in shown["actions"]] == [
        (str(overdue), True, "open"),
        (str(done), False, "done"),
    ]
    assert shown["actions"][1]["done_by"] == "Morag Campbell"
    assert {c["kind"]: c["count"] for c in shown["counts_by_kind"]} == {
        "direct_work": 1,
        "home_visit": 1,
    }
    assert shown["totals"]["overdue_actions"] == 1
    assert shown["asye"]["done"] == 2
    assert shown["asye"]["summary"] == "2 of 3 direct observations done; 2 months left."


def test_worker_prints_a_summary_a_manager_can_read(
    services: Services, staff: Staff, record: Recorder, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    for day in (date(2025, 1, 13), date(2025, 3, 10)):
        visit = record.observation(day, {"1": (RI, f"Thresholds unclear on {day}.")})
    record.action(visit, "Talk through the threshold document", date(2025, 5, 1))

    assert cli(run_cli, data_dir, "worker", "Siobhán Walker") == 0

    out = capsys.readouterr().out
    assert "Siobhán Walker: Social worker, Children in Care" in out
    assert "Observations: 2 (0 signed, 2 ready for sign-off, 0 drafts)" in out
    assert "Direct work v1, 1. Thresholds and the response to need: Below Good in 2 of" in out
    assert "Thresholds unclear on 2025-01-13." in out
    assert "Actions: 1 open (1 overdue), 0 done." in out
    assert "OVERDUE  due 2025-05-01" in out
    assert "ASYE" not in out


def test_worker_filters_by_dates_and_kind(
    services: Services, staff: Staff, record: Recorder, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    record.observation(date(2025, 1, 13), kind=Kind.HOME_VISIT)
    record.observation(date(2025, 2, 10), kind=Kind.DIRECT_WORK)
    record.observation(date(2025, 3, 10), kind=Kind.HOME_VISIT)

    args = ("--from", "2025-02-01", "--to", "2025-03-31", "--kind", "home_visit", "--json")
    assert cli(run_cli, data_dir, "worker", "Siobhán Walker", *args) == 0

    shown = json.loads(capsys.readouterr().out)
    assert [o["date"] for o in shown["timeline"]] == ["2025-03-10"]
    assert shown["filters"] == {"from": "2025-02-01", "to": "2025-03-31", "kinds": ["home_visit"]}

    # The dates as the app shows them, and a part of the name: the same answer.
    args = ("--from", "01/02/2025", "--to", "31/3/2025", "--kind", "home_visit", "--json")
    assert cli(run_cli, data_dir, "worker", "walker", *args) == 0
    assert json.loads(capsys.readouterr().out)["filters"]["from"] == "2025-02-01"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("worker", "Nobody Here"), "observer: No one called 'Nobody Here' is in this store.\n"),
        (("worker", "Siobhán Walker", "--from", "2025-03-01", "--to", "2025-02-01"),
         "observer: The start of the date range is after its end.\n"),
        (("team", "--team", "Nowhere"), "observer: There is no team called 'Nowhere'.\n"),
        (("asye-observations", "2"),
         "observer: The ASYE year needs a whole number of direct observations from 3 to 12, "
         "not 2.\n"),
        (("observation-interval", "36"),
         "observer: Each worker is observed at least every 1 to 24 whole months, not 36.\n"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    staff: Staff, data_dir: Path, run_cli: RunCli, capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...], error: str,
) -> None:  # fmt: skip
    assert cli(run_cli, data_dir, *args) == 2
    assert capsys.readouterr().err == error


def test_a_date_that_is_not_a_date_is_a_usage_error(
    data_dir: Path, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        cli(run_cli, data_dir, "team", "--from", "03/2025")
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert (
        "'03/2025' is not a date: type the day first, then month and year, as in 07/12/2026" in err
    )
    assert err.count("\n") == 1


def test_team_json_lists_who_is_overdue_for_an_observation(
    services: Services, staff: Staff, record: Recorder, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    record.observation(date(2025, 1, 13), overall="good")
    record.observation(date(2025, 5, 19), person=staff.senior, overall=RI)

    assert cli(run_cli, data_dir, "team", "--json") == 0

    shown = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    worker, senior = shown["Siobhán Walker"], shown["Zoë Green"]
    assert (worker["last_observed"], worker["overdue_for_observation"]) == ("2025-01-13", True)
    assert worker["observation_due_by"] == "2025-04-13"
    assert (senior["latest_overall"], senior["overdue_for_observation"]) == (
        "Requires improvement to be good",
        False,
    )
    assert senior["observations_in_period"] == 1


def test_team_prints_one_line_per_worker_and_a_total(
    services: Services, staff: Staff, record: Recorder, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    record.observation(date(2025, 1, 13), overall="good")
    added_on(services.db, staff.manager, date(2024, 1, 8))

    assert cli(run_cli, data_dir, "team", "--team", "children in care") == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Observations counted from 2024-06-12 to 2025-06-12."
    assert [line.split("  ")[0].strip() for line in lines[1:-1]] == [
        "Łukasz Nowak",
        "Morag Campbell",
        "Siobhán Walker",
        "Zoë Green",
    ]
    assert lines[-1] == "4 workers; 2 overdue for an observation."
    overdue = [line.split("  ")[0] for line in lines if "OVERDUE for an observation" in line]
    assert overdue == ["Morag Campbell", "Siobhán Walker"]


def test_the_review_settings_are_shown_and_set_and_the_change_audited(
    services: Services, staff: Staff, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert cli(run_cli, data_dir, "asye-observations") == 0
    assert cli(run_cli, data_dir, "observation-interval") == 0
    assert capsys.readouterr().out.splitlines() == [
        "A newly qualified worker needs 3 direct observations of practice in their ASYE year.",
        "A worker is overdue for an observation when none has been recorded for 3 months.",
    ]

    assert cli(run_cli, data_dir, "asye-observations", "4") == 0
    assert cli(run_cli, data_dir, "observation-interval", "1") == 0
    assert capsys.readouterr().out.splitlines() == [
        "A newly qualified worker needs 4 direct observations of practice in their ASYE year.",
        "A worker is overdue for an observation when none has been recorded for a month.",
    ]
    assert cli(run_cli, data_dir, "audit", "list", "--json") == 0
    events = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in events[:2]] == ["observation_interval", "asye_requirement"]
