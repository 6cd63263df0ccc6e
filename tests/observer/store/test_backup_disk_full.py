"""A backup that cannot be written (a full disk, a file size limit) says so in one
sentence, says the store is unchanged, and leaves nothing behind; it never calls the
store damaged. Each runs in a process of its own: a real limit on a real write."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from observer.paths import database_path
from observer.services import Services
from tests.observer.store.test_db import dump

ROOT = Path(__file__).resolve().parents[3]

# Opens the store, lets `limit` (Python) restrict what may be written, makes a backup, and
# prints what the user would read and what is left in the backups folder.
CHILD = """
import json, os, resource, signal, shutil, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from observer.services import open_services
from observer.store.backups import BackupFailed
from tests.support.passphrase import STORE_PASSPHRASE
data_dir = Path(sys.argv[1])
services = open_services(data_dir, STORE_PASSPHRASE)
services.backups.make("manual")  # one good backup first: it must be kept
{limit}
try:
    services.backups.make("on-close")
    message = None
except BackupFailed as failed:
    message = str(failed)
services.close()
left = sorted(p.name for p in (data_dir / "backups").iterdir())
print(json.dumps({{"message": message, "left": left}}))
"""
FILE_SIZE_LIMIT = """
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
size = (data_dir / "observer.sqlite").stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, resource.RLIM_INFINITY))
"""
FILL_THE_DISK = """
free = shutil.disk_usage(data_dir).free
with open(data_dir.parent / "filler", "wb") as filler:
    filler.write(b"x" * max(free - 64 * 1024, 0))
"""


def run_child(limit: str, data_dir: Path, wrap: list[str] | None = None) -> dict[str, object]:
    script = CHILD.format(root=str(ROOT), limit=textwrap.dedent(limit))
    command = [sys.executable, "-c", script, str(data_dir)]
    done = subprocess.run(
        [*(wrap or []), *command], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.skipif(sys.platform == "win32", reason="no file size limit on Windows")
def test_a_backup_past_a_file_size_limit_says_it_could_not_be_written_and_the_store_is_unchanged(
    services: Services,
) -> None:
    services.people.add_team("Children in Care")
    before = dump(database_path(services.data_dir))

    result = run_child(FILE_SIZE_LIMIT, services.data_dir)

    folder = services.data_dir / "backups"
    assert result["message"] == (
        f"The backup could not be written to {folder}; the store itself is unchanged and "
        "the earlier backups are all kept."
    )
    assert len(result["left"]) == 1  # type: ignore[arg-type]
    assert "-manual-" in str(result["left"])
    assert dump(database_path(services.data_dir)) == before


def _small_disks_possible() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "true"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _small_disks_possible(), reason="no user namespaces to mount a tmpfs")
def test_a_backup_on_a_full_disk_says_the_disk_is_full_and_the_store_is_unchanged(
    tmp_path: Path,
) -> None:
    """A real full disk: a 4 MB tmpfs mounted in a user namespace of the child's own."""
    disk = tmp_path / "disk"
    disk.mkdir()
    data_dir = disk / "data"
    mount = f'mount -t tmpfs -o size=4m tmpfs {disk} && mkdir {data_dir} && exec "$@"'
    wrap = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount, "sh"]

    result = run_child(FILL_THE_DISK, data_dir, wrap)

    assert result["message"] == (
        "The backup could not be written because the disk is full; the store itself is "
        "unchanged and the earlier backups are all kept."
    )
    assert len(result["left"]) == 1  # type: ignore[arg-type]
    assert "-manual-" in str(result["left"])
    assert list(disk.iterdir()) == []  # the tmpfs went with the child's namespace
