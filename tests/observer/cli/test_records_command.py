"""The records commands (list, export-json, import), frameworks and demo, run in-process as
a user or a script would run them (tests/e2e/test_cli_smoke.py runs each as a process)."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from observer.bundle import read_bundle
from observer.cli.records import listed
from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import open_services
from observer.store.filters import ObservationFilter
from observer.vocabulary import Kind, Role
from tests.support.commands import SHIPPED, listing, observer, one_line_error
from tests.support.core import CONSENT, WHEN, trusting
from tests.support.passphrase import STORE_PASSPHRASE

FRAMEWORK_NAMES = [
    "Practice observation of direct work",
    "Knowledge and skills statement for child and family practitioners",
    "Knowledge and skills statement for practice supervisors",
    "Professional Capabilities Framework (ASYE)",
]


def export(data_dir: Path, target: Path, *args: str) -> dict[str, Any]:
    """Exports, sealed as by default, and opens the bundle with the store's passphrase."""
    done = observer(data_dir, "export-json", "-o", str(target), *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(", encrypted.")
    return read_bundle(target, STORE_PASSPHRASE)


def knowing(data_dir: Path, *laptops: Path) -> Path:
    """A store at `data_dir` that knows the signing certificates of these laptops' sign-offs,
    as one whose user trusted them; `data_dir` itself."""
    target = open_services(data_dir, STORE_PASSPHRASE)
    try:
        for laptop in laptops:
            source = open_services(laptop, STORE_PASSPHRASE)
            try:
                trusting(target, source)
            finally:
                source.close()
    finally:
        target.close()
    return data_dir


def test_a_bundle_is_sealed_unless_asked_for_plain_and_then_warns(
    demo_dir: Path, demo_rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    sealed, plain = tmp_path / "sealed.bundle", tmp_path / "plain.json"
    export(demo_dir, sealed)
    done = observer(demo_dir, "export-json", "-o", str(plain), "--plain")

    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("observer: warning: plain.json is not encrypted")
    assert len(done.stderr.splitlines()) == 1
    worker = demo_rows[0]["worker"].encode("utf-8")
    assert worker in plain.read_bytes()
    assert worker not in sealed.read_bytes()
    readable, opened = (
        json.loads(plain.read_text(encoding="utf-8")),
        read_bundle(sealed, STORE_PASSPHRASE),
    )
    del readable["exported_at"], opened["exported_at"]
    assert readable == opened


def test_a_sealed_bundle_needs_its_passphrase(
    demo_dir: Path, demo_rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    sealed = tmp_path / "handover.bundle"
    done = observer(
        demo_dir,
        "export-json",
        "-o",
        str(sealed),
        env={**os.environ, "OBSERVER_BUNDLE_PASSPHRASE": "agreed with the office"},
    )
    assert done.returncode == 0, done.stderr

    refused = observer(knowing(tmp_path / "office", demo_dir), "import", str(sealed))
    assert refused.returncode == 2
    assert refused.stderr == (
        "observer: The store's passphrase does not open handover.bundle, or the file has been "
        "altered: if it was sealed on another laptop, set OBSERVER_BUNDLE_PASSPHRASE to the "
        "passphrase it was sealed with.\n"
    )
    wrong = observer(
        tmp_path / "office",
        "import",
        str(sealed),
        env={**os.environ, "OBSERVER_BUNDLE_PASSPHRASE": "agreed with the other office"},
    )
    assert wrong.returncode == 2
    assert wrong.stderr == (
        "observer: The passphrase in OBSERVER_BUNDLE_PASSPHRASE does not open handover.bundle, "
        "or the file has been altered: set OBSERVER_BUNDLE_PASSPHRASE to the passphrase it was "
        "sealed with.\n"
    )
    opened = observer(
        tmp_path / "office",
        "import",
        str(sealed),
        env={**os.environ, "OBSERVER_BUNDLE_PASSPHRASE": "agreed with the office"},
    )
    assert opened.returncode == 0, opened.stderr
    assert listing(tmp_path / "office") == demo_rows


def test_import_help_names_the_bundle_passphrase(tmp_path: Path) -> None:
    """Both `observer --help`'s import line and `observer import --help` say where the
    passphrase of a bundle sealed elsewhere goes."""
    overview = observer(tmp_path, "--help")
    assert overview.returncode == 0, overview.stderr
    words = " ".join(overview.stdout.split())
    import_line = words.split(" import ", 1)[1].split(" frameworks ", 1)[0]
    assert "$OBSERVER_BUNDLE_PASSPHRASE" in import_line
    detail = observer(tmp_path, "import", "--help")
    assert detail.returncode == 0, detail.stderr
    assert "set OBSERVER_BUNDLE_PASSPHRASE to the passphrase it was sealed with" in " ".join(
        detail.stdout.split()
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    # A laptop with a user, so its sign-offs carry its digital signature.
    services = open_services(data_dir, STORE_PASSPHRASE)
    services.profiles.set_up("Ceri Lewis", Role.PRACTICE_LEAD, "Northshire County Council")
    services.close()
    done = observer(data_dir, "demo", "--workers", "8", "--observations", "40", "--seed", "17")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "Added 3 teams, 13 people and 40 observations of fictional sample data; this is a "
        "sample store now, and everything exported from it says SAMPLE."
    )
    assert done.stderr == ""
    return data_dir


@pytest.fixture(scope="module")
def demo_rows(demo_dir: Path) -> list[dict[str, Any]]:
    return listing(demo_dir)


def test_list_json_gives_every_observation_newest_first(demo_rows: list[dict[str, Any]]) -> None:
    assert len(demo_rows) == 40
    for row in demo_rows:
        assert {"id", "worker", "observer", "kind", "date", "status"} <= set(row)
        assert row["status"] in {"draft", "ready", "signed"}
        assert row["worker"]
        assert row["observer"]
        assert row["worker"] != row["observer"]
        date.fromisoformat(row["date"])
    assert len({row["id"] for row in demo_rows}) == 40
    dates = [row["date"] for row in demo_rows]
    assert dates == sorted(dates, reverse=True)


def test_list_for_one_worker_shows_only_theirs(
    demo_dir: Path, demo_rows: list[dict[str, Any]]
) -> None:
    workers = sorted(row["worker"] for row in demo_rows)
    name = max(workers, key=workers.count)

    rows = listing(demo_dir, "--worker", name)

    assert rows == [row for row in demo_rows if row["worker"] == name]
    assert 1 < len(rows) < len(demo_rows)
    assert listing(demo_dir, "--worker", f"  {name.lower()} ") == rows


def test_list_as_text_shows_one_line_per_observation(
    demo_dir: Path, demo_rows: list[dict[str, Any]]
) -> None:
    done = observer(demo_dir, "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 40
    assert lines[0].startswith(demo_rows[0]["date"])
    assert lines[0].endswith(demo_rows[0]["id"])


@pytest.mark.parametrize("columns", [None, 120])
def test_list_of_short_kinds_keeps_one_line_per_observation(
    store_dir: Path, columns: int | None
) -> None:
    """Only home visits, in a pipe (as README's walk-through pipes it) or a wide terminal:
    before, a kind shorter than the narrowest wrap sent each observation over four lines."""
    services = open_services(store_dir, STORE_PASSPHRASE)
    try:
        services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire County Council")
        me = services.profiles.current().person_id  # type: ignore[union-attr]
        worker = services.people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER))
        draft = services.recording.create_draft(
            DraftDetails(worker, me, Kind.HOME_VISIT, WHEN, **CONSENT)
        )
        rows = services.recording.list(ObservationFilter())
    finally:
        services.close()
    lines = listed(rows, columns)
    assert len(lines) == 1
    shape = rf"\d{{4}}-\d\d-\d\d  draft   Home visit  Siobhán Walker  {draft}"
    assert re.fullmatch(shape, lines[0])
    if columns is None:
        done = observer(store_dir, "list")
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == lines


def test_list_of_an_unknown_worker_fails_in_one_line(demo_dir: Path) -> None:
    line = one_line_error(observer(demo_dir, "list", "--worker", "Nobody Atall"))
    assert "Nobody Atall" in line


def test_export_then_import_gives_the_same_records_elsewhere(
    demo_dir: Path, demo_rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    exported = export(demo_dir, tmp_path / "all.json")
    other = knowing(tmp_path / "other", demo_dir)

    done = observer(other, "import", str(tmp_path / "all.json"))

    assert done.returncode == 0, done.stderr
    assert "observations: 40 added" in done.stdout
    assert listing(other) == demo_rows
    again = export(other, tmp_path / "again.json")
    del exported["exported_at"], again["exported_at"]
    del exported["exported_by"], again["exported_by"]  # each laptop's own user
    assert again == exported


def test_export_of_one_worker_imports_on_its_own(
    demo_dir: Path, demo_rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    name = demo_rows[0]["worker"]
    bundle = export(demo_dir, tmp_path / "one.json", "--worker", name)
    assert {o["id"] for o in bundle["observations"]} == {
        row["id"] for row in demo_rows if row["worker"] == name
    }

    done = observer(knowing(tmp_path / "other", demo_dir), "import", str(tmp_path / "one.json"))

    assert done.returncode == 0, done.stderr
    assert listing(tmp_path / "other") == [row for row in demo_rows if row["worker"] == name]


def test_frameworks_list_shows_the_four_shipped_frameworks(tmp_path: Path, store_dir: Path) -> None:
    done = observer(store_dir, "frameworks", "list")
    assert done.returncode == 0, done.stderr
    for name in FRAMEWORK_NAMES:
        assert name in done.stdout
    assert "in force until 31 March 2027" in done.stdout
    assert len(done.stdout.strip().splitlines()) == 4


def _framework_file(tmp_path: Path, change: str) -> Path:
    data = json.loads((SHIPPED / "direct-work-practice.json").read_text(encoding="utf-8"))
    data["version"] = 2
    if change == "version 0":
        data["version"] = 0
    elif change == "kind not text":
        data["default_for"]["kinds"] = [["direct_work"]]
    elif change == "version too big":
        data["version"] = 2**64
    path = tmp_path / "our-framework.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("version 0", "version"),
        ("kind not text", "default_for.kinds[0]"),
        ("version too big", "version"),
    ],
)
def test_importing_a_malformed_framework_names_the_file_and_field_and_installs_nothing(
    tmp_path: Path, change: str, field: str, store_dir: Path
) -> None:
    path = _framework_file(tmp_path, change)

    line = one_line_error(observer(store_dir, "frameworks", "import", str(path)))

    assert "our-framework.json" in line
    assert field in line
    done = observer(store_dir, "frameworks", "list", "--json")
    assert [(f["key"], f["version"]) for f in json.loads(done.stdout)].count(
        ("direct-work-practice", 2)
    ) == 0
    assert len(json.loads(done.stdout)) == 4


def test_importing_a_new_framework_version_adds_it(tmp_path: Path, store_dir: Path) -> None:
    path = _framework_file(tmp_path, "none")
    done = observer(store_dir, "frameworks", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "direct-work-practice v2" in done.stdout
    listed = json.loads(observer(store_dir, "frameworks", "list", "--json").stdout)
    assert ("direct-work-practice", 2) in [(f["key"], f["version"]) for f in listed]


def test_an_unknown_command_fails_in_one_line(tmp_path: Path, store_dir: Path) -> None:
    line = one_line_error(observer(store_dir, "frobnicate"))
    assert "frobnicate" in line


def test_importing_a_file_that_is_not_json_fails_in_one_line(
    tmp_path: Path, store_dir: Path
) -> None:
    path = tmp_path / "notes.json"
    path.write_text("Home visit went well.\n", encoding="utf-8")

    line = one_line_error(observer(store_dir, "import", str(path)))

    assert "notes.json" in line
    assert "not valid JSON" in line
    assert listing(store_dir) == []


def test_importing_a_file_that_does_not_exist_fails_in_one_line(
    tmp_path: Path, store_dir: Path
) -> None:
    line = one_line_error(observer(store_dir, "import", str(tmp_path / "gone.json")))
    assert "gone.json" in line


def test_the_data_dir_comes_from_the_environment_when_not_given(tmp_path: Path) -> None:
    from_env = tmp_path / "from-env"
    env = {**os.environ, "OBSERVER_DATA_DIR": str(from_env)}

    done = observer(None, "demo", "--workers", "2", "--observations", "3", "--seed", "1", env=env)

    assert done.returncode == 0, done.stderr
    assert (from_env / "observer.sqlite").exists()
    assert len(listing(from_env)) == 3
    assert len(json.loads(observer(None, "list", "--json", env=env).stdout)) == 3


def test_a_data_dir_that_is_a_file_fails_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    one_line_error(observer(blocker, "list"))


def test_export_to_a_folder_is_refused_and_leaves_no_copy_behind(
    demo_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "exports"
    target.mkdir()

    done = observer(demo_dir, "export-json", "-o", str(target))

    assert done.returncode == 2
    assert "is a folder; give a file name for the bundle." in one_line_error(done)
    assert list(tmp_path.glob("*.partial")) == []
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("passphrase", ["x", "seven77", " agreed with the office"])
def test_a_bundle_passphrase_weaker_than_the_stores_is_refused_and_nothing_is_written(
    demo_dir: Path, tmp_path: Path, passphrase: str
) -> None:
    sealed = tmp_path / "handover.bundle"
    done = observer(
        demo_dir,
        "export-json",
        "-o",
        str(sealed),
        env={**os.environ, "OBSERVER_BUNDLE_PASSPHRASE": passphrase},
    )
    error = one_line_error(done)
    assert error.startswith("observer: The bundle's passphrase ")
    assert error.endswith("; nothing was exported.")
    assert not sealed.exists()


@pytest.mark.parametrize("command", [["list"], ["team"], ["verify", "s.pdf"]])
def test_a_data_folder_with_no_store_is_not_made_into_one(
    tmp_path: Path, command: list[str]
) -> None:
    """A mistyped --data-dir gets one sentence naming the folder, and no empty store appears
    there; only `setup`, `demo` and `import` start a store."""
    typo = tmp_path / "observr"

    line = one_line_error(observer(typo, *command))

    assert line == (
        f"observer: There is no Practice Observer store in {typo}: check --data-dir (or "
        f"$OBSERVER_DATA_DIR), or make one with `observer --data-dir {typo} setup --name NAME "
        "--role ROLE --organisation NAME`."
    )
    assert not typo.exists()


def test_setup_makes_the_store_in_a_new_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "new laptop"
    done = observer(
        folder,
        "setup",
        "--name",
        "Priya Shah",
        "--role",
        "practice_lead",
        "--organisation",
        "Northshire County Council",
    )

    assert done.returncode == 0, done.stderr
    listed = observer(folder, "list")
    assert (listed.returncode, listed.stdout) == (0, "No observations yet.\n")
