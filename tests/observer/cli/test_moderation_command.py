"""`observer moderation sample|results`, as the QA lead would script them (all names are
fictional)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from observer.services import Services
from tests.support.cli import run_cli as run_process
from tests.support.core import RunCli
from tests.support.moderation import QA_LEAD, Observers, seed_signed
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.review import Recorder
from tests.support.signing import CODES

NOT_RATED = dict.fromkeys(CODES, "not_observed")


def cli(run_cli: RunCli, data_dir: Path, *args: str) -> int:
    return run_cli(["--data-dir", str(data_dir), *args])


def test_sample_draws_prints_its_seed_and_shows_the_kept_one_again(
    services: Services, record: Recorder, observers: Observers, data_dir: Path,
    run_cli: RunCli, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    made = seed_signed(record, observers, {"lead": 6, "second_lead": 2})
    period = ["--from", "01/04/2026", "--to", "30/04/2026", "--percent", "25"]
    assert cli(run_cli, data_dir, "moderation", "sample", *period) == 0
    out = capsys.readouterr().out
    assert out.startswith("Drew a 25% sample of 01/04/2026 to 30/04/2026, seed ")
    assert "3 observations by 2 observers." in out  # 2 of 6, 1 of 2
    seed = int(out.split("seed ")[1].split(",")[0])
    assert cli(run_cli, data_dir, "moderation", "sample", *period, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["drawn_now"] is False
    assert shown["seed"] == seed
    assert {o["observation_id"] for o in shown["observations"]} <= {
        str(i) for ids in made.values() for i in ids
    }
    assert {o["observer"] for o in shown["observations"]} == {"Aled Hughes", "Dewi Pritchard"}


def test_another_sample_of_the_period_is_refused_in_one_sentence_unless_it_gives_a_reason(
    services: Services, record: Recorder, observers: Observers, data_dir: Path,
    run_cli: RunCli, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    seed_signed(record, observers, {"lead": 6})
    period = ["--from", "2026-04-01", "--to", "2026-04-30"]
    assert cli(run_cli, data_dir, "moderation", "sample", *period, "--percent", "20") == 0
    capsys.readouterr()
    assert cli(run_cli, data_dir, "moderation", "sample", *period, "--percent", "50") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "is kept, so it is not drawn again; to replace it, give the reason." in err
    assert (
        cli(
            run_cli, data_dir, "moderation", "sample", *period, "--percent", "50",
            "--supersede", "Half the team was missed.", "--seed", "9",
        )
        == 0
    )  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith("Drew a 50% sample of 01/04/2026 to 30/04/2026, seed 9")
    assert "It replaces an earlier sample because: Half the team was missed." in out


@pytest.mark.parametrize(
    "args",
    [
        ["sample", "--from", "31/02/2026", "--to", "30/04/2026", "--percent", "10"],
        ["sample", "--from", "01/04/2026", "--to", "30/04/2026", "--percent", "0"],
        ["sample", "--from", "01/04/2026", "--to", "30/04/2026", "--percent", "10"],  # none
        ["results", "--from", "30/04/2026", "--to", "01/04/2026"],
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(
    services: Services, data_dir: Path, args: list[str]
) -> None:
    ran = run_process(
        ["--data-dir", str(data_dir), "moderation", *args],
        env={"OBSERVER_PASSPHRASE": STORE_PASSPHRASE},
    )
    assert ran.exit_code == 2
    err = ran.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err


def test_results_give_agreement_per_observer_and_standard_and_who_rates_higher(
    services: Services, record: Recorder, observers: Observers, qa_lead: object,
    data_dir: Path, run_cli: RunCli, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # Each record: standard 1 Good (3), standard 2 Requires improvement (2), overall Good.
    made = seed_signed(record, observers, {"lead": 2, "second_lead": 1})
    first, second = made[observers.lead]
    (third,) = made[observers.second_lead]
    moderate = services.moderation.moderate
    moderate(first, {**NOT_RATED, "1": "good", "2": "inadequate"}, "good", "", QA_LEAD)
    moderate(second, {**NOT_RATED, "1": "outstanding", "2": "requires_improvement"},
             "outstanding", "", QA_LEAD)  # fmt: skip
    moderate(third, {**NOT_RATED, "1": "inadequate", "2": "inadequate"},
             "requires_improvement", "", QA_LEAD)  # fmt: skip

    assert cli(run_cli, data_dir, "moderation", "results", "--json") == 0
    results = json.loads(capsys.readouterr().out)
    assert results["moderations"] == 3
    lead, second_lead = results["by_observer"]
    assert lead["label"] == "Aled Hughes"
    # Pairs (observer, moderator): (3,3) (2,1) (3,4) (2,2); Not observed pairs are left out.
    assert lead["pairs"] == 4
    assert lead["exact_agreement"] == 0.5
    assert lead["within_one_level"] == 1.0
    assert (lead["observer_higher"], lead["observer_lower"], lead["same"]) == (1, 1, 2)
    assert lead["mean_difference"] == 0
    # Pairs (3,1) (2,1): two levels and one level higher than the moderator.
    assert second_lead["label"] == "Dewi Pritchard"
    assert second_lead["exact_agreement"] == 0
    assert second_lead["within_one_level"] == 0.5
    assert second_lead["mean_difference"] == 1.5
    assert second_lead["leaning"].startswith("Tends to rate higher than moderators, by 1.50")
    judgement = results["overall"]["overall_judgement"]
    assert judgement["pairs"] == 3
    assert judgement["exact_agreement"] == pytest.approx(1 / 3)
    standards = {row["label"].split(" · ")[1].split()[0]: row for row in results["by_standard"]}
    assert set(standards) == set(CODES)
    assert standards["1"]["pairs"] == 3
    assert standards["3"]["pairs"] == 0
    assert standards["3"]["too_few"] == "Too few to tell: fewer than two rated pairs."
    assert all(row["label"].startswith("Direct work") for row in results["by_standard"])

    anonymised = services.moderation.results().anonymised()
    assert [row.label for row in anonymised.by_observer] == ["Observer A", "Observer B"]
    assert [row.moderations for row in anonymised.by_observer] == [2, 1]
    assert "Aled Hughes" not in json.dumps(anonymised.as_dict())

    assert cli(run_cli, data_dir, "moderation", "results", "--from", "01/05/2026") == 0
    assert capsys.readouterr().out == "No moderations in that period.\n"
    assert cli(run_cli, data_dir, "moderation", "results") == 0
    out = capsys.readouterr().out
    assert "Aled Hughes (2 moderations, 4 rated pairs)" in out
    assert "exact 50%, within one level 100%" in out
    assert "Tends to rate higher than moderators, by 1.50 of a level on average" in out


def test_moderation_is_not_listed_by_the_period_of_its_own_signing(
    services: Services, record: Recorder, observers: Observers, qa_lead: object
) -> None:
    """The period of results is the observation's date, as the sample's is."""
    (observation,) = seed_signed(record, observers, {"lead": 1})[observers.lead]
    services.moderation.moderate(observation, NOT_RATED, "good", "", QA_LEAD)
    assert services.moderation.results(date(2026, 4, 1), date(2026, 4, 30)).moderations == 1
    assert services.moderation.results(date(2026, 5, 1), date(2026, 5, 31)).moderations == 0
