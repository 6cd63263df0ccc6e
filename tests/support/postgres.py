"""A throwaway PostgreSQL 15 cluster for the team server's tests.

`Cluster.start()` runs Debian's initdb into a new temporary directory and starts a server
that listens on 127.0.0.1 only, on a free port, with no Unix socket, trusting loopback
connections, and with fsync off (nothing in it needs to survive a crash). `stop()` stops
it at once and removes the directory. As root, initdb and pg_ctl run as the `postgres`
user (PostgreSQL refuses to run as root), in a directory that user owns.

Each pytest-xdist worker starts its own cluster, so workers never share a database or a
port they did not choose themselves.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER_WHEN_ROOT = "postgres"
# The roles the server's documentation tells IT to create (docs/server.md).
OWNER_ROLE = "observer_owner"
SERVICE_ROLE = "observer_service"


PREFIX = "observer-pg-"
# The test process that started a cluster; one whose process is gone was abandoned.
OWNER_PID = "started-by.pid"


class PostgresMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Cluster:
    directory: Path
    port: int = 0
    superuser: str = field(default_factory=lambda: pwd.getpwuid(os.getuid()).pw_name)
    _as_user: list[str] = field(default_factory=list)

    settings: dict[str, str] = field(default_factory=dict)
    """Server settings beyond the tests' own (a benchmark's larger shared_buffers, say)."""

    @classmethod
    def start(
        cls, settings: dict[str, str] | None = None, directory: Path | None = None
    ) -> Cluster:
        """A new cluster in a new temporary directory; or, given `directory`, the cluster
        kept there (made there first if it holds none), which `stop(remove=False)` keeps."""
        if not (BIN / "initdb").exists():
            raise PostgresMissing(
                f"PostgreSQL 15 is not installed ({BIN} has no initdb): "
                "run scripts/bootstrap.sh --test"
            )
        _stop_abandoned()
        if directory is None:
            directory = Path(tempfile.mkdtemp(prefix=PREFIX))
            (directory / OWNER_PID).write_text(str(os.getpid()))
        directory.mkdir(parents=True, exist_ok=True)
        cluster = cls(directory, settings=dict(settings or {}))
        if os.getuid() == 0:
            account = pwd.getpwnam(SUPERUSER_WHEN_ROOT)
            os.chown(directory, account.pw_uid, account.pw_gid)
            cluster.superuser = SUPERUSER_WHEN_ROOT
            cluster._as_user = ["runuser", "-u", SUPERUSER_WHEN_ROOT, "--"]
        made = not (cluster.data / "PG_VERSION").exists()
        try:
            if made:
                cluster._initdb()
            cluster._run_server()
        except BaseException:
            cluster.stop(remove=made)
            raise
        return cluster

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, user: str, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def conninfo(self, user: str | None = None, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={user or self.superuser} dbname={database}"

    def _run(self, argv: Sequence[str]) -> None:
        done = subprocess.run(
            [*self._as_user, *argv], capture_output=True, text=True, check=False, cwd="/"
        )
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    def _initdb(self) -> None:
        self._run(
            [
                str(BIN / "initdb"),
                "--pgdata",
                str(self.data),
                "--username",
                self.superuser,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
                "--no-instructions",
            ]
        )

    def _run_server(self) -> None:
        # A port chosen free can be taken before the server binds it (another worker): retry.
        for attempt in range(5):
            self.port = free_port()
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-c port={self.port}",
                    "-c unix_socket_directories=''",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c shared_buffers=16MB",
                    "-c max_connections=40",
                    "-c wal_level=minimal",
                    "-c max_wal_senders=0",
                    # counts calls of the caller functions (test_row_security.py)
                    "-c track_functions=all",
                    *(f"-c {name}={value}" for name, value in self.settings.items()),
                ]
            )
            try:
                self._run(
                    [
                        str(BIN / "pg_ctl"),
                        "start",
                        "--pgdata",
                        str(self.data),
                        "--wait",
                        "--log",
                        str(self.directory / "server.log"),
                        "-o",
                        options,
                    ]
                )
                return
            except RuntimeError:
                if attempt == 4:
                    log = self.directory / "server.log"
                    raise RuntimeError(
                        log.read_text() if log.exists() else "pg_ctl failed"
                    ) from None

    def stop(self, remove: bool = True) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self._run(
                    [
                        str(BIN / "pg_ctl"),
                        "stop",
                        "--pgdata",
                        str(self.data),
                        "-m",
                        "immediate" if remove else "fast",
                    ]
                )
        if remove:
            shutil.rmtree(self.directory, ignore_errors=True)


def _stop_abandoned() -> None:
    """Stops and removes the clusters of test processes that were killed before they could
    (a session stopped with SIGKILL, say), so they never pile up."""
    for directory in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            pid = int((directory / OWNER_PID).read_text())
        except (OSError, ValueError):
            continue
        if _alive(pid):
            continue
        cluster = Cluster(directory)
        if os.getuid() == 0:
            cluster._as_user = ["runuser", "-u", SUPERUSER_WHEN_ROOT, "--"]
        cluster.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
