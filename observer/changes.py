"""What a committed change touched, told to whoever listens: the GUI refreshes from this.

The store reports every commit that wrote something (observer/store/tracking.py), whatever
path wrote it: the editor, sign-off, an import, retention, demo data. Listeners get one
`Changed` per commit, on the thread that committed, and decide for themselves whether it
concerns them; nothing keeps a list of which screens are stale.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Flag, auto

log = logging.getLogger(__name__)


class Topic(Flag):
    NONE = 0
    RECORDS = auto()
    """Observations and what belongs to them: ratings, signatures, addenda."""
    LISTED = auto()
    """What lists of records show of them: which exist, whose, by whom, when, what kind,
    framework, status and overall judgement. An autosave of narrative or evidence is RECORDS
    without LISTED, so a list in view does not reload while someone types."""
    ACTIONS = auto()
    PEOPLE = auto()
    """People and teams."""
    SETTINGS = auto()
    """The store's settings (review, retention, idle lock, the laptop's user)."""
    FRAMEWORKS = auto()
    AUDIT = auto()


@dataclass(frozen=True)
class Changed:
    topics: Topic
    record_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    """The observations written, where known (a bulk write may name none)."""
    committed_at: float = 0.0
    """When it was committed, on the `time.monotonic` clock (0: not known); for several
    commits told as one, the latest. A screen read after this already shows it."""

    def touches(self, topics: Topic) -> bool:
        return bool(self.topics & topics)


Listener = Callable[[Changed], None]


class ChangeFeed:
    """Listeners are called in the order they subscribed; one that raises is logged and the
    rest are still told, so a broken screen cannot hide a change from the others."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, changed: Changed) -> None:
        if not changed.topics:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(changed)
            except Exception:
                log.exception("a change listener failed")
