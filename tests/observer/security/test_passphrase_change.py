"""The passphrase change refuses while another process has the store open, and passphrases
are compared in one Unicode form (NFC): "Zoë" typed either way opens the same store."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from observer.bundle.sealed import seal, unseal
from observer.errors import StoreBusy
from observer.paths import backups_dir, database_path
from observer.services import Services, open_services
from observer.signing.identity import ensure_identity, identity_info
from observer.store import encryption
from observer.store.db import Database
from tests.support.passphrase import STORE_PASSPHRASE

NEW = "another passphrase entirely"
COMPOSED = unicodedata.normalize("NFC", "Zoë's garden gate")
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)

HOLDER = """
import sys
from pathlib import Path
from observer.services import open_services
services = open_services(Path(sys.argv[1]), sys.argv[2])
print(len(services.people.list_people()), flush=True)
sys.stdin.readline()
print(len(services.people.list_people()), flush=True)
services.close()
"""


def test_a_change_is_refused_while_another_process_has_the_store_open(
    services: Services,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(services.data_dir), STORE_PASSPHRASE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout is not None
        first = holder.stdout.readline()
        assert first.strip().isdigit(), holder.stderr.read() if holder.stderr else ""

        with pytest.raises(StoreBusy, match="open in another Practice Observer window"):
            services.change_passphrase(STORE_PASSPHRASE, NEW, NEW)

        out, err = holder.communicate("\n", timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert holder.returncode == 0, err
    assert out.strip() == first.strip()  # the other window still reads the store
    assert "not a database" not in err
    services.close()
    encryption.key_for(database_path(services.data_dir), STORE_PASSPHRASE)
    assert not (services.data_dir / "passphrase-change.pending").exists()


def test_a_passphrase_typed_in_either_unicode_form_opens_the_same_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    open_services(data_dir, COMPOSED).close()
    ensure_identity(data_dir, COMPOSED, "Aled Hughes", "Northshire")
    sealed = seal(b"{}", COMPOSED)

    open_services(data_dir, DECOMPOSED).close()

    assert identity_info(data_dir, DECOMPOSED).name == "Aled Hughes"
    assert unseal(sealed, DECOMPOSED, "the bundle", 100) == b"{}"


@pytest.mark.parametrize("typed_now", [DECOMPOSED, COMPOSED], ids=["decomposed", "composed"])
def test_a_store_keyed_with_the_passphrase_as_typed_is_normalised_on_opening(
    tmp_path: Path, typed_now: str
) -> None:
    """A store (with a backup and an identity) made before passphrases were normalised,
    by someone who typed the decomposed form, opens with either form and is re-keyed to
    the normalised one."""
    from observer.signing.identity import _new_identity

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    typed = encryption.derive_key(DECOMPOSED, b"s" * 16, as_typed=True)
    db = Database.open(database_path(data_dir), typed)
    backup = db.backup_to(backups_dir(data_dir), "manual")
    db.close()
    (data_dir / "signing").mkdir()
    (data_dir / "signing" / "identity.p12").write_bytes(
        _new_identity("Aled Hughes", "Northshire", DECOMPOSED.encode())
    )

    opened = open_services(data_dir, typed_now)
    try:
        codes = [(e.action_code, e.detail) for e in opened.audit.events()]
    finally:
        opened.close()

    (change,) = [detail for code, detail in codes if code == "passphrase_change"]
    assert change == "passphrase normalised: 1 backup and 1 signing identity re-protected"
    for path in (database_path(data_dir), backup):
        encryption.key_for(path, COMPOSED)
        assert encryption.opens(path, encryption.derive_key(COMPOSED, typed.salt))
    assert identity_info(data_dir, COMPOSED).name == "Aled Hughes"
    open_services(data_dir, COMPOSED).close()


def test_a_change_re_keys_backups_of_every_salt_the_passphrase_opens(
    services: Services, tmp_path: Path
) -> None:
    """A backup with another salt (made by a store this one was restored over, say) is
    re-keyed too, so the old passphrase restores nothing afterwards."""
    other = tmp_path / "other"
    elsewhere = open_services(other, STORE_PASSPHRASE)
    try:
        foreign = elsewhere.backups.make()
    finally:
        elsewhere.close()
    moved = backups_dir(services.data_dir) / foreign.name
    backups_dir(services.data_dir).mkdir(exist_ok=True)
    foreign.replace(moved)
    own = services.backups.make()

    assert services.change_passphrase(STORE_PASSPHRASE, NEW, NEW) == 2

    for backup in (own, moved):
        encryption.key_for(backup, NEW)
        with pytest.raises(encryption.WrongStorePassphrase):
            encryption.key_for(backup, STORE_PASSPHRASE)
