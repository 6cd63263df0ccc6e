"""The passphrase screens as a user meets them: choosing one, unlocking, waiting after
wrong guesses, and changing it."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog

from observer.security.unlock import StoreState, store_state
from observer.services import Services, open_services
from observer.store import encryption
from observer.store.encryption import WrongStorePassphrase, check_new_passphrase
from tests.support.editor import text_box
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.paths import FIXTURES
from tests.support.prompts import FakePrompts
from ui.dialogs.change_passphrase import ChangePassphraseDialog
from ui.dialogs.passphrase import Attempt, NewPassphraseDialog, UnlockDialog
from ui.main_window import MainWindow
from ui.unlock import OPENING, open_store, with_progress

NEW = "a different passphrase"


def when_shown(kind: type, act) -> None:
    """Runs `act` on the first dialog of `kind` once the event loop shows it."""

    def find() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind)), None)
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(10, find)
            return
        act(dialog)

    QTimer.singleShot(0, find)


def test_a_new_passphrase_must_be_typed_twice_alike(qtbot) -> None:
    dialog = NewPassphraseDialog(check_new_passphrase)
    qtbot.addWidget(dialog)
    dialog.first.setText("long enough passphrase")
    dialog.second.setText("long enough passphrasE")

    dialog.accept()

    assert not dialog.result()
    assert dialog.problem.text() == "The two passphrases are not the same."
    assert dialog.second.text() == ""
    dialog.second.setText("long enough passphrase")
    dialog.accept()
    assert dialog.result()
    assert dialog.passphrase == "long enough passphrase"


def test_unlock_says_what_was_wrong_and_waits_out_the_delay(qtbot) -> None:
    answers = iter([Attempt("That passphrase does not open the store.", 2), Attempt()])
    dialog = UnlockDialog(lambda _typed: next(answers))
    qtbot.addWidget(dialog)
    dialog.passphrase.setText("wrong")

    dialog.accept()

    assert dialog.passphrase.text() == ""
    assert dialog.problem.text().startswith("That passphrase does not open the store.")
    assert "Try again in 2 seconds." in dialog.problem.text()
    assert not dialog.open_button.isEnabled()
    dialog.accept()  # pressing Enter while waiting does nothing
    assert not dialog.result()
    # The countdown's seconds are its timer's ticks, fired here rather than waited for, so
    # a loaded machine cannot make the test wait longer than it allows.
    countdown = dialog.findChild(QTimer)
    assert countdown is not None
    assert countdown.isActive()
    assert countdown.interval() == 1000
    countdown.timeout.emit()
    assert "Try again in 1 second." in dialog.problem.text()
    assert not dialog.open_button.isEnabled()
    countdown.timeout.emit()
    assert dialog.open_button.isEnabled()
    assert not countdown.isActive()
    assert "You can try again now." in dialog.problem.text()
    dialog.passphrase.setText("right")
    dialog.accept()
    assert dialog.result()


def test_a_first_start_asks_for_a_new_passphrase_and_encrypts_with_it(qapp, tmp_path: Path) -> None:
    data = tmp_path / "first"

    def choose(dialog: NewPassphraseDialog) -> None:
        dialog.first.setText(NEW)
        dialog.second.setText(NEW)
        dialog.accept()

    when_shown(NewPassphraseDialog, choose)
    services = open_store(data)
    assert services is not None
    services.close()

    assert store_state(data) is StoreState.ENCRYPTED
    encryption.key_for(services.db.path, NEW)


def test_unlocking_keeps_asking_until_the_passphrase_opens_the_store(
    qapp, services: Services
) -> None:
    data = services.data_dir
    services.close()
    typed: list[str] = []

    def type_wrong_then_right(dialog: UnlockDialog) -> None:
        dialog.passphrase.setText("not it")
        dialog.accept()
        typed.append(dialog.problem.text())
        dialog.passphrase.setText(STORE_PASSPHRASE)
        dialog.accept()

    when_shown(UnlockDialog, type_wrong_then_right)
    opened = open_store(data)

    assert opened is not None
    opened.close()
    assert typed == ["That passphrase does not open the store."]


def test_quitting_at_the_unlock_screen_opens_nothing(qapp, services: Services) -> None:
    data = services.data_dir
    services.close()
    when_shown(UnlockDialog, lambda dialog: dialog.reject())
    assert open_store(data) is None


def test_changing_the_passphrase_in_the_dialog(qtbot, services: Services) -> None:
    prompts = FakePrompts()
    dialog = ChangePassphraseDialog(services, prompts)
    qtbot.addWidget(dialog)
    dialog.current.setText("not the current one")
    dialog.new.setText(NEW)
    dialog.again.setText(NEW)

    dialog.accept()

    assert prompts.shown == [("error", "That is not the current passphrase.")]
    # Only what was wrong is cleared, for typing again.
    assert (dialog.current.text(), dialog.new.text(), dialog.again.text()) == ("", NEW, NEW)
    dialog.current.setText(STORE_PASSPHRASE)
    dialog.again.setText(NEW + " but not quite")
    dialog.accept()
    assert prompts.shown[-1] == ("error", "The two passphrases are not the same.")
    assert (dialog.current.text(), dialog.new.text(), dialog.again.text()) == (
        STORE_PASSPHRASE,
        "",
        "",
    )
    dialog.new.setText(NEW)
    dialog.again.setText(NEW)
    dialog.accept()
    assert dialog.result()
    services.close()
    with pytest.raises(encryption.WrongStorePassphrase):
        open_services(services.data_dir, STORE_PASSPHRASE)
    open_services(services.data_dir, NEW).close()


def test_the_change_says_how_many_backups_were_re_protected(qtbot, services: Services) -> None:
    services.backups.make()
    prompts = FakePrompts()

    def fill(dialog: ChangePassphraseDialog) -> None:
        dialog.current.setText(STORE_PASSPHRASE)
        dialog.new.setText(NEW)
        dialog.again.setText(NEW)
        dialog.accept()

    when_shown(ChangePassphraseDialog, fill)
    assert ChangePassphraseDialog.change(None, services, prompts)

    assert prompts.shown == [
        (
            "information",
            "The passphrase is changed: the store, 1 backup and the signing identity now open "
            "with the new one; use it from now on.",
        )
    ]


def test_the_dialog_says_the_change_is_refused_while_another_process_has_the_store_open(
    qtbot, services: Services
) -> None:
    import subprocess
    import sys

    from tests.observer.security.test_passphrase_change import HOLDER

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(services.data_dir), STORE_PASSPHRASE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip().isdigit()
        prompts = FakePrompts()
        dialog = ChangePassphraseDialog(services, prompts)
        qtbot.addWidget(dialog)
        dialog.current.setText(STORE_PASSPHRASE)
        dialog.new.setText(NEW)
        dialog.again.setText(NEW)

        dialog.accept()

        assert not dialog.result()
        assert prompts.shown == [
            (
                "error",
                "The store is open in another Practice Observer window or command; close it "
                "and try again. The passphrase was not changed.",
            )
        ]
        _, err = holder.communicate("\n", timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert holder.returncode == 0, err
    services.close()
    open_services(services.data_dir, STORE_PASSPHRASE).close()


def test_an_earlier_plain_store_is_encrypted_after_choosing_a_passphrase(
    qapp, tmp_path: Path
) -> None:
    data = tmp_path / "earlier"
    data.mkdir()
    shutil.copyfile(FIXTURES / "schema-0002.sqlite", data / "observer.sqlite")
    told: list[str] = []

    def choose(dialog: NewPassphraseDialog) -> None:
        told.append(dialog.windowTitle())
        told.extend(label.text() for label in dialog.findChildren(QLabel))
        dialog.first.setText(NEW)
        dialog.second.setText(NEW)
        dialog.accept()

    when_shown(NewPassphraseDialog, choose)
    services = open_store(data)
    assert services is not None
    try:
        assert services.recording.count() >= 1
    finally:
        services.close()

    assert any("earlier version without encryption" in text for text in told)
    assert store_state(data) is StoreState.ENCRYPTED


def test_escape_does_not_quit_from_the_lock_screen(qtbot) -> None:
    locked = UnlockDialog(lambda _typed: Attempt(), locked=True)
    starting = UnlockDialog(lambda _typed: Attempt())
    for dialog in (locked, starting):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Escape)

    assert locked.isVisible()
    assert not starting.isVisible()


@pytest.mark.qt_log_ignore(r"^This plugin does not support (propagateSizeHints|raise)\(\)$")
def test_file_change_passphrase_saves_open_records_first(
    qtbot, services: Services, observation, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(services, FakePrompts())
    qtbot.addWidget(window)
    window.show()
    editor = window.editors.open(observation)
    assert editor is not None
    text_box(editor, "strengths").setPlainText("Typed just before changing the passphrase.")
    stored_when_asked: list[str] = []

    def change(_parent, services_: Services, _prompts) -> bool:
        stored_when_asked.append(services_.recording.get(observation).strengths)
        return False

    monkeypatch.setattr(ChangePassphraseDialog, "change", change)
    window.change_passphrase_action.trigger()

    assert stored_when_asked == ["Typed just before changing the passphrase."]
    editor.close()


def test_a_long_open_shows_what_is_happening_and_a_quick_one_shows_nothing(qapp) -> None:
    finished = threading.Event()
    told: list[str] = []

    def watch() -> None:
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
        if any(w.isVisible() for w in shown):
            told.extend(w.labelText() for w in shown if w.isVisible())
            finished.set()
        else:
            QTimer.singleShot(20, watch)

    QTimer.singleShot(0, watch)
    assert with_progress(OPENING, lambda: finished.wait(10) and "opened", after=0.05) == "opened"
    assert told == [OPENING]

    before = {id(w) for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)}
    assert with_progress(OPENING, lambda: "quick") == "quick"
    after = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
    assert not [w for w in after if id(w) not in before and w.isVisible()]


def test_opening_runs_alongside_the_import_and_the_store_speaks_first(qapp) -> None:
    """Start-up imports the main window (`meanwhile`) while the key is derived; whatever
    happens to the import, the store's own outcome is waited for and reported first."""
    importing = threading.Event()

    def work() -> str:
        assert importing.wait(10), "the import ran only after the store opened"
        return "opened"

    assert with_progress(OPENING, work, meanwhile=importing.set) == "opened"

    def broken_import() -> None:
        raise ImportError("a module is missing")

    def wrong_passphrase() -> str:
        raise WrongStorePassphrase("That passphrase does not open the store.")

    with pytest.raises(WrongStorePassphrase):
        with_progress(OPENING, wrong_passphrase, meanwhile=broken_import)
    with pytest.raises(ImportError):
        with_progress(OPENING, lambda: "opened", meanwhile=broken_import)
