"""observer/signing/files.py: an exported file is put in place only after its audit event
is recorded, and temporary files left by killed writes are removed by the next write."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from observer.errors import StoreBusy
from observer.signing.files import (
    RecordedButNotWritten,
    remove_stale_partials,
    write_atomically,
    write_recorded,
)


def test_an_export_that_cannot_be_recorded_leaves_the_earlier_file_and_no_partial(
    tmp_path: Path,
) -> None:
    target = tmp_path / "summary.pdf"
    target.write_bytes(b"earlier")

    def busy() -> None:
        raise StoreBusy("The store is busy; nothing was changed.")

    with pytest.raises(StoreBusy):
        write_recorded(target, b"new", busy, what="summary", not_completed=busy)

    assert target.read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


def test_the_file_is_staged_privately_before_the_event_and_in_place_after(tmp_path: Path) -> None:
    target = tmp_path / "records.json"
    seen: list[tuple[bool, int]] = []

    def record() -> None:
        [staged] = list(tmp_path.iterdir())
        seen.append((target.exists(), stat.S_IMODE(staged.stat().st_mode)))

    write_recorded(target, b"{}", record, what="bundle", not_completed=record)

    assert seen == [(False, 0o600)]
    assert target.read_bytes() == b"{}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("noted", [True, False])
def test_a_file_that_cannot_be_put_in_place_after_its_event_says_what_the_trail_holds(
    tmp_path: Path, noted: bool
) -> None:
    target = tmp_path / "history.pdf"
    notes: list[str] = []

    def record() -> None:
        target.mkdir()  # another program takes the name while the event is recorded

    def not_completed() -> None:
        if not noted:
            raise StoreBusy("busy")
        notes.append("not completed")

    with pytest.raises(RecordedButNotWritten) as raised:
        write_recorded(target, b"%PDF", record, what="history", not_completed=not_completed)

    message = str(raised.value)
    assert message.startswith(f"The history could not be put in place in {tmp_path} after its")
    assert message.count(". ") == 0
    if noted:
        assert notes == ["not completed"]
        assert message.endswith("the audit trail records that it was not completed.")
    else:
        assert message.endswith("the audit trail still records it as written.")
    assert [p.name for p in tmp_path.iterdir()] == ["history.pdf"]
    assert target.is_dir()


def test_the_next_write_removes_partials_of_dead_processes_only(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    ) as alive:
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        stale = tmp_path / f".a.json.po-{dead.stdout.strip()}-x1y2.partial"
        live = tmp_path / f".b.json.po-{alive.pid}-z3w4.partial"
        someone_elses = tmp_path / "notes.partial"
        for path in (stale, live, someone_elses):
            path.write_bytes(b"{}")
        try:
            write_atomically(tmp_path / "c.json", b"{}", what="bundle")
            names = sorted(p.name for p in tmp_path.iterdir())
        finally:
            assert alive.stdin is not None
            alive.stdin.close()
            alive.wait(timeout=30)

    assert names == sorted([live.name, someone_elses.name, "c.json"])
    remove_stale_partials(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "notes.partial"]
