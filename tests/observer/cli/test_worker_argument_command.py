"""Every command that takes a worker takes them the same way (People.resolve_worker): the
full name, a part only their name has, the staff reference, or the id."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from observer.bundle import read_bundle
from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind, Role
from tests.support.cli import run_cli
from tests.support.passphrase import STORE_PASSPHRASE

ENV = {"OBSERVER_PASSPHRASE": STORE_PASSPHRASE}


@pytest.fixture
def zoe(services: Services) -> uuid.UUID:
    """Zoë with one observation, Sam and Samira with one each, and two people called
    Twin Name; the store closed again, as a command finds it."""
    people = services.people
    lead = people.add_person(PersonDetails("Ada Lead", Role.PRACTICE_LEAD))
    zoe = people.add_person(
        PersonDetails("Zoë Łukasiewicz", Role.SOCIAL_WORKER, staff_reference="NS-104")
    )
    for name in ("Sam Patel", "Samira Khan", "Twin Name", "Twin Name"):
        worker = people.add_person(PersonDetails(name, Role.SOCIAL_WORKER))
        services.recording.create_draft(
            DraftDetails(worker, lead, Kind.HOME_VISIT, datetime.now(UTC))
        )
    services.recording.create_draft(DraftDetails(zoe, lead, Kind.HOME_VISIT, datetime.now(UTC)))
    services.close()
    return zoe


def ways_to_name(zoe: uuid.UUID) -> list[str]:
    return ["Zoë Łukasiewicz", "zoe lukasiewicz", "lukas", "ns-104", str(zoe)]


def test_list_takes_a_worker_every_way(data_dir: Path, zoe: uuid.UUID) -> None:
    for typed in ways_to_name(zoe):
        code, out, err = run_cli(
            ["--data-dir", str(data_dir), "list", "--worker", typed, "--json"], ENV
        )
        assert (code, err) == (0, ""), typed
        assert [row["worker"] for row in json.loads(out)] == ["Zoë Łukasiewicz"], typed


def test_export_takes_a_worker_every_way(data_dir: Path, zoe: uuid.UUID, tmp_path: Path) -> None:
    for n, typed in enumerate(ways_to_name(zoe)):
        target = tmp_path / f"zoe-{n}.bundle"
        code, out, err = run_cli(
            ["--data-dir", str(data_dir), "export-json", "--worker", typed, "-o", str(target)], ENV
        )
        assert (code, err) == (0, ""), typed
        assert out.startswith("Wrote 1 observations, ")
        bundle = read_bundle(target, STORE_PASSPHRASE)
        assert [o["observed_person_id"] for o in bundle["observations"]] == [str(zoe)]


def test_worker_takes_a_worker_every_way(data_dir: Path, zoe: uuid.UUID) -> None:
    for typed in ways_to_name(zoe):
        code, out, err = run_cli(["--data-dir", str(data_dir), "worker", typed, "--json"], ENV)
        assert (code, err) == (0, ""), typed
        assert json.loads(out)["worker"]["id"] == str(zoe)


@pytest.mark.parametrize(
    "command",
    [
        ["list", "--worker"],
        ["export-json", "-o", "out.bundle", "--worker"],
        ["worker"],
        ["history", "-o", "out.pdf"],
    ],
    ids=["list", "export-json", "worker", "history"],
)
@pytest.mark.parametrize(
    ("typed", "starts"),
    [
        ("Nobody Here", "observer: No one called 'Nobody Here' is in this store.\n"),
        ("twin name", "observer: 2 people are called 'twin name': Twin Name (id "),
        ("sam", "observer: 2 people have names containing 'sam': Sam Patel (id "),
    ],
    ids=["unknown", "same-name", "same-part"],
)
def test_no_one_or_several_is_one_line_and_exit_2(
    data_dir: Path, zoe: uuid.UUID, tmp_path: Path, command: list[str], typed: str, starts: str
) -> None:
    code, out, err = run_cli(["--data-dir", str(data_dir), *command, typed], ENV, cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err.startswith(starts)
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert not (tmp_path / "out.bundle").exists()
    assert not (tmp_path / "out.pdf").exists()
