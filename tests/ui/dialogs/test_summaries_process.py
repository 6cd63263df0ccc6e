"""Summaries are built and signed in a process of their own: what a practice lead would
notice of that (the dialog's news, a crash said so, nothing left half-written) and what
governance needs (the passphrase travels only through a pipe; the audit trail is as when
the export ran in the window's process)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from observer.documents.summaries import verify_summary
from observer.services import Services
from tests.support.prompts import FakePrompts
from tests.ui.dialogs.test_summaries import drafts, exporting, finished, signed_record
from ui.export_process import largest_peak_kib

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    chosen = tmp_path / "supervision file"
    chosen.mkdir()
    return chosen


def complete_pdfs(folder: Path) -> list[Path]:
    files = sorted(folder.iterdir())
    for file in files:
        data = file.read_bytes()
        assert file.suffix == ".pdf", file.name  # no temporary file left behind
        assert data.startswith(b"%PDF")
        assert data.rstrip().endswith(b"%%EOF")
    return files


def test_a_killed_export_process_is_said_in_one_sentence_and_leaves_whole_files(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast, folder: Path
) -> None:
    records = drafts(services, cast, 40)
    dialog = exporting(qtbot, services, prompts, records, folder)

    dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 2, timeout=60_000)
    pid = dialog.process_id()
    assert pid
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)

    text = dialog.intro.text()
    assert text.startswith("The export stopped unexpectedly: ")
    assert text.count(". ") == 0  # one sentence
    assert text.endswith("the details are in the log.")
    written = complete_pdfs(folder)
    assert 2 <= len(written) < 40
    assert f"{len(dialog.exported)} summaries exported" in text
    assert dialog.cancel_button.isEnabled()


def test_the_passphrase_reaches_the_export_process_through_its_pipe_only(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast, folder: Path
) -> None:
    records = drafts(services, cast, 30)
    dialog = exporting(qtbot, services, prompts, records, folder)

    dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 1, timeout=60_000)
    pid = dialog.process_id()
    assert pid
    process = Path(f"/proc/{pid}")
    seen = (process / "cmdline").read_bytes() + (process / "environ").read_bytes()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)

    assert services.passphrase.encode() not in seen
    assert services.db.key.key.hex().encode() not in seen
    assert dialog.intro.text().startswith("Cancelled:")
    assert len(complete_pdfs(folder)) < 30


def test_the_audit_trail_is_as_when_summaries_were_exported_in_the_window(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast, folder: Path, tmp_path: Path
) -> None:
    """Each summary's export event, by the laptop's user; opening the store records
    nothing more (the window's session recorded that)."""
    record = signed_record(services, cast)
    others = [r for r in drafts(services, cast, 2) if r.id != record.id]

    def since(last: int) -> list:
        return [e for e in services.audit.events() if (e.sequence or 0) > last]

    def latest() -> int:
        return max((e.sequence or 0) for e in services.audit.events())

    before = latest()
    dialog = exporting(qtbot, services, prompts, [record, *others], folder)
    dialog.start()
    qtbot.waitUntil(lambda: finished(dialog), timeout=60_000)
    by_process = since(before)

    in_window = tmp_path / "in the window"
    in_window.mkdir()
    between = latest()
    for summary in (record, *others):
        services.summaries.export(summary.id, in_window / f"{summary.id}.pdf")
    in_the_window = since(between)

    def shape(entries: list) -> list:
        return sorted((e.actor, e.action_code, str(e.record_id), e.detail) for e in entries)

    assert len(by_process) == 3
    assert shape(by_process) == shape(in_the_window)
    assert {e.actor for e in by_process} == {"Priya Shah"}
    (signed,) = [f for f in folder.iterdir() if str(record.id)[:8] in f.name]
    result = verify_summary(services, signed)
    assert (result.intact, result.signer_known, result.hash_matches) == (True, True, True)
    assert largest_peak_kib() > 0  # the process said how much memory it took
