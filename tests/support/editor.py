"""Opening the observation editor and driving it by keyboard, as the editor tests do."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from observer.services import Services
from tests.support.prompts import FakePrompts
from ui.editor.window import EditorWindow
from ui.widgets.growing_text import GrowingTextEdit

CTRL = Qt.KeyboardModifier.ControlModifier


def open_editor(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation_id: uuid.UUID,
    closed_by_test: list[EditorWindow] | None = None,
) -> EditorWindow:
    """An active editor window that qtbot closes after the test; or, when the test closes
    it itself (the window deletes itself on close), one listed in `closed_by_test`."""
    window = EditorWindow(services.for_record(), prompts, observation_id)
    if closed_by_test is None:
        qtbot.addWidget(window)
    else:
        closed_by_test.append(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed where the keyboard focus is, as the user presses it."""
    QTest.keyClick(focused(), key, modifier)
    QApplication.processEvents()


def save_by_keyboard() -> None:
    press(Qt.Key.Key_S, CTRL)


def text_box(window: EditorWindow, target: str) -> QLineEdit | GrowingTextEdit:
    widget = window.page.bindings[target].widget
    assert isinstance(widget, QLineEdit | GrowingTextEdit)
    return widget


def type_into(qtbot: QtBot, box: QWidget, text: str) -> None:
    box.setFocus()
    qtbot.keyClicks(box, text)
