"""What `observer restore` and `observer backups` tell a user: the restore's audit event
names where a store that could not be read is kept; kept-aside stores are listed; the
confirmation's numbers agree and name what notable events are lost; a store this
passphrase cannot read is never called sound; a backup from before a passphrase change
leaves the signing identity under the newer passphrase, and the commands say how to bring
it across."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest

from observer.paths import database_path
from observer.services import Services, open_services
from observer.vocabulary import SignatureRole
from tests.observer.store.test_backups import damage
from tests.support.cli import run_cli
from tests.support.core import NewDraft, RunCli, Staff
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.signing import CODES

NEW = "a quite different passphrase"


def observer(data_dir: Path, passphrase: str, *args: str, **env: str) -> tuple[int, str, str]:
    argv = ["--data-dir", str(data_dir), *args]
    return tuple(run_cli(argv, {"OBSERVER_PASSPHRASE": passphrase, **env}))  # type: ignore[return-value]


def test_a_restore_over_a_damaged_store_says_in_the_audit_trail_where_it_is_kept(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    new_draft()
    backup = services.backups.make()
    services.close()
    data_dir = services.data_dir
    damage(database_path(data_dir), 0, 3)

    code, out, err = observer(data_dir, STORE_PASSPHRASE, "restore", str(backup), "--yes")
    assert code == 0, err
    kept = next(data_dir.glob("observer-damaged-*.sqlite"))
    assert f"kept, unchanged, as {kept}" in out

    code, out, err = observer(data_dir, STORE_PASSPHRASE, "audit", "list", "--limit", "1")
    assert code == 0, err
    assert "there was no store to replace" not in out
    assert f"the replaced store could not be read and is kept aside as {kept.name}" in out

    code, out, _ = observer(data_dir, STORE_PASSPHRASE, "backups")
    assert code == 0
    listed = [line for line in out.splitlines() if str(kept) in line]
    assert len(listed) == 1
    assert "kept aside: could not be read" in listed[0]
    assert str(backup) in out
    code, out, _ = observer(data_dir, STORE_PASSPHRASE, "backups", "--json")
    rows = json.loads(out)
    assert {(r["path"], r["kept_aside"]) for r in rows} >= {(str(kept), True), (str(backup), False)}


def test_an_old_passphrase_over_a_damaged_store_is_not_told_the_store_is_sound(
    services: Services, staff: Staff, tmp_path: Path
) -> None:
    copy = tmp_path / "observer-manual-20240101T000000000000Z.sqlite"
    copy.write_bytes(services.backups.make().read_bytes())  # outside backups/: not re-keyed
    services.change_passphrase(STORE_PASSPHRASE, NEW, NEW)
    services.close()
    store = database_path(services.data_dir)
    damaged = damage(store, 0, 3)

    code, _, err = observer(services.data_dir, STORE_PASSPHRASE, "restore", str(copy), "--yes")

    assert code == 2
    assert "not damaged" not in err
    assert "cannot tell whether the store is damaged or under another passphrase" in err
    assert "Restore with the store's current passphrase" in err
    assert store.read_bytes() == damaged


def test_the_confirmation_counts_audit_events_and_says_apart_what_observations_changed(
    services: Services, staff: Staff, new_draft: NewDraft, run_cli: RunCli, capsys
) -> None:
    backup = services.backups.make()
    new_draft()
    new_draft()
    services.close()

    assert run_cli(["--data-dir", str(services.data_dir), "restore", str(backup)]) == 2

    said = capsys.readouterr().out
    assert "among them" not in said
    assert "holds 2 audit events made after" in said
    assert "2 observations in it were created or last changed after that time" in said
    assert "--discard-changes 2" in said


def test_the_confirmation_names_a_passphrase_change_and_a_setup_it_would_take_out(
    services: Services, run_cli: RunCli, capsys
) -> None:
    from observer.vocabulary import Role

    backup = services.backups.make()  # before anyone set this laptop up
    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire County Council")
    services.change_passphrase(STORE_PASSPHRASE, NEW, NEW)
    services.close()

    env = {"OBSERVER_PASSPHRASE": NEW}
    code, out, err = run_cli_env(
        ["--data-dir", str(services.data_dir), "restore", str(backup)], env
    )

    assert code == 2, err
    assert "the passphrase change" in out
    assert "opens with the passphrase the backup was made under" in out
    assert "the laptop user's setup (run setup again after the restore)" in out


def run_cli_env(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    return tuple(run_cli(argv, env))  # type: ignore[return-value]


def _ready_to_sign(services: Services, new_draft: NewDraft) -> uuid.UUID:
    draft = new_draft()
    recording = services.recording
    recording.update(draft, {"overall_level": "good", "overall_rationale": "Warm, clear."})
    for code in CODES:
        recording.set_rating(draft, code, level_code="good", evidence=f"Seen in part {code}.")
    return draft


@pytest.mark.parametrize("lead_is_this_laptops_user", [True])
def test_a_backup_from_before_a_passphrase_change_says_how_to_bring_the_identity_across(
    services: Services, staff: Staff, new_draft: NewDraft, tmp_path: Path
) -> None:
    record = _ready_to_sign(services, new_draft)
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")  # makes the identity
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    copy = tmp_path / "observer-manual-20240101T000000000000Z.sqlite"
    copy.write_bytes(services.backups.make().read_bytes())  # outside backups/: not re-keyed
    services.change_passphrase(STORE_PASSPHRASE, NEW, NEW)
    services.close()
    data_dir = services.data_dir
    for lost in data_dir.glob("observer.sqlite*"):
        lost.unlink()
    shutil.rmtree(data_dir / "backups")

    code, out, err = observer(data_dir, STORE_PASSPHRASE, "restore", str(copy), "--yes")

    assert code == 0, err
    assert "now opens with the passphrase this backup was made under" in out
    assert "signing identity is under another one" in out
    adopt = (
        f"OBSERVER_P12_PASSPHRASE=<that passphrase> observer --data-dir {data_dir} identity adopt"
    )
    assert adopt in out

    code, _, err = observer(
        data_dir, STORE_PASSPHRASE, "sign", str(record), "--role", "manager",
        "--name", "Morag Campbell",
    )  # fmt: skip
    assert code == 2
    assert "nothing was signed" in err
    assert "Run `observer identity adopt` once with that passphrase in OBSERVER_P12_PASSPHRASE" in (
        err
    )
    code, _, err = observer(
        data_dir, STORE_PASSPHRASE, "pdf", str(record), "-o", str(tmp_path / "s.pdf")
    )
    assert code == 2
    assert "before a restore put back an older backup" in err

    code, out, err = observer(
        data_dir, STORE_PASSPHRASE, "identity", "adopt", OBSERVER_P12_PASSPHRASE=NEW
    )
    assert code == 0, err
    code, out, err = observer(
        data_dir, STORE_PASSPHRASE, "sign", str(record), "--role", "manager",
        "--name", "Morag Campbell",
    )  # fmt: skip
    assert code == 0, err
    reopened = open_services(data_dir, STORE_PASSPHRASE)
    try:
        assert reopened.audit.verify().ok
    finally:
        reopened.close()
