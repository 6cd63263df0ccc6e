"""What the store changed, told to the panels on the GUI thread, so each can catch up.

The core reports every commit on its change feed (observer/changes.py), on the thread that
committed: the GUI thread, or a worker of the thread pool (retention, exports). The bus
gathers what arrives and tells it once per turn of the event loop, on the GUI thread, as
one `Changed` holding every topic and record touched since it last told: a demo import or
a run of autosaves is one notification, not hundreds.

Each panel decides for itself whether a change concerns it (`Freshness`): one in view
reloads, one out of view only notes that it is out of date and reloads when next shown.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from observer.changes import Changed, ChangeFeed, Topic

MIN_GAP_MS = 1000
"""A panel in view reloads at most once a second while changes keep coming (an editor
saves as its user types); the first change after a quiet spell is shown at once."""

Concerns = Topic | Callable[[Changed], bool]


class _Inbox:
    """What has arrived since the bus last told, gathered under a lock from any thread.

    Plain Python, not a QObject: it outlives the bus, so a commit on a worker thread at the
    moment the bus is deleted finds it closed rather than touching a deleted object."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._lock = threading.Lock()
        self._topics = Topic.NONE
        self._ids: set[uuid.UUID] = set()
        self._committed_at = 0.0
        self._waiting = False
        self._open = True
        self.unsubscribe: Callable[[], None] = lambda: None

    def hear(self, changed: Changed) -> None:
        with self._lock:
            if not self._open:
                return
            self._topics |= changed.topics
            self._ids |= changed.record_ids
            self._committed_at = max(self._committed_at, changed.committed_at)
            if not self._waiting:
                self._waiting = True
                self._wake()  # queued: only posts an event, so it is safe under the lock

    def take(self) -> Changed:
        with self._lock:
            topics = self._topics if self._open else Topic.NONE
            taken = Changed(topics, frozenset(self._ids), self._committed_at)
            self._topics, self._ids, self._waiting = Topic.NONE, set(), False
            self._committed_at = 0.0
            return taken

    def close(self, *_: object) -> None:
        with self._lock:
            self._open = False
        self.unsubscribe()


class ChangeBus(QObject):
    """Subscribes to the store's change feed for as long as it lives (or until `close`)."""

    changed = Signal(object)  # a Changed: everything committed since the bus last told
    _arrived = Signal()

    def __init__(self, feed: ChangeFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._arrived.connect(self._tell, Qt.ConnectionType.QueuedConnection)
        self._inbox = _Inbox(self._arrived.emit)
        self._inbox.unsubscribe = feed.subscribe(self._inbox.hear)
        self.destroyed.connect(self._inbox.close)

    def close(self) -> None:
        """Stops listening: nothing is told after this, even what has already arrived."""
        self._inbox.close()

    def tell_now(self) -> None:
        """Tells at once what has arrived, rather than on the next turn of the event loop:
        a panel coming into view must know before it shows what it holds."""
        self._tell()

    def _tell(self) -> None:
        changed = self._inbox.take()
        if changed.topics:
            self.changed.emit(changed)


class Freshness(QObject):
    """Keeps one panel in step with the store.

    A change that `concerns` the panel (topics, or a test of the whole change) reloads it
    if it is in view, at most once per MIN_GAP_MS; otherwise it is marked stale and reloads
    when next shown. Without a bus the panel follows nothing, but `mark_stale` still works
    (the main window uses it for the first load)."""

    def __init__(
        self,
        panel: QWidget,
        reload: Callable[[], None],
        changes: ChangeBus | None,
        concerns: Concerns,
        *,
        min_gap_ms: int = MIN_GAP_MS,
    ) -> None:
        super().__init__(panel)
        self._panel = panel
        self._changes = changes
        self._reload = reload
        self._concerns = concerns
        self._min_gap = min_gap_ms / 1000
        self._last = float("-inf")
        self.stale = False
        self._showing = False
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self._catch_up)
        panel.installEventFilter(self)
        if changes is not None:
            changes.changed.connect(self._heard)

    def concerns(self, changed: Changed) -> bool:
        if isinstance(self._concerns, Topic):
            return changed.touches(self._concerns)
        return self._concerns(changed)

    def mark_stale(self) -> None:
        """What is shown may be out of date: reloads now if in view, else when next shown."""
        if self._panel.isVisible():
            self._later.stop()
            self._reload_now()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._panel and event.type() == QEvent.Type.Show:
            if self._changes is not None:
                # A change not told yet may concern this panel: heard now, as if hidden.
                self._showing = True
                try:
                    self._changes.tell_now()
                finally:
                    self._showing = False
            if self.stale:
                self._later.stop()
                self._reload_now()
        return False

    def note_reloaded(self) -> None:
        """The panel is reading the store now (its own action, say): a change committed
        before this is on screen once the read is done, so it needs no reload of its own."""
        self._last = time.monotonic()
        self.stale = False

    def _heard(self, changed: Changed) -> None:
        if not self.concerns(changed):
            return
        if 0 < changed.committed_at <= self._last:
            return
        if self._showing or not self._panel.isVisible():
            self.stale = True
            return
        wait = self._last + self._min_gap - time.monotonic()
        if wait <= 0:
            self._reload_now()
        elif not self._later.isActive():
            self._later.start(int(wait * 1000) + 1)

    def _catch_up(self) -> None:
        if self._panel.isVisible():
            self._reload_now()
        else:
            self.stale = True

    def _reload_now(self) -> None:
        self.stale = False
        self._last = time.monotonic()
        self._reload()
