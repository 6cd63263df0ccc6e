"""A store an earlier version left unencrypted, opened by the command line: what it says
before a passphrase is set, and that encrypting and upgrading it are told and recorded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from observer.paths import database_path
from observer.security.unlock import StoreState, store_state
from observer.store.db import SCHEMA_HEAD
from tests.support.cli import run_cli
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.paths import FIXTURES


@pytest.mark.parametrize("schema", ["0001", "0002"])
def test_an_unencrypted_store_is_described_truly_then_encrypted_and_upgraded_out_loud(
    tmp_path: Path, schema: str
) -> None:
    data_dir = tmp_path / "earlier"
    data_dir.mkdir()
    shutil.copyfile(FIXTURES / f"schema-{schema}.sqlite", database_path(data_dir))
    argv = ["--data-dir", str(data_dir)]

    shut = run_cli([*argv, "list"], {})
    assert shut.exit_code == 2
    assert shut.stderr == (
        "observer: The store is not encrypted yet: set OBSERVER_PASSPHRASE to the passphrase "
        "it should have; it will be encrypted with it.\n"
    )
    assert store_state(data_dir) is StoreState.PLAIN

    opened = run_cli([*argv, "list", "--json"], {"OBSERVER_PASSPHRASE": STORE_PASSPHRASE})
    assert opened.exit_code == 0, opened.stderr
    json.loads(opened.stdout)  # the script's output stays JSON alone
    said = opened.stderr.splitlines()
    assert said[0] == (
        "observer: The store, left unencrypted by an earlier version, is now encrypted with "
        "the passphrase in OBSERVER_PASSPHRASE; that passphrase opens it from now on."
    )
    assert said[1].startswith(
        f"observer: Upgraded the store from schema {schema} to {SCHEMA_HEAD}; the store as it "
        f"was is kept in {data_dir}"
    )
    backup = Path(said[1].split(" is kept in ", 1)[1].removesuffix("."))
    assert backup.is_file()
    assert len(said) == 2
    assert store_state(data_dir) is StoreState.ENCRYPTED

    trail = run_cli([*argv, "audit", "list", "--json"], {"OBSERVER_PASSPHRASE": STORE_PASSPHRASE})
    assert trail.stderr == ""  # opened again, it has nothing more to say
    newest = json.loads(trail.stdout)[:2]
    assert [(e["action"], e["record_type"]) for e in newest] == [
        ("upgrade", "store"),
        ("encrypt", "store"),
    ]
    assert newest[0]["detail"] == (
        f"schema {schema} to {SCHEMA_HEAD}; the store as it was is kept in the backup {backup.name}"
    )
    verified = run_cli([*argv, "audit", "verify"], {"OBSERVER_PASSPHRASE": STORE_PASSPHRASE})
    assert verified.exit_code == 0, verified.stdout
