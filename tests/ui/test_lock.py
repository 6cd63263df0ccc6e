"""The app locks itself: on Ctrl+L and after a stretch without use, every window is hidden
until the passphrase is typed; what was typed is saved first and is there again after."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence

import pytest
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shiboken6 import isValid
from sqlalchemy import select

import ui.lock
from observer.errors import StoreBusy
from observer.governance.audit import FAILED_UNLOCK
from observer.records.merge import Change, SaveOutcome
from observer.security.attempts import UnlockAttempts
from observer.security.idle_lock import set_idle_lock_minutes
from observer.services import Services
from observer.store.models import AuditEvent
from tests.support.editor import CTRL, press, text_box, type_into
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.prompts import FakePrompts
from ui.dialogs.passphrase import UnlockDialog
from ui.editor.window import EditorWindow
from ui.lock import LOCKED_TITLE, WRONG_PASSPHRASE, AppLock
from ui.main_window import MainWindow

WORKER = "Łukasiewicz"  # the observed worker's name, in the title of the record's window
TYPED = "Ayo drew his family and put the dog in the house of good things."
AN_HOUR = 3_600_000

MakeLock = Callable[..., AppLock]
# The lock raises the lock screen and, after it, the window that was active; the offscreen
# platform cannot, and says so. (On each test: the conftest's marker on each test would win.)
raises_windows = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints|raise)\(\)$"
)


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompts: FakePrompts, cast) -> MainWindow:
    main_window = MainWindow(services, prompts)
    qtbot.addWidget(main_window)
    with qtbot.waitSignal(main_window.first_data_loaded, timeout=5000):
        main_window.show()
        main_window.load_data()
    qtbot.waitExposed(main_window)
    return main_window


@pytest.fixture
def make_lock(services: Services, window: MainWindow) -> Iterator[MakeLock]:
    made: list[AppLock] = []

    def make(idle_ms: int | None = AN_HOUR) -> AppLock:
        made.append(AppLock(services, window, idle_ms=idle_ms))
        return made[-1]

    yield make
    for lock in made:  # a test that ends locked is unlocked, so the next starts clean
        if isValid(lock) and lock.dialog is not None:
            unlock(lock)
        if isValid(lock):
            QApplication.instance().removeEventFilter(lock)
            lock.idle_timer.stop()  # the window may outlive the test until collected


@pytest.fixture
def lock(make_lock: MakeLock) -> AppLock:
    return make_lock()


def open_record(qtbot: QtBot, window: MainWindow, observation: uuid.UUID) -> EditorWindow:
    editor = window.editors.open(observation)
    assert editor is not None
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    return editor


def visible_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def texts_on_screen() -> list[str]:
    """Every text a visible widget shows, window titles included."""
    shown: list[str] = []
    for widget in QApplication.allWidgets():
        if not widget.isVisible():
            continue
        shown.append(widget.windowTitle())
        if isinstance(widget, QLabel | QLineEdit | QAbstractButton):
            shown.append(widget.text())
        elif isinstance(widget, QTextEdit | QPlainTextEdit):
            shown.append(widget.toPlainText())
    return shown


def unlock_dialog() -> UnlockDialog:
    """The lock screen, found as a user meets it: the dialog that blocks every window."""
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, UnlockDialog)
    assert dialog.isVisible()
    return dialog


def answer(passphrase: str) -> None:
    dialog = unlock_dialog()
    dialog.passphrase.setText(passphrase)
    dialog.accept()


def unlock(lock: AppLock) -> None:
    assert lock.dialog is not None
    lock.dialog.passphrase.setText(STORE_PASSPHRASE)
    lock.dialog.accept()
    assert not lock.is_locked


def failed_unlocks(services: Services) -> list[AuditEvent]:
    with services.db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == FAILED_UNLOCK)))


# Locking on demand


@raises_windows
def test_ctrl_l_in_an_editor_saves_the_typing_then_hides_every_window(
    qtbot: QtBot, services: Services, window: MainWindow, lock: AppLock, observation: uuid.UUID
):
    editor = open_record(qtbot, window, observation)
    type_into(qtbot, text_box(editor, "strengths"), TYPED)
    assert editor.autosaver.has_pending()  # not saved yet: the pause has not passed

    press(Qt.Key.Key_L, CTRL)

    assert lock.is_locked
    assert services.recording.get(observation).strengths == TYPED
    assert not window.isVisible()
    assert not editor.isVisible()
    assert visible_windows() == [unlock_dialog()]
    assert unlock_dialog().windowTitle() == "Practice Observer is locked"
    on_screen = " ".join(texts_on_screen())
    assert WORKER not in on_screen
    assert TYPED not in on_screen


@raises_windows
def test_the_file_menu_has_lock_on_ctrl_l(window: MainWindow, lock: AppLock):
    file_menu = window.menuBar().actions()[0].menu()
    assert window.lock_action in file_menu.actions()
    assert window.lock_action.shortcut().toString() == "Ctrl+L"

    window.lock_action.trigger()

    assert lock.is_locked
    assert not window.isVisible()


@raises_windows
def test_a_wrong_passphrase_keeps_the_records_hidden_and_is_audited(
    qtbot: QtBot, services: Services, window: MainWindow, lock: AppLock, observation: uuid.UUID
):
    editor = open_record(qtbot, window, observation)
    lock.lock()

    answer("not the passphrase")

    dialog = unlock_dialog()
    assert lock.is_locked
    assert visible_windows() == [dialog]
    assert dialog.problem.text() == WRONG_PASSPHRASE
    assert dialog.passphrase.text() == ""
    [event] = failed_unlocks(services)
    assert (event.record_type, event.record_id) == ("store", None)
    assert event.detail.startswith("attempted at 20")
    assert UnlockAttempts(services.data_dir).failures() == 1  # counted for the wait
    assert not editor.isVisible()


@raises_windows
def test_the_right_passphrase_shows_exactly_the_windows_that_were_showing(
    qtbot: QtBot, services: Services, window: MainWindow, lock: AppLock, observation: uuid.UUID
):
    editor = open_record(qtbot, window, observation)
    box = text_box(editor, "strengths")
    type_into(qtbot, box, TYPED)
    put_away = QDialog(window)  # a window that was not showing stays hidden
    put_away.setAccessibleName("Put away")
    window.lock_action.trigger()
    answer("not the passphrase")

    answer(STORE_PASSPHRASE)

    assert not lock.is_locked
    assert sorted(map(id, visible_windows())) == sorted(map(id, [window, editor]))
    assert not put_away.isVisible()
    qtbot.waitUntil(editor.isActiveWindow)
    assert QApplication.focusWidget() is box
    assert box.text() == TYPED
    assert len(failed_unlocks(services)) == 1  # written once, not again at the unlock
    assert UnlockAttempts(services.data_dir).failures() == 0


@raises_windows
def test_typing_that_cannot_be_saved_stays_on_screen_and_is_saved_after_unlock(
    qtbot: QtBot,
    services: Services,
    window: MainWindow,
    lock: AppLock,
    observation: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
):
    def busy(
        observation_id: uuid.UUID, changes: Sequence[Change], wait_ms: int | None = None
    ) -> SaveOutcome:
        raise StoreBusy("Another program is writing to the store.")

    editor = open_record(qtbot, window, observation)
    box = text_box(editor, "strengths")
    type_into(qtbot, box, TYPED)
    monkeypatch.setattr(services.recording, "save", busy)

    window.lock_action.trigger()

    assert lock.is_locked
    assert services.recording.get(observation).strengths == ""
    assert editor.autosaver.has_pending()
    assert box.text() == TYPED
    monkeypatch.undo()  # the store can be written again

    unlock(lock)

    assert services.recording.get(observation).strengths == TYPED
    assert box.text() == TYPED


@raises_windows
def test_a_dialog_waiting_for_an_answer_is_covered_not_cancelled(
    qtbot: QtBot, window: MainWindow, lock: AppLock
):
    dialog = QDialog(window)
    dialog.setWindowTitle(f"About Zoë {WORKER}")
    field = QLineEdit(dialog)
    field.setAccessibleName("Note")
    field.resize(300, 30)
    dialog.resize(400, 200)
    seen: dict[str, object] = {}

    def while_it_waits() -> None:
        field.setText("half a sentence")
        window.lock_action.trigger()
        seen["locked"] = lock.is_locked
        seen["main window"] = window.isVisible()
        seen["title"] = dialog.windowTitle()
        covering = dialog.childAt(field.geometry().center())
        seen["covered"] = covering is not None and covering is not field
        seen["modal"] = QApplication.activeModalWidget()
        unlock(lock)
        seen["after"] = (dialog.windowTitle(), field.text(), dialog.childAt(5, 5) is field)
        dialog.accept()

    QTimer.singleShot(0, while_it_waits)
    assert dialog.exec() == QDialog.DialogCode.Accepted.value  # not ended by the lock

    assert seen["locked"]
    assert not seen["main window"]
    assert seen["title"] == LOCKED_TITLE
    assert seen["covered"]
    assert isinstance(seen["modal"], UnlockDialog)
    assert seen["after"] == (f"About Zoë {WORKER}", "half a sentence", True)


@raises_windows
def test_quitting_from_the_lock_screen_closes_the_app_with_the_work_saved(
    qtbot: QtBot,
    services: Services,
    window: MainWindow,
    lock: AppLock,
    observation: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
):
    quits: list[bool] = []
    monkeypatch.setattr(ui.lock.QCoreApplication, "quit", lambda: quits.append(True))
    editor = open_record(qtbot, window, observation)
    type_into(qtbot, text_box(editor, "strengths"), TYPED)
    lock.lock()

    unlock_dialog().reject()  # "Quit Practice Observer"

    assert quits == [True]
    assert window.editors.windows == {}
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not isValid(editor)
    assert services.recording.get(observation).strengths == TYPED
    assert services.workspace.left_open() == []  # closed as on Quit, not left for recovery


@raises_windows
def test_every_control_of_the_lock_screen_has_a_name(lock: AppLock):
    lock.lock()
    dialog = unlock_dialog()
    assert dialog.passphrase.accessibleName() == "Passphrase"
    assert all(b.text().replace("&", "") for b in dialog.findChildren(QAbstractButton))


# Locking when left alone


@raises_windows
def test_the_app_locks_itself_after_the_idle_time(
    qtbot: QtBot, window: MainWindow, make_lock: MakeLock
):
    lock = make_lock(idle_ms=50)

    qtbot.waitUntil(lambda: lock.is_locked, timeout=5000)

    assert not window.isVisible()
    assert isinstance(QApplication.activeModalWidget(), UnlockDialog)


@raises_windows
def test_the_idle_time_is_the_stores_setting(services: Services, make_lock: MakeLock):
    assert make_lock(idle_ms=None).idle_timer.interval() == 10 * 60_000  # the default

    set_idle_lock_minutes(services.db, 3, "Priya Shah")

    assert make_lock(idle_ms=None).idle_timer.interval() == 3 * 60_000


@raises_windows
def test_keys_and_the_mouse_restart_the_idle_time_but_not_while_locked(
    qtbot: QtBot, window: MainWindow, make_lock: MakeLock
):
    lock = make_lock(idle_ms=AN_HOUR)
    timer = lock.idle_timer
    waited = lambda: timer.remainingTime() < AN_HOUR - 300  # noqa: E731
    clock = QElapsedTimer()
    # Restarted by the event: what the event's own work took (a section made and filled,
    # longer on a loaded machine) is all that may have run off since.
    restarted = lambda: timer.remainingTime() > AN_HOUR - 150 - clock.elapsed()  # noqa: E731

    qtbot.waitUntil(waited)
    clock.start()
    QTest.keyClick(window.navigation, Qt.Key.Key_Down)
    assert restarted()

    qtbot.waitUntil(waited)
    clock.start()
    QTest.mouseClick(window.navigation.viewport(), Qt.MouseButton.LeftButton)
    assert restarted()

    lock.lock()
    assert not timer.isActive()
    QTest.keyClicks(unlock_dialog().passphrase, "typing at the lock screen")
    assert not timer.isActive()

    unlock(lock)
    assert timer.isActive()
    assert restarted()
