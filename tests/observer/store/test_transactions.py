"""Transactions begin when they begin: what a transaction reads is inside it, with
another process writing at the same time (real processes, no mocks).

The SQLite driver used to begin a transaction only at the first write, so what a
transaction read before then could change under it, and a read-then-write could
overwrite a write another process committed in between."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from observer.errors import StoreBusy
from observer.security.unlock import unlock
from observer.store.db import Database
from observer.store.models import Setting, Team
from tests.support.passphrase import STORE_PASSPHRASE

COUNTER = "test.counter"

# Run in another process: opens the store, does `body` (which may signal the test by
# creating files in the store's folder), and prints what it found.
PREAMBLE = """
import sys, time
from pathlib import Path
from sqlalchemy import func, select
from observer.security.unlock import unlock
from observer.store.db import Database
from observer.store.models import Setting, Team
path = Path(sys.argv[1])
db = Database.open(path, unlock(path.parent, sys.argv[2]))
def signal(name):
    (path.parent / name).touch()
"""

READ_THEN_WRITE = """
with db.session() as s, s.begin():
    row = s.get(Setting, "test.counter")
    seen = row.value
    signal("read")
    time.sleep(1.0)
    row.value = seen + 1
print(seen)
"""

READ_TWICE = """
with db.session() as s:
    first = s.scalar(select(func.count()).select_from(Team))
    signal("read")
    time.sleep(1.0)
    second = s.scalar(select(func.count()).select_from(Team))
print(first, second)
"""


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "observer.sqlite"
    db = Database.open(path, unlock(path.parent, STORE_PASSPHRASE))
    with db.session() as s, s.begin():
        s.add(Setting(key=COUNTER, value=0))
    db.close()
    return path


def _start(store: Path, body: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PREAMBLE + body, str(store), STORE_PASSPHRASE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(signal: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not signal.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _output(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out.strip()


def test_a_write_transaction_holds_what_it_read_until_it_commits(store: Path) -> None:
    """Another process reads the counter and adds one a second later; a write here in
    between must wait for it (and then add one to its result), not be overwritten."""
    other = _start(store, READ_THEN_WRITE)
    _wait_for(store.parent / "read", other)
    db = Database.open(store, unlock(store.parent, STORE_PASSPHRASE))
    try:
        with db.session() as s, s.begin():
            row = s.get(Setting, COUNTER)
            assert row is not None
            row.value = row.value + 1
        assert _output(other) == "0"
        with db.session() as s:
            assert s.scalar(select(Setting.value).where(Setting.key == COUNTER)) == 2
    finally:
        db.close()


def test_a_reading_session_sees_one_state_of_the_store(store: Path) -> None:
    """A plain session's reads are one transaction too: a team added meanwhile by another
    process appears in its next session, not half way through this one."""
    other = _start(store, READ_TWICE)
    _wait_for(store.parent / "read", other)
    db = Database.open(store, unlock(store.parent, STORE_PASSPHRASE))
    try:
        with db.session() as s, s.begin():
            s.add(Team(name="Children in Care"))
        assert _output(other) == "0 0"
    finally:
        db.close()


def test_a_writer_that_cannot_get_the_store_in_time_changes_nothing(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write lock is taken before the first read; waiting too long for it is the
    usual one sentence."""
    other = _start(store, READ_THEN_WRITE)
    _wait_for(store.parent / "read", other)
    monkeypatch.setattr("observer.store.db.BUSY_TIMEOUT_MS", 50)
    db = Database.open(store, unlock(store.parent, STORE_PASSPHRASE))
    try:
        with pytest.raises(StoreBusy, match="nothing was changed"), db.session() as s, s.begin():
            s.get(Setting, COUNTER)
        assert _output(other) == "0"
        with db.session() as s:
            assert s.scalar(select(Setting.value).where(Setting.key == COUNTER)) == 1
    finally:
        db.close()


def test_a_session_that_chose_to_wait_less_waits_less_for_the_write_lock(store: Path) -> None:
    """An autosave sets a short busy timeout as its transaction's first statement; the
    write lock is asked for after it, so the save fails fast rather than freezing the
    window for the usual five seconds."""
    db = Database.open(store, unlock(store.parent, STORE_PASSPHRASE))
    holder = db.engine.raw_connection()
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with db.session() as s, s.begin():
            s.execute(text("PRAGMA busy_timeout = 100"))
            with pytest.raises(OperationalError, match="locked"):
                s.get(Setting, COUNTER)
        assert time.monotonic() - started < 2
    finally:
        holder.rollback()
        holder.close()
        db.close()
