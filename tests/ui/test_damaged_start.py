"""A store that cannot be read at start: the app offers the latest good backup, restores it
on Yes (keeping the damaged file), and on No leaves everything as it was and exits 2.
Backups are made on closing, and on request from the File menu."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QWidget

from observer.paths import database_path
from observer.security.attempts import UnlockAttempts
from observer.services import Services
from observer.store import backups
from observer.store.backups import list_backups, make_backup
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.prompts import FakePrompts
from tests.support.qt import column_texts
from ui.app import main
from ui.backup import BACK_UP_NOW, restore_question
from ui.dialogs.passphrase import UnlockDialog
from ui.main_window import MainWindow

WORKER = "Zoë Łukasiewicz"  # the `cast` fixture's worker


@dataclass
class ClosingPrompts(FakePrompts):
    """Answers as scripted; once the main window has its data, notes the workers it lists
    (and may press File → Back up now), then closes it as a user would."""

    workers: list[str] = field(default_factory=list)
    back_up_first: bool = False
    _backing_up: MainWindow | None = None

    def ask(self, parent: QWidget | None, question: str, *, default_yes: bool = False) -> bool:
        QTimer.singleShot(0, self._close_when_loaded)
        return super().ask(parent, question, default_yes=default_yes)

    def _close_when_loaded(self) -> None:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        window.first_data_loaded.connect(lambda: self._note_and_close(window))

    def _note_and_close(self, window: MainWindow) -> None:
        self.workers = column_texts(window.workers_panel.table.view, "Name")
        if not self.back_up_first:
            QTimer.singleShot(0, window.close)
            return
        self._backing_up = window  # closed once the backup says it is done
        next(a for a in window.findChildren(QAction) if a.text() == BACK_UP_NOW).trigger()

    def information(self, parent: QWidget | None, message: str) -> None:
        super().information(parent, message)
        if self._backing_up is not None:
            QTimer.singleShot(0, self._backing_up.close)


@pytest.fixture
def damaged(services: Services, cast) -> bytes:
    """A store with a worker and a daily backup, whose first page has since been spoiled."""
    make_backup(services, backups.DAILY)
    services.close()
    store = database_path(services.data_dir)
    data = bytearray(store.read_bytes())
    data[:4096] = b"junk" * 1024
    store.write_bytes(bytes(data))
    return bytes(data)


def store_files(data_dir: Path) -> dict[str, bytes]:
    """Every file in the data folder but the log, with its content."""
    return {
        str(p.relative_to(data_dir)): p.read_bytes()
        for p in data_dir.rglob("*")
        if p.is_file() and "logs" not in p.parts
    }


def damaged_files(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("observer-damaged-*.sqlite"))


def test_yes_restores_the_backup_and_opens_with_its_records(
    qapp, data_dir: Path, damaged: bytes
) -> None:
    [backup] = list_backups(data_dir)
    prompts = ClosingPrompts(answers=[True])

    assert main(["--data-dir", str(data_dir)], prompts=prompts) == 0

    assert prompts.shown[0] == ("ask", restore_question(backup.describe()))
    assert "kept aside" in prompts.shown[0][1]
    assert prompts.shown[1][0] == "information"
    assert WORKER in prompts.workers
    [kept] = damaged_files(data_dir)
    assert kept.read_bytes() == damaged
    assert kept.name in prompts.shown[1][1]
    assert [b.kind for b in list_backups(data_dir)] == [backups.ON_CLOSE, backups.DAILY]


def test_no_leaves_the_damaged_store_untouched_and_exits_2(
    qapp, data_dir: Path, damaged: bytes
) -> None:
    before = store_files(data_dir)
    prompts = FakePrompts(answers=[False])

    assert main(["--data-dir", str(data_dir)], prompts=prompts) == 2

    assert [kind for kind, _ in prompts.shown] == ["ask"]
    assert database_path(data_dir).read_bytes() == damaged
    assert store_files(data_dir) == before
    assert UnlockAttempts(data_dir).failures() == 0


def test_the_passphrase_typed_at_the_unlock_screen_restores_too(
    qapp, data_dir: Path, damaged: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OBSERVER_PASSPHRASE")

    def type_passphrase(dialog: UnlockDialog) -> int:
        dialog.passphrase.setText(STORE_PASSPHRASE)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(UnlockDialog, "exec", type_passphrase)
    prompts = ClosingPrompts(answers=[True])

    assert main(["--data-dir", str(data_dir)], prompts=prompts) == 0

    assert prompts.shown[0][0] == "ask"
    assert WORKER in prompts.workers
    assert [p.read_bytes() for p in damaged_files(data_dir)] == [damaged]


def test_start_up_timing_mode_says_where_the_backup_is_instead_of_asking(
    qapp, data_dir: Path, damaged: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    [backup] = list_backups(data_dir)
    prompts = FakePrompts()

    assert main(["--data-dir", str(data_dir), "--quit-after-startup"], prompts=prompts) == 2

    assert prompts.shown == []
    assert f"restore {backup.path} --yes" in capsys.readouterr().err
    assert database_path(data_dir).read_bytes() == damaged


def test_back_up_now_from_the_file_menu(qapp, services: Services, cast) -> None:
    data_dir = services.data_dir
    make_backup(services, backups.DAILY)  # so no daily one is due at start
    services.close()
    prompts = ClosingPrompts(back_up_first=True)
    QTimer.singleShot(0, prompts._close_when_loaded)

    assert main(["--data-dir", str(data_dir)], prompts=prompts) == 0

    kinds = sorted(b.kind for b in list_backups(data_dir))
    assert kinds == sorted([backups.DAILY, backups.MANUAL, backups.ON_CLOSE])
    [manual] = [b for b in list_backups(data_dir) if b.kind == backups.MANUAL]
    assert ("information", f"Backed up to {manual.path}.") in prompts.shown
