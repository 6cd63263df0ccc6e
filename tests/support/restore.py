"""The backup and restore commands docs/server.md gives council IT, run against the tests'
throwaway clusters: the nightly script as shipped, then createdb, pg_restore and
`observer-server migrate` with the documented options (tests/test_deployment.py checks
that the page still says these)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.postgres import BIN, OWNER_ROLE, Cluster

ROOT = Path(__file__).resolve().parents[2]
BACKUP_SCRIPT = ROOT / "resources" / "server" / "observer-backup"
# As docs/server.md writes them, after the program's name and before the database.
CREATEDB = ("--owner=observer_owner",)
PG_RESTORE = ("--exit-on-error", "--single-transaction")
PG_RESTORE_CLEAN = ("--clean", "--if-exists", "--exit-on-error", "--single-transaction")


def backup(
    cluster: Cluster, database: str, directory: Path, keep_days: int = 30, user: str | None = None
) -> subprocess.CompletedProcess[str]:
    """observer-backup, as the nightly timer runs it (as the superuser, or that role)."""
    return subprocess.run(
        [str(BACKUP_SCRIPT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={
            **os.environ,
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "OBSERVER_BACKUP_DATABASE": cluster.conninfo(user, database),
            "OBSERVER_BACKUP_DIR": str(directory),
            "OBSERVER_BACKUP_KEEP_DAYS": str(keep_days),
        },
    )


def restore(
    cluster: Cluster, dump: Path, database: str, *, clean: bool = False, user: str | None = None
) -> None:
    """Into a new database made for it, or (clean) over the one there; by the superuser, or
    (user) by that role, as on a managed PostgreSQL."""
    if not clean:
        _tool(cluster, "createdb", *CREATEDB, database)
    _tool(cluster, "pg_restore", *(PG_RESTORE_CLEAN if clean else PG_RESTORE),
          f"--dbname={database}", str(dump), user=user)  # fmt: skip


def drop(cluster: Cluster, database: str) -> None:
    _tool(cluster, "dropdb", "--force", database)


def migrate(cluster: Cluster, database: str, *options: str) -> subprocess.CompletedProcess[str]:
    """The installed `observer-server migrate`, as the tables' owner."""
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "observer-server"),
            "--database",
            cluster.url(OWNER_ROLE, database).replace("+psycopg", ""),
            "migrate",
            *options,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _tool(cluster: Cluster, program: str, *args: str, user: str | None = None) -> None:
    done = subprocess.run(
        [
            str(BIN / program),
            "--host=127.0.0.1",
            f"--port={cluster.port}",
            f"--username={user or cluster.superuser}",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, (program, done.stderr)
