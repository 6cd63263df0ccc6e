"""Starting the GUI: arguments, the QApplication, the store, the first-run questions, the window.

The window is painted first and filled from the store on the next turn of the event loop,
so the user sees something at once even on a large store.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThreadPool, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from ui.arguments import parse_args, store_folder
from ui.prompts import Prompts
from ui.settings import APPLICATION_NAME, ORGANISATION_NAME

if TYPE_CHECKING:
    from observer.people.profile import LocalProfile
    from observer.services import Services
    from ui.main_window import MainWindow
    from ui.single_instance import Claim

log = logging.getLogger(__name__)

SAMPLE_WORKERS = 40
SAMPLE_OBSERVATIONS = 400
SAMPLE_STORE_FAILED = (
    "The sample store in {folder} could not be opened ({reason}); carrying on with your "
    "own store, which is empty and ready for real records."
)


def application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setApplicationName(APPLICATION_NAME)
    app.setApplicationDisplayName(APPLICATION_NAME)
    app.setOrganizationName(ORGANISATION_NAME)
    QGuiApplication.setDesktopFileName("practice-observer")
    return app


UNEXPECTED = (
    "Something went wrong and that step did not finish; what was saved before it is safe. "
    "The details are in {log}."
)
NO_DISPLAY = (
    "Practice Observer needs a display: start it from the desktop, or run it under "
    "xvfb-run (or with QT_QPA_PLATFORM=offscreen) on a machine without one."
)


def has_display() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str], *, prompts: Prompts | None = None) -> int:
    args = parse_args(argv)
    if QApplication.instance() is None and not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    app = application()
    prompts = prompts or Prompts()

    from ui.single_instance import Claim, SingleInstance, bring_forward

    directory = store_folder(args)
    # Before the passphrase: a second start on this folder brings the first forward instead.
    instance = SingleInstance(directory)
    claim = instance.claim()
    if claim is not Claim.FIRST:
        return _already_open(directory, claim, prompts, args)
    instance.activation_requested.connect(bring_forward)
    try:
        return _start(app, directory, prompts, args)
    finally:
        instance.release()


def _start(app: QApplication, directory: Path, prompts: Prompts, args: argparse.Namespace) -> int:
    from observer.errors import ObserverError
    from observer.logfile import configure_logging
    from observer.paths import PASSPHRASE_ENV
    from ui.backup import RestoreDeclined, back_up_on_close

    log_handler: logging.Handler | None = None
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if args.quit_after_startup and not passphrase:
        print(f"--quit-after-startup takes the passphrase from {PASSPHRASE_ENV}.", file=sys.stderr)
        return 2
    try:
        log_handler = configure_logging(directory)
        opened = _open(directory, passphrase, prompts, args)
    except RestoreDeclined:
        _remove_log_handler(log_handler)
        return 2
    except ObserverError as error:
        _fail(prompts, args, error, str(error))
        _remove_log_handler(log_handler)
        return 2
    except OSError as error:
        reason = error.strerror or type(error).__name__
        _fail(
            prompts, args, error, f"Practice Observer cannot use the folder {directory}: {reason}."
        )
        _remove_log_handler(log_handler)
        return 2
    if opened is None:
        _remove_log_handler(log_handler)
        return 0
    services = opened
    try:
        return _run(app, services, prompts, args)
    finally:
        QThreadPool.globalInstance().waitForDone()  # background work ends before the store
        from ui.export_process import end_export_processes

        end_export_processes()
        back_up_on_close(services, prompts, args)
        services.close()
        _remove_log_handler(log_handler)


def _already_open(directory: Path, claim: Claim, prompts: Prompts, args: argparse.Namespace) -> int:
    """Another start has the folder: it was asked to come forward (0), or it did not answer."""
    from ui.single_instance import AlreadyOpen, Claim

    if claim is Claim.FORWARDED:
        return 0
    message = str(AlreadyOpen(directory))
    if args.quit_after_startup:
        print(message, file=sys.stderr)
    else:
        prompts.error(None, message)
    return 2


def _open(
    directory: Path, passphrase: str | None, prompts: Prompts, args: argparse.Namespace
) -> Services | None:
    """The opened store, or None when the user chose not to go on. A store that cannot be
    read, with a passphrase that is right for it, offers the latest good one."""
    from observer.errors import DatabaseUnreadable
    from ui.backup import UnreadableStore, offer_restore
    from ui.unlock import open_store, opening

    try:
        if passphrase:
            # Its key is being derived already (main.py), so the opening has little to wait
            # for: the window's modules are imported first rather than meanwhile, when two
            # threads running Python would only take turns (slowly on a busy laptop).
            _import_main_window()
            return opening(directory, passphrase)
        return open_store(directory, meanwhile=_import_main_window)
    except UnreadableStore as typed:
        unreadable = typed
    except DatabaseUnreadable as error:
        if not passphrase:
            raise
        unreadable = UnreadableStore(error, passphrase)
    return offer_restore(prompts, directory, unreadable, interactive=not args.quit_after_startup)


def _import_main_window() -> None:
    import ui.main_window  # noqa: F401


def _run(app: QApplication, services: Services, prompts: Prompts, args: argparse.Namespace) -> int:
    if services.profiles.current() is None and not args.quit_after_startup:
        from ui.dialogs.first_run import FirstRunDialog

        profile, accepted, sample = FirstRunDialog.first_start(
            None, services.profiles, prompts, offer_sample=not args.demo
        )
        if not accepted or profile is None:
            return 0
        if sample:
            ended = _sample_window(app, services, profile, prompts, args)
            if ended is not None:
                return ended
    return _window(app, services, prompts, args, demo=args.demo)


def _sample_window(
    app: QApplication,
    services: Services,
    profile: LocalProfile,
    prompts: Prompts,
    args: argparse.Namespace,
) -> int | None:
    """The window on the sample store, holding its folder as the usual start holds its own
    (so a second start on it comes forward instead); None when it could not be opened."""
    from observer.paths import sample_dir
    from ui.single_instance import Claim, SingleInstance, bring_forward

    folder = sample_dir(services.data_dir)
    instance = SingleInstance(folder)
    claim = instance.claim()
    if claim is not Claim.FIRST:
        return _already_open(folder, claim, prompts, args)
    instance.activation_requested.connect(bring_forward)
    try:
        sample_services = _open_sample_store(services, profile, prompts)
        if sample_services is None:
            return None
        try:
            return _window(app, sample_services, prompts, args, demo=True)
        finally:
            QThreadPool.globalInstance().waitForDone()
            sample_services.close()
    finally:
        instance.release()


def _open_sample_store(
    services: Services, profile: LocalProfile, prompts: Prompts
) -> Services | None:
    """The separate sample store beside this one, opened with the same passphrase and the
    same user; None (after saying why) when it cannot be."""
    from observer.errors import ObserverError
    from observer.paths import sample_dir
    from ui.unlock import opening

    folder = sample_dir(services.data_dir)
    try:
        sample = opening(folder, services.passphrase)
    except (ObserverError, OSError) as error:
        reason = str(error) if isinstance(error, ObserverError) else type(error).__name__
        prompts.error(None, SAMPLE_STORE_FAILED.format(folder=folder, reason=reason.rstrip(".")))
        return None
    try:
        if sample.profiles.current() is None:
            sample.profiles.set_up(profile.name, profile.role, profile.organisation)
    except ObserverError:
        sample.close()
        raise
    log.info("opened the sample store")
    return sample


def _window(
    app: QApplication, services: Services, prompts: Prompts, args: argparse.Namespace, *, demo: bool
) -> int:
    from observer.paths import log_path
    from ui.backup import add_backup_action, start_daily_backup
    from ui.lock import AppLock
    from ui.main_window import MainWindow
    from ui.sync.control import add_sync

    window = MainWindow(services, prompts)
    AppLock(services, window)  # a child of the window: Ctrl+L and the idle lock
    add_backup_action(window, services, prompts)
    add_sync(window, services, prompts)
    restore_hook = report_unexpected_errors(window, prompts, log_path(services.data_dir))
    window.show()

    def load() -> None:
        try:
            if demo and services.recording.count() == 0:
                add_sample_data(window, services, prompts)
            window.load_data()
            if not args.quit_after_startup:
                start_daily_backup(window, services, prompts)
        except Exception:
            app.exit(1)
            raise

    QTimer.singleShot(0, load)
    if args.quit_after_startup:
        window.first_data_loaded.connect(app.quit, Qt.ConnectionType.QueuedConnection)
    try:
        return app.exec()
    finally:
        restore_hook()
        window.close()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        # Closing the last window asks the application to quit; the loop has already
        # ended, so that request would end the next one at once (a second window, a test).
        QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)


def add_sample_data(window: MainWindow, services: Services, prompts: Prompts) -> None:
    from observer.demo.generator import generate
    from observer.errors import ObserverError

    window.statusBar().showMessage("Adding sample data…")
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        generate(services, workers=SAMPLE_WORKERS, observations=SAMPLE_OBSERVATIONS)
    except ObserverError as error:
        prompts.error(window, str(error))
    finally:
        QGuiApplication.restoreOverrideCursor()
        window.statusBar().clearMessage()
    window.refresh_profile()
    log.info("sample data added")


def report_unexpected_errors(
    window: QWidget, prompts: Prompts, log_file: Path
) -> Callable[[], None]:
    """A bug in a slot is logged and told in one sentence, never a silent traceback.
    Returns what puts the previous hook back."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, trace)
            return
        log.error("unexpected error", exc_info=(kind, error, trace))
        prompts.error(window, UNEXPECTED.format(log=log_file))

    sys.excepthook = hook

    def restore() -> None:
        sys.excepthook = previous

    return restore


def _fail(prompts: Prompts, args: argparse.Namespace, error: Exception, message: str) -> None:
    log.error("start-up failed: %s", type(error).__name__)
    if args.quit_after_startup:
        print(message, file=sys.stderr)
    else:
        prompts.error(None, message)


def _remove_log_handler(handler: logging.Handler | None) -> None:
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()
