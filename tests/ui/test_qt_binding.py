"""The Qt binding itself must survive a long session: thousands of edits, no crash."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

CALLS = 2000


def test_calls_that_return_nothing_keep_none_alive(qtbot: QtBot) -> None:
    """A binding that loses a reference to None per call (PySide6 6.12.0 under Python 3.11)
    crashes the app after a few thousand edits, taking the typing in hand with it."""
    button = QPushButton()
    qtbot.addWidget(button)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        button.setText("Good")
    lost = before - sys.getrefcount(None)
    assert lost < CALLS // 10, f"{lost} references to None lost in {CALLS} calls"
