"""Commands racing each other on one store, as real processes: every transaction reads
and writes as one, so each outcome is one that could have happened one command after the
other, and a command that loses the race says so in one sentence and changes nothing.

Before transactions really began when they began (the driver began them at the first
write), `sign` could report success and then an import erase the signature, and imports
of bundles from the same store clashed on a team each had just found missing."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from observer.services import open_services
from observer.vocabulary import Role, SignatureRole
from tests.support.core import trusting
from tests.support.passphrase import STORE_PASSPHRASE

pytestmark = pytest.mark.e2e

ROUNDS = 6
NEW_TEXT = "Rewritten on another laptop after the first copy was shared."
CRASHED = ("Something went wrong", "Traceback")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVER_")}
    return {**env, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE}


def _argv(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "observer", "--data-dir", str(data_dir), *args]


def observer(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _argv(data_dir, *args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(),
        timeout=120,
        check=False,
    )


def started(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _argv(data_dir, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=_env(),
    )


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    """The exit code, and what the command said (standard output, then standard error)."""
    out, err = process.communicate(timeout=120)
    assert not any(c in err for c in CRASHED), err
    assert process.returncode in (0, 2), err
    if process.returncode == 2:
        assert len(err.strip().splitlines()) == 1, err  # one sentence
    return process.returncode, out + err


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A small demo store, and a plain bundle of everything in it."""
    root = tmp_path_factory.mktemp("race")
    data_dir = root / "data"
    # A laptop with a user, so its sign-offs carry its digital signature and can travel.
    services = open_services(data_dir, STORE_PASSPHRASE)
    services.profiles.set_up("Ceri Lewis", Role.PRACTICE_LEAD, "Northshire County Council")
    services.close()
    done = observer(data_dir, "demo", "--workers", "2", "--observations", "4", "--seed", "5")
    assert done.returncode == 0, done.stderr
    bundle = root / "all.json"
    done = observer(data_dir, "export-json", "--plain", "-o", str(bundle))
    assert done.returncode == 0, done.stderr
    return data_dir, json.loads(bundle.read_text(encoding="utf-8"))


def _draft_copy(bundle: dict[str, Any], revision: int, record_id: str) -> dict[str, Any]:
    """A bundle holding one unsigned draft, ready for the observer to sign: a copy of a
    signed demo record under new ids."""
    data = copy.deepcopy(bundle)
    record = data["observations"][0]
    record.update(
        id=record_id,
        revision=revision,
        status="draft",
        shown_at_signing=None,
        wording_at_signing=None,
        signatures=[],
    )
    for name in ("ratings", "actions"):
        for child in record[name]:
            child["id"] = str(uuid.uuid5(uuid.UUID(record_id), child["id"]))
    if revision > 1:
        record["strengths"] = NEW_TEXT
    data["observations"] = [record]
    return data


def test_signing_racing_an_import_of_a_newer_copy_never_loses_the_signature(
    store: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data_dir, bundle = store
    observer_name = next(
        p["name"] for p in bundle["people"] if p["id"] == bundle["observations"][0]["observer_id"]
    )
    for round_ in range(ROUNDS):
        record_id = str(uuid.uuid4())
        first, newer = tmp_path / f"first-{round_}.json", tmp_path / f"newer-{round_}.json"
        first.write_text(json.dumps(_draft_copy(bundle, 1, record_id)), encoding="utf-8")
        newer.write_text(json.dumps(_draft_copy(bundle, 2, record_id)), encoding="utf-8")
        done = observer(data_dir, "import", str(first))
        assert done.returncode == 0, done.stderr

        sign_args = ("sign", record_id, "--role", "observer", "--name", observer_name)
        # Stagger the two starts a little differently each round, so the transactions
        # overlap at different points.
        importing = started(data_dir, "import", str(newer))
        time.sleep(0.04 * round_)
        signing = started(data_dir, *sign_args)
        imported, import_err = finished(importing)
        signed, sign_err = finished(signing)

        services = open_services(data_dir, STORE_PASSPHRASE)
        try:
            signatures = services.signoff.signatures(uuid.UUID(record_id))
            current = services.signoff.current_hash(uuid.UUID(record_id))
            strengths = services.recording.get(uuid.UUID(record_id)).strengths
        finally:
            services.close()
        if signed == 0:
            # Whatever the import did, the signature said to be made is there, and it is
            # of the content the record holds now.
            assert [g.role for g in signatures] == [SignatureRole.OBSERVER], sign_err
            assert signatures[0].content_hash == current
            if strengths == NEW_TEXT:  # the import landed first, and that was signed
                assert imported == 0, import_err
                assert "1 updated" in import_err
            else:  # the import came after the signature: the signed content stands, and
                # the draft's other words are set aside as a conflict (issue 16)
                assert imported == 2 or "1 merged with 1 conflict" in import_err, import_err
        else:
            assert signatures == []
            assert imported == 0, (sign_err, import_err)
            assert strengths == NEW_TEXT

    assert observer(data_dir, "audit", "verify").returncode == 0


def test_six_imports_of_bundles_from_one_store_into_a_new_store_do_not_clash(
    store: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    source, _ = store
    bundles = []
    for i in range(6):
        path = tmp_path / f"export-{i}.json"
        done = observer(source, "export-json", "--plain", "-o", str(path))
        assert done.returncode == 0, done.stderr
        bundles.append(path)
    target = tmp_path / "new-store"
    knowing, known = (
        open_services(target, STORE_PASSPHRASE),
        open_services(source, STORE_PASSPHRASE),
    )
    try:
        trusting(knowing, known)  # the new store's user trusts the source laptop's certificate
    finally:
        known.close()
        knowing.close()

    processes = [started(target, "import", str(path)) for path in bundles]
    results = [finished(p) for p in processes]

    for _, err in results:
        assert "clashes" not in err, err
        assert "UNIQUE" not in err
    assert any(code == 0 for code, _ in results)
    listed = observer(target, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(json.loads(_listed(source)))
    assert observer(target, "audit", "verify").returncode == 0


def _listed(data_dir: Path) -> str:
    done = observer(data_dir, "list", "--json")
    assert done.returncode == 0, done.stderr
    return done.stdout
