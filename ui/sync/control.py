"""Sync in the main window: File → Join a team server… and Sync now, the status line, and a
sync in the background every few minutes.

Only the `Sync` service is used. Each sync runs on the thread pool and never two at once;
the window only reads its status (also on the pool) and tells open editors to catch up
with what was pulled. A server that cannot be reached is tried again later and later,
up to half an hour, and at once when Sync now is chosen.
"""

from __future__ import annotations

import html
import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from observer.changes import Changed, Topic
from observer.errors import ObserverError
from observer.sync.client import NotEnrolled, ServerUnreachable
from observer.sync.service import SyncResult, SyncStatus
from ui.background import BatchJob
from ui.formatting import count
from ui.latest_result import LatestResult, single_shot
from ui.prompts import Prompts
from ui.sync.words import Attempt, conflict_words, refused_words, status_words

if TYPE_CHECKING:
    from observer.services import Services
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

EVERY_MS = 5 * 60 * 1000  # a background sync while the server answers
FIRST_AFTER_MS = 15 * 1000  # the first one, once the window is in use
LONGEST_WAIT_MS = 30 * 60 * 1000  # offline: tried again later and later, up to this
TICK_MS = 30 * 1000  # "3 minutes ago" moves on
STATUS_PAUSE_MS = 400  # edits that add to the outbox, read together
OUTBOX_TOPICS = Topic.RECORDS | Topic.ACTIONS | Topic.PEOPLE | Topic.FRAMEWORKS
REFUSED_LINK, CONFLICTS_LINK, PROBLEM_LINK = "refused", "conflicts", "problem"

# Syncs still on the pool when their window has gone: held until they report.
_running: list[BatchJob[None]] = []


class _Report(QObject):
    done = Signal(object, object, str)  # SyncResult or None, Attempt, one sentence


class SyncStatusLine(QLabel):
    """The calm line at the foot of the window: when it last synced and what is waiting,
    then links to what needs a person (changes refused, conflicts to settle). One label,
    so that it takes no more room than its words on a 1366-pixel-wide laptop."""

    refused_clicked = Signal()
    conflicts_clicked = Signal()
    problem_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sync")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setContentsMargins(0, 0, 8, 0)
        self.linkActivated.connect(self._clicked)
        self.parts: dict[str, str] = {}

    def show_parts(self, main: str, refused: str, conflicts: str, *, why: bool = False) -> None:
        """`why`: the main part is a link to the sentence saying why the sync did not
        finish (a tooltip alone hides it from whoever does not hover)."""
        self.parts = {"main": main, REFUSED_LINK: refused, CONFLICTS_LINK: conflicts}
        shown = [f'<a href="{PROBLEM_LINK}">{html.escape(main)}</a>' if why else html.escape(main)]
        shown += [
            f'<a href="{link}">{html.escape(words)}</a>'
            for link, words in ((REFUSED_LINK, refused), (CONFLICTS_LINK, conflicts))
            if words
        ]
        self.setText(" · ".join(shown))

    def plain(self) -> str:
        """Everything the line says, as a practice lead reads it."""
        return " · ".join(words for words in self.parts.values() if words)

    def _clicked(self, link: str) -> None:
        if link == REFUSED_LINK:
            self.refused_clicked.emit()
        elif link == CONFLICTS_LINK:
            self.conflicts_clicked.emit()
        elif link == PROBLEM_LINK:
            self.problem_clicked.emit()


class SyncControl(QObject):
    """A child of the main window: its File menu entries, its status line, its timers."""

    synced = Signal(object)  # SyncResult, once a sync has succeeded
    finished = Signal(object)  # the Attempt, once a sync has ended either way
    status_read = Signal(object)  # SyncStatus

    def __init__(
        self,
        window: MainWindow,
        services: Services,
        prompts: Prompts,
        *,
        every_ms: int = EVERY_MS,
        first_after_ms: int = FIRST_AFTER_MS,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._sync = services.sync  # made here, on the GUI thread, before any job uses it
        self._prompts = prompts
        self._every_ms = every_ms
        self._wait_ms = every_ms
        self.attempt = Attempt.NONE
        self._stopped = False  # the window closed
        self.problem = ""
        # The server no longer accepts this laptop (revoked, or restored from a backup):
        # File → Join the team server again… is offered.
        self.not_accepted = False
        self.status: SyncStatus | None = None
        self.line = SyncStatusLine()
        self.line.setVisible(False)
        self.line.refused_clicked.connect(self.show_refused)
        self.line.conflicts_clicked.connect(self.show_conflicts)
        self.line.problem_clicked.connect(self.show_problem)
        window.statusBar().insertPermanentWidget(0, self.line)
        self._reads = LatestResult(self)
        self._reads.ready.connect(self._status_arrived)
        self._reads.failed.connect(lambda sentence: log.warning("sync status unread"))
        self._reread = single_shot(self, STATUS_PAUSE_MS, self.read_status)
        self._next = single_shot(self, first_after_ms, self._background)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._show)
        self._tick.start()
        self._add_menu_entries()
        window.changes.changed.connect(self._heard)
        window.closed.connect(self.stop)
        # The team overview's line of when each laptop last synced comes with each pull.
        self.synced.connect(lambda _result: window.laptops_synced())
        self.read_status()

    @property
    def joined(self) -> bool:
        return self.status is not None and self.status.server is not None

    @property
    def running(self) -> bool:
        return self.attempt is Attempt.RUNNING

    def _add_menu_entries(self) -> None:
        window = self._window
        self.join_action = QAction("&Join a team server…", window)
        self.join_action.setStatusTip("Connect this laptop to your team's server with a code")
        self.join_action.triggered.connect(self.join)
        self.sync_action = QAction("S&ync now", window)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.setStatusTip("Send what is waiting to the team server and receive news")
        self.sync_action.setEnabled(False)
        self.sync_action.triggered.connect(self.sync_now)
        file_menu = window.file_menu
        before = window.profile_action
        file_menu.insertAction(before, self.join_action)
        file_menu.insertAction(before, self.sync_action)
        file_menu.insertSeparator(before)

    # Joining

    def join(self) -> None:
        from ui.sync.join_dialog import JoinDialog

        server = self.status.server if self.status is not None else None
        joined = JoinDialog.ask(self._window, self._sync.join, self._prompts, server)
        if joined is not None:
            self.not_accepted = False
            self.read_status()
            self.sync_now()

    # Syncing

    def sync_now(self) -> bool:
        """Starts a sync unless one is running (the menu offers it only once joined);
        True if started."""
        if self.running or self._stopped:
            return False
        self._next.stop()
        self.attempt, self.problem = Attempt.RUNNING, ""
        self.sync_action.setEnabled(False)
        self._show()
        report = _Report(self)
        report.done.connect(self._finished)
        got: list[tuple[SyncResult | None, Attempt, str]] = []
        unknown: list[bool] = []  # the server no longer accepts this laptop
        sync = self._sync

        def step(_: None) -> None:  # on the pool's thread
            try:
                got.append((sync.sync(), Attempt.DONE, ""))
            except ServerUnreachable as error:
                got.append((None, Attempt.OFFLINE, str(error)))
            except NotEnrolled as error:
                got.append((None, Attempt.REFUSED, str(error)))
                unknown.append(True)
            except ObserverError as error:
                got.append((None, Attempt.REFUSED, str(error)))

        job: BatchJob[None] = BatchJob([None], step)
        job.signals.step_failed.connect(
            lambda _item, sentence: got.append((None, Attempt.REFUSED, sentence))
        )

        def finished(*_: object) -> None:
            _running.remove(job)
            self.not_accepted = bool(unknown)
            report.done.emit(*(got[0] if got else (None, Attempt.REFUSED, "")))

        job.signals.finished.connect(finished)
        _running.append(job)
        job.start()
        return True

    def _finished(self, result: SyncResult | None, attempt: Attempt, problem: str) -> None:
        self.attempt, self.problem = attempt, problem
        self.sender().deleteLater()
        if attempt is Attempt.OFFLINE:
            self._wait_ms = min(self._wait_ms * 2, LONGEST_WAIT_MS)
        else:
            self._wait_ms = self._every_ms
        if attempt is Attempt.OFFLINE:
            log.info("sync: the team server could not be reached")
        elif attempt is Attempt.REFUSED:
            log.warning("sync: the team server refused")
        self.sync_action.setEnabled(self.joined)
        self._offer_join()
        self._show()
        if result is not None and (result.pulled or result.removed or result.conflicts):
            self._window.editors.catch_up()
        if not self._stopped:
            self._next.start(self._wait_ms)
        self.read_status()
        if result is not None:
            self.synced.emit(result)
        self.finished.emit(attempt)

    def stop(self) -> None:
        """The window has closed: a sync under way ends at once, so that quitting need not
        wait for a server that does not answer, and none starts after (what it had sent
        unanswered goes again next time)."""
        self._stopped = True
        self._next.stop()
        self._tick.stop()
        self._sync.stop()

    def _background(self) -> None:
        if self._stopped:
            return
        if self.joined and not self.running:
            self.sync_now()
        else:
            self._next.start(self._wait_ms)

    # The status line

    def read_status(self) -> None:
        self._reads.request(self._sync.status)

    def _heard(self, changed: Changed) -> None:
        if changed.touches(OUTBOX_TOPICS) and not self._reread.isActive():
            self._reread.start()

    def _status_arrived(self, status: SyncStatus) -> None:
        self.status = status
        self.sync_action.setEnabled(self.joined and not self.running)
        self._offer_join()
        self._show()
        self.status_read.emit(status)

    def _offer_join(self) -> None:
        """Join a team server… before joining; once the server no longer accepts this
        laptop, Join the team server again…, which a new code from IT makes work."""
        self.join_action.setVisible(not self.joined or self.not_accepted)
        self.join_action.setText(
            "Join the team server &again…" if self.joined else "&Join a team server…"
        )

    def _show(self) -> None:
        status = self.status
        if status is None or status.server is None:
            self.line.setVisible(False)
            return
        shown = status_words(status, self.attempt, self.problem, datetime.now(UTC))
        why = self.attempt is Attempt.REFUSED and bool(self.problem)
        self.line.show_parts(shown.text, refused_words(status), conflict_words(status), why=why)
        self.line.setToolTip(shown.tooltip)
        self.line.setVisible(True)

    def show_problem(self) -> None:
        """Why the last sync did not finish, in the sentence the sync gave."""
        if self.problem:
            self._prompts.warning(self._window, self.problem)

    def show_refused(self) -> None:
        status = self.status
        if status is None or not status.refused:
            return
        n = len(status.refused)
        lines = [
            f"{count(n, 'change')} made on this laptop {'was' if n == 1 else 'were'} not "
            "accepted by the team server, and will not be sent again:"
        ]
        for refused in status.refused:
            what = self._describe(refused.record_type, refused.record_id)
            lines.append(f"• {what}: {refused.message}")
        lines.append("Ask your team manager or IT if you are not sure why.")
        self._prompts.information(self._window, "\n".join(lines))

    def _describe(self, kind: str, record_id: uuid.UUID) -> str:
        if kind == "observation":
            try:
                view = self._services.recording.get(record_id)
            except ObserverError:
                return "An observation no longer on this laptop"
            return f"{view.kind.label} — {view.observed_person_name}"
        return {
            "person": "A person",
            "team": "A team",
            "framework": "A framework",
            "conflict": "A conflict settled here",
        }.get(kind, "A record")

    def show_conflicts(self) -> None:
        """Opens the record with conflicts (its window shows them), or lists the records
        when there are several."""
        try:
            open_conflicts = self._sync.conflicts()
        except ObserverError as error:
            self._prompts.error(self._window, str(error))
            return
        records: dict[uuid.UUID, int] = {}
        for conflict in open_conflicts:
            records[conflict.observation_id] = records.get(conflict.observation_id, 0) + 1
        if len(records) == 1:
            self.open_conflicts_of(next(iter(records)))
            return
        menu = QMenu(self._window)
        self.conflicts_menu = menu
        for record_id, n in records.items():
            text = f"{self._describe('observation', record_id)} ({count(n, 'conflict')})"
            menu.addAction(text, lambda r=record_id: self.open_conflicts_of(r))
        menu.popup(self.line.mapToGlobal(QPoint(0, 0)) - QPoint(0, menu.sizeHint().height()))

    def open_conflicts_of(self, record_id: uuid.UUID) -> None:
        window = self._window.editors.open(record_id)
        if window is not None:
            window.conflicts.show_panel()


def add_sync(window: MainWindow, services: Services, prompts: Prompts) -> SyncControl:
    return SyncControl(window, services, prompts)
