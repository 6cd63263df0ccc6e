"""Exporting summaries in the background and verifying one, as a practice lead would."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from observer.documents.summaries import verify_summary
from observer.records.recording import DraftDetails, ObservationFilter, ObservationSummary
from observer.services import Services
from observer.signing import WrongPassphrase, ensure_identity, load_signer
from observer.vocabulary import Kind, SignatureRole
from tests.support.core import CONSENT
from tests.support.prompts import FakePrompts
from ui.dialogs.export_summaries import (
    ADOPTED,
    EARLIER_PASSPHRASE,
    NOT_EARLIER,
    OPENING_KEY,
    ExportSummariesDialog,
)
from ui.dialogs.verify_summary import VERDICT_BAD, VERDICT_OK, VerifySummaryDialog
from ui.editor.window import EditorWindow

EARLIER = "the passphrase I chose for signing"  # before the store had a passphrase


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the user chose to export to: empty at first."""
    chosen = tmp_path / "supervision file"
    chosen.mkdir()
    return chosen


def drafts(services: Services, cast, how_many: int) -> list[ObservationSummary]:
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    for n in range(how_many):
        services.recording.create_draft(
            DraftDetails(cast.worker, cast.observer, Kind.HOME_VISIT, start + timedelta(days=n))
        )
    return services.recording.list(ObservationFilter())


def signed_record(services: Services, cast) -> ObservationSummary:
    record = services.recording.create_draft(
        DraftDetails(cast.worker, cast.observer, Kind.DIRECT_WORK, datetime(2026, 2, 2, tzinfo=UTC))
    )
    for rating in services.recording.get(record).ratings:
        services.recording.set_rating(
            record, rating.standard_code, level_code="good", evidence="Seen and heard."
        )
    services.recording.update(
        record, {"overall_level": "good", "overall_rationale": "Warm.", **CONSENT}
    )
    services.signoff.sign(record, SignatureRole.OBSERVER, "Priya Shah")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Zoë Łukasiewicz")
    (summary,) = [r for r in services.recording.list() if r.id == record]
    return summary


def exporting(
    qtbot: QtBot, services: Services, prompts: FakePrompts, records, folder: Path
) -> ExportSummariesDialog:
    dialog = ExportSummariesDialog(services.summaries, prompts, records, folder)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def finished(dialog: ExportSummariesDialog) -> bool:
    return not dialog.running() and dialog.cancel_button.text() == "Close"


def test_summaries_export_in_the_background_while_the_window_keeps_working(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast, folder: Path
) -> None:
    records = drafts(services, cast, 6)
    dialog = exporting(qtbot, services, prompts, records, folder)
    beats = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: beats.append(1))
    heartbeat.start()

    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)
    heartbeat.stop()

    files = sorted(folder.iterdir())
    assert len(files) == 6
    assert all(f.read_bytes().startswith(b"%PDF") for f in files)
    assert all("Zoë Łukasiewicz - Home visit" in f.name for f in files)
    assert dialog.progress.value() == 6
    assert dialog.intro.text().startswith("Done: 6 summaries exported")
    assert len(beats) > 3, "the GUI thread kept running while summaries were built"


def test_cancel_stops_after_the_summary_in_hand_and_leaves_no_partial_file(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast, folder: Path
) -> None:
    records = drafts(services, cast, 25)
    dialog = exporting(qtbot, services, prompts, records, folder)

    dialog.start()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)

    files = list(folder.iterdir())
    assert len(files) < 25
    assert dialog.intro.text().startswith("Cancelled:")
    for file in files:
        data = file.read_bytes()
        assert file.suffix == ".pdf"
        assert data.startswith(b"%PDF")
        assert data.rstrip().endswith(b"%%EOF")


def passphrase_prompts(prompts: FakePrompts) -> list[str]:
    return [label for kind, label in prompts.shown if kind == "passphrase"]


def test_a_signed_record_exports_without_a_passphrase_prompt_and_verifies(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    cast,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The signing key is made under the store's passphrase, already typed to open the app."""
    record = signed_record(services, cast)
    dialog = exporting(qtbot, services, prompts, [record], folder)

    dialog.start()
    qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)
    # Made when the record was signed: each sign-off carries the laptop's digital signature.
    assert "A signing key was made" not in dialog.intro.text()
    assert passphrase_prompts(prompts) == []
    assert load_signer(services.data_dir, services.passphrase) is not None

    (summary,) = folder.iterdir()
    shown: list[VerifySummaryDialog] = []
    monkeypatch.setattr(VerifySummaryDialog, "exec", lambda self: shown.append(self) or 0)
    prompts.paths = [summary]
    assert VerifySummaryDialog.verify(None, services, prompts) is True
    assert shown[-1].verdict.text() == VERDICT_OK
    assert "Priya Shah" in shown[-1].details.text()

    tampered = folder.parent / "tampered.pdf"
    data = bytearray(summary.read_bytes())
    middle = len(data) // 3
    data[middle] = data[middle] ^ 0x01
    tampered.write_bytes(bytes(data))
    prompts.paths = [tampered]
    assert VerifySummaryDialog.verify(None, services, prompts) is False
    assert shown[-1].verdict.text() == VERDICT_BAD


def test_the_signing_key_opens_in_the_background_and_cancel_then_exports_nothing(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast, folder: Path
) -> None:
    record = signed_record(services, cast)
    dialog = exporting(qtbot, services, prompts, [record], folder)

    dialog.start()
    assert dialog.running()  # the key opens on the thread pool, not in start()
    assert dialog.intro.text() == OPENING_KEY
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)

    assert dialog.intro.text().startswith("Cancelled: 0 summaries exported")
    assert list(folder.iterdir()) == []
    assert prompts.shown == []


def test_an_earlier_signing_key_is_asked_for_once_and_never_again(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast, folder: Path
) -> None:
    """A key made before the store had a passphrase, under one chosen for signing: its
    passphrase is asked once, then the key is under the store's and nothing is asked."""
    record = signed_record(services, cast)
    shutil.rmtree(services.data_dir / "signing")  # made before sign-offs were signed with it
    made = ensure_identity(services.data_dir, EARLIER, "Priya Shah", "Northshire Council")
    prompts.passphrases = [EARLIER]
    dialog = exporting(qtbot, services, prompts, [record, record], folder)

    dialog.start()
    qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)

    assert passphrase_prompts(prompts) == [EARLIER_PASSPHRASE]
    assert len(list(folder.iterdir())) == 1  # the same record twice: one file
    assert ADOPTED in dialog.intro.text()
    assert "A signing key was made" not in dialog.intro.text()
    assert load_signer(services.data_dir, services.passphrase) is not None
    with pytest.raises(WrongPassphrase):
        load_signer(services.data_dir, EARLIER)

    again = folder.parent / "again"
    again.mkdir()
    second = exporting(qtbot, services, prompts, [record], again)
    second.start()
    qtbot.waitUntil(lambda: finished(second), timeout=30_000)

    assert passphrase_prompts(prompts) == [EARLIER_PASSPHRASE]  # not asked again
    assert ADOPTED not in second.intro.text()
    (summary,) = again.iterdir()
    assert summary.read_bytes().startswith(b"%PDF")
    result = verify_summary(services, summary)
    assert (result.intact, result.signer_known, result.certificate_sha256) == (
        True,
        True,
        made.fingerprint_sha256,
    )


def test_cancelling_the_earlier_passphrase_exports_nothing(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast, folder: Path
) -> None:
    record = signed_record(services, cast)
    shutil.rmtree(services.data_dir / "signing")  # made before sign-offs were signed with it
    ensure_identity(services.data_dir, EARLIER, "Priya Shah", "Northshire Council")
    prompts.passphrases = [None]
    dialog = exporting(qtbot, services, prompts, [record], folder)

    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=30_000)

    assert list(folder.iterdir()) == []
    assert [kind for kind, _ in prompts.shown] == ["passphrase"]
    assert dialog.start_button.isEnabled()


def test_verifying_something_that_is_not_a_pdf_says_so_in_one_sentence(
    services: Services, prompts: FakePrompts, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_text("Not a PDF at all.", encoding="utf-8")
    prompts.paths = [notes]

    assert VerifySummaryDialog.verify(None, services, prompts) is None

    kind, message = prompts.shown[-1]
    assert kind == "error"
    assert message.endswith(".")
    assert "\n" not in message


def test_the_editor_exports_its_own_summary(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    cast,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (record,) = drafts(services, cast, 1)
    editor = EditorWindow(services.for_record(), prompts, record.id)
    qtbot.addWidget(editor)
    editor.show()

    def run_to_the_end(dialog: ExportSummariesDialog) -> int:
        dialog.start()
        qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)
        return 1

    monkeypatch.setattr(ExportSummariesDialog, "exec", run_to_the_end)
    prompts.paths = [folder / "for supervision"]
    editor.export_action.trigger()

    # One summary is saved as one file, under a name the picker suggests.
    assert prompts.shown[-1] == ("picker", "Export summary")
    assert "Zoë Łukasiewicz - Home visit" in prompts.suggested[-1].name
    (summary,) = folder.iterdir()
    assert summary.name == "for supervision.pdf"
    assert summary.read_bytes().startswith(b"%PDF")


def test_a_wrong_earlier_passphrase_is_said_once_before_anything_is_exported(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast, folder: Path
) -> None:
    record = signed_record(services, cast)
    shutil.rmtree(services.data_dir / "signing")  # made before sign-offs were signed with it
    ensure_identity(services.data_dir, EARLIER, "Priya Shah", "Northshire Council")
    prompts.passphrases = ["not the passphrase"]
    dialog = exporting(qtbot, services, prompts, [record, record], folder)

    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=30_000)

    errors = [message for kind, message in prompts.shown if kind == "error"]
    assert errors == [NOT_EARLIER]
    assert list(folder.iterdir()) == []
    assert load_signer(services.data_dir, EARLIER) is not None  # left as it was


def test_one_summary_is_saved_as_a_file_starting_in_documents_then_where_last_saved(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    cast,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = drafts(services, cast, 2)
    titles: list[str] = []

    def run_to_the_end(dialog: ExportSummariesDialog) -> int:
        titles.append(dialog.windowTitle())
        titles.append(dialog.leave_out_references.text())
        dialog.start()
        qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)
        titles.append(dialog.intro.text())
        return 1

    monkeypatch.setattr(ExportSummariesDialog, "exec", run_to_the_end)
    documents = tmp_documents = folder.parent / "Documents"
    tmp_documents.mkdir()
    monkeypatch.setattr(
        "ui.dialogs.export_summaries.QStandardPaths.writableLocation", lambda _where: str(documents)
    )
    prompts.paths = [folder / "first.pdf"]
    ExportSummariesDialog.export(None, services.summaries, prompts, records[:1])

    assert prompts.suggested[0].parent == documents
    assert prompts.suggested[0].name.endswith(".pdf")
    assert titles == [
        "Export summary",
        "Leave the case reference out of the summary",
        f"Done: the summary was exported to {folder / 'first.pdf'}.",
    ]
    assert [p.name for p in folder.iterdir()] == ["first.pdf"]

    # Several summaries go to a folder, the picker opening where the last one went.
    prompts.paths = [folder]
    written = ExportSummariesDialog.export(None, services.summaries, prompts, records)
    assert prompts.shown[-1] == ("picker", "Export summaries to")
    assert prompts.suggested[1] == folder
    assert len(written) == 2
    assert titles[3:5] == ["Export summaries", "Leave case references out of the summaries"]
