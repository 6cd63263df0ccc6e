"""One app per data folder: a second start brings the first forward and opens nothing; a
folder left locked by a crashed app is taken over; a live app that does not answer is not."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile, Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

import ui.single_instance
from observer.paths import database_path
from observer.services import Services
from tests.support.prompts import FakePrompts
from ui.app import main
from ui.main_window import MainWindow
from ui.single_instance import (
    LOCK_FILE,
    AlreadyOpen,
    Claim,
    SingleInstance,
    bring_forward,
    server_name,
)

ROOT = Path(__file__).resolve().parents[2]
# bring_forward raises a window, which the offscreen platform cannot do, and it says so.
raises_windows = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints|raise)\(\)$"
)
# Holds the folder as the app does, then dies without letting go, as a crash would.
CRASHING_APP = """
import os, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QLockFile
from PySide6.QtNetwork import QLocalServer
from ui.single_instance import LOCK_FILE, server_name
app = QCoreApplication([])
folder = Path({folder!r})
lock = QLockFile(str(folder / LOCK_FILE))
server = QLocalServer()
print(lock.tryLock(0), server.listen(server_name(folder)), flush=True)
os._exit(0)
"""

Start = Callable[..., SingleInstance]


@pytest.fixture
def start(data_dir: Path) -> Iterator[Start]:
    """Starts of the app on one folder, each let go of at the end of the test."""
    started: list[SingleInstance] = []

    def make(folder: Path = data_dir, **options: int) -> SingleInstance:
        started.append(SingleInstance(folder, **options))
        return started[-1]

    yield make
    for instance in started:
        instance.release()


def test_a_second_start_asks_the_first_to_come_forward(qtbot: QtBot, start: Start):
    first = start()
    assert first.claim() is Claim.FIRST

    with qtbot.waitSignal(first.activation_requested, timeout=5000):
        assert start().claim() is Claim.FORWARDED


def test_once_the_first_has_let_go_the_next_start_takes_the_folder(qtbot: QtBot, start: Start):
    first = start()
    assert first.claim() is Claim.FIRST
    first.release()

    third = start()
    assert third.claim() is Claim.FIRST
    with qtbot.waitSignal(third.activation_requested, timeout=5000):
        assert start().claim() is Claim.FORWARDED


def test_a_folder_left_locked_by_a_crashed_app_is_taken_over(
    qtbot: QtBot, start: Start, data_dir: Path
):
    data_dir.mkdir(parents=True)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_APP.format(root=str(ROOT), folder=str(data_dir))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert crashed.stdout.split() == ["True", "True"], crashed.stderr
    assert (data_dir / LOCK_FILE).exists()

    taken = start()
    assert taken.claim() is Claim.FIRST
    with qtbot.waitSignal(taken.activation_requested, timeout=5000):
        assert start().claim() is Claim.FORWARDED  # the socket the crash left is replaced


def test_a_live_app_that_does_not_answer_keeps_the_folder(start: Start, data_dir: Path):
    data_dir.mkdir(parents=True)
    held = QLockFile(str(data_dir / LOCK_FILE))  # held, but nobody listening
    assert held.tryLock(0)
    try:
        assert start(patience_ms=300).claim() is Claim.NOT_ANSWERING
        assert held.isLocked()
    finally:
        held.unlock()


def test_the_lock_file_and_the_server_name_hold_nothing_personal(
    qapp: QApplication, start: Start, tmp_path: Path
):
    """(Like the app, the local server needs an application object, whichever test runs first.)"""
    folder = tmp_path / "Priya Shah" / "Practice Observer"
    assert start(folder).claim() is Claim.FIRST

    held = (folder / LOCK_FILE).read_bytes()
    assert b"Priya" not in held
    assert b"Shah" not in held
    name = server_name(folder)
    assert re.fullmatch(r"practice-observer-[0-9a-f]{24}", name)
    assert server_name(folder / ".." / "Practice Observer") == name  # the same folder
    assert server_name(tmp_path / "someone else") != name


# Starting the app


def test_a_second_start_of_the_app_opens_nothing_and_exits_zero(
    qtbot: QtBot, qapp: QApplication, start: Start, tmp_path: Path, prompts: FakePrompts
):
    folder = tmp_path / "fresh"
    first = start(folder)
    assert first.claim() is Claim.FIRST

    with qtbot.waitSignal(first.activation_requested, timeout=5000):
        assert main(["--data-dir", str(folder)], prompts=prompts) == 0

    assert prompts.shown == []  # no passphrase asked, nothing said
    assert not database_path(folder).exists()


def test_a_start_that_finds_the_folder_held_but_unanswered_says_so(
    qapp: QApplication, tmp_path: Path, prompts: FakePrompts, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(ui.single_instance, "PATIENCE_MS", 300)
    folder = tmp_path / "held"
    folder.mkdir()
    held = QLockFile(str(folder / LOCK_FILE))
    assert held.tryLock(0)
    try:
        assert main(["--data-dir", str(folder)], prompts=prompts) == 2
    finally:
        held.unlock()

    assert prompts.shown == [("error", str(AlreadyOpen(folder)))]
    assert not database_path(folder).exists()


def test_the_app_lets_go_of_the_folder_when_it_ends(
    qapp: QApplication, tmp_path: Path, prompts: FakePrompts, start: Start
):
    folder = tmp_path / "data"
    assert main(["--data-dir", str(folder), "--quit-after-startup"], prompts=prompts) == 0

    assert not (folder / LOCK_FILE).exists()
    assert start(folder).claim() is Claim.FIRST


# Coming forward


@raises_windows
def test_coming_forward_activates_the_main_window(
    qtbot: QtBot, services: Services, prompts: FakePrompts
):
    window = MainWindow(services, prompts)
    other = QWidget()
    other.setAccessibleName("Another window")
    for shown in (window, other):
        qtbot.addWidget(shown)
        shown.show()
        qtbot.waitExposed(shown)
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    window.showMinimized()

    bring_forward()

    qtbot.waitUntil(window.isActiveWindow)
    assert not window.isMinimized()


@raises_windows
def test_coming_forward_shows_a_dialog_waiting_for_an_answer_first(
    qtbot: QtBot, services: Services, prompts: FakePrompts
):
    window = MainWindow(services, prompts)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    waiting = QDialog(window)
    qtbot.addWidget(waiting)  # closed after the test: left open, it blocks the next test's input
    waiting.setWindowModality(Qt.WindowModality.ApplicationModal)
    waiting.show()
    qtbot.waitExposed(waiting)
    window.activateWindow()

    bring_forward()

    qtbot.waitUntil(waiting.isActiveWindow)
