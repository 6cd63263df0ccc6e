"""`observer setup`, `observer profile` and `observer people` as real processes: a change
of user is another person, never a rename; a correction is the same person; merging
duplicates keeps a signed summary verifiable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.test_cli_smoke import observer

pytestmark = pytest.mark.e2e

SETUP = ("--role", "practice_lead", "--organisation", "Northshire County Council")


def _ok(data_dir: Path, *args: str) -> str:
    done = observer(data_dir, *args)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return done.stdout


def test_setup_for_another_name_is_another_person_and_a_correction_is_the_same(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    _ok(data, "setup", "--name", "Ayaan Hughes", *SETUP)

    said = _ok(data, "setup", "--name", "Priya Shah", *SETUP)

    assert said.startswith("This laptop is now used by Priya Shah, Practice lead")
    assert "a different person, not Ayaan Hughes" in said
    people = json.loads(_ok(data, "people", "list", "--json"))
    assert sorted(p["name"] for p in people) == ["Ayaan Hughes", "Priya Shah"]

    said = _ok(data, "profile", "--correct-name", "Priya Shaw")

    assert said == "Corrected: this laptop is used by Priya Shaw, Practice lead, " + (
        "Northshire County Council.\n"
    )
    people = json.loads(_ok(data, "people", "list", "--json"))
    assert sorted(p["name"] for p in people) == ["Ayaan Hughes", "Priya Shaw"]
    # The same name and role again is that person, not a third.
    _ok(data, "setup", "--name", "ayaan hughes", *SETUP)
    assert len(json.loads(_ok(data, "people", "list", "--json"))) == 2


def test_a_signed_summary_still_verifies_after_its_observer_is_merged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ok(data, "setup", "--name", "Ayaan Hughes", *SETUP)
    _ok(data, "demo", "--workers", "3", "--observations", "30", "--seed", "4")
    records = json.loads(_ok(data, "list", "--json"))
    signed = next(r for r in records if r["observer"] == "Ayaan Hughes" and r["status"] == "signed")
    pdf = tmp_path / "summary.pdf"
    _ok(data, "pdf", signed["id"], "-o", str(pdf))
    said = _ok(data, "setup", "--name", "Ayaan Hughes", "--new-person", *SETUP)
    found = re.search(r"\(id ([0-9a-f-]{36})\)", said)
    assert found is not None, said
    first = found[1]
    second = next(
        p["id"]
        for p in json.loads(_ok(data, "people", "list", "--json"))
        if p["name"] == "Ayaan Hughes" and p["id"] != first
    )

    said = _ok(data, "people", "merge", second, first)

    assert said.startswith("Merged Ayaan Hughes into Ayaan Hughes: ")
    assert "signed: they keep their content and signatures as signed" in said
    verified = observer(data, "verify", str(pdf))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert observer(data, "audit", "verify").returncode == 0
    names = [p["id"] for p in json.loads(_ok(data, "people", "list", "--json"))]
    assert first not in names
    assert second in names
    after = {r["id"]: r for r in json.loads(_ok(data, "list", "--json"))}
    assert after[signed["id"]]["observer"] == "Ayaan Hughes"


def test_demo_adds_more_to_a_sample_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ok(data, "setup", "--name", "Ayaan Hughes", *SETUP)
    _ok(data, "demo", "--workers", "2", "--observations", "2", "--seed", "1")
    assert observer(data, "demo", "--workers", "2", "--observations", "2").returncode == 0
