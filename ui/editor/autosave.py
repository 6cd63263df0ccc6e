"""Autosave: what the user changes reaches the store soon after typing pauses.

Changes are held per target (a field, a rating, an action's field) and written together,
in one transaction, once typing has paused for PAUSE_MS — or after LONGEST_WAIT_MS of
continuous typing, so a crash or a power cut loses at most the last two seconds. Each
change carries the value the editor last loaded or saved, so the store can keep both
people's words when the same draft was changed elsewhere. A write that fails keeps every
change in hand and tries again; nothing is dropped until the store has it.
"""

from __future__ import annotations

import logging
import uuid
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, Signal

from observer.errors import NotFound, ObserverError, RecordLocked
from observer.records.merge import Change
from observer.records.recording import Recording
from ui.latest_result import single_shot

log = logging.getLogger(__name__)

PAUSE_MS = 700
LONGEST_WAIT_MS = 2000
RETRY_MS = 3000
# How long one autosave waits for another writer before trying again later: the window
# must never freeze for the store's usual five seconds.
WAIT_FOR_STORE_MS = 200
DELETED = "This observation was deleted elsewhere, so nothing more can be saved to it."
UNEXPECTED = (
    "Something unexpected stopped the save; the details are in the log. Your changes are "
    "kept in this window."
)


class SaveState(Enum):
    SAVED = "saved"
    PENDING = "pending"
    FAILED = "failed"  # tried, will try again; the changes are in hand
    LOCKED = "locked"  # signed elsewhere: the changes can never be saved to this record
    GONE = "gone"  # deleted elsewhere: likewise


FINAL = (SaveState.LOCKED, SaveState.GONE)


class Autosaver(QObject):
    state_changed = Signal(object, str)  # SaveState, a sentence for the user
    saved = Signal(object)  # the SaveOutcome
    merged = Signal(dict)  # target → the value the store now holds, when it kept both edits

    def __init__(
        self,
        recording: Recording,
        observation_id: uuid.UUID,
        base: dict[str, Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._recording = recording
        self._id = observation_id
        self._base = dict(base)
        self._pending: dict[str, Any] = {}
        self.state = SaveState.SAVED
        self.problem = ""
        self._pause = single_shot(self, PAUSE_MS, self.flush)
        self._deadline = single_shot(self, LONGEST_WAIT_MS, self.flush)
        self._retry = single_shot(self, RETRY_MS, self.flush)

    def has_pending(self) -> bool:
        return bool(self._pending)

    def base(self, target: str) -> Any:
        return self._base.get(target)

    def set(self, target: str, value: Any) -> None:
        """Holds a change; it is written once typing pauses."""
        if self.state in FINAL:
            self._pending[target] = value
            return
        if value == self._base.get(target) and target in self._base:
            self._pending.pop(target, None)
        else:
            self._pending[target] = value
        if not self._pending:
            if self.state is SaveState.PENDING:
                self._set_state(SaveState.SAVED, "")
            return
        self._pause.start()
        if not self._deadline.isActive():
            self._deadline.start()
        if self.state is SaveState.SAVED:
            self._set_state(SaveState.PENDING, "")

    def withdraw(self, target: str) -> None:
        """Drops a held change the editor will not send (a due date the record refuses),
        so that it cannot hold back the rest of the record."""
        held = self._pending.pop(target, None) is not None
        if held and not self._pending and self.state is SaveState.PENDING:
            self._set_state(SaveState.SAVED, "")

    def track(self, target: str, value: Any) -> None:
        """Starts following a target the store already holds (a newly added action)."""
        self._base[target] = value

    def forget(self, prefix: str) -> None:
        """Stops following targets that are gone (a removed action)."""
        for store in (self._base, self._pending):
            for target in [t for t in store if t.startswith(prefix)]:
                del store[target]

    def flush(self) -> bool:
        """Writes every held change now; True when nothing is left unsaved."""
        for timer in (self._pause, self._deadline, self._retry):
            timer.stop()
        if not self._pending:
            return self.state is not SaveState.FAILED or self._recover()
        sending = dict(self._pending)
        changes = [Change(t, self._base.get(t), v) for t, v in sending.items()]
        if self.state in FINAL:
            return False
        try:
            outcome = self._recording.save(self._id, changes, wait_ms=WAIT_FOR_STORE_MS)
        except RecordLocked as error:
            self._set_state(SaveState.LOCKED, str(error))
            return False
        except NotFound:
            self._set_state(SaveState.GONE, DELETED)
            return False
        except ObserverError as error:
            log.warning("autosave of observation %s failed: %s", self._id, type(error).__name__)
            return self._failed(str(error))
        except Exception:
            # A bug or an unforeseen store error: loud in the log, never the end of the typing.
            log.exception("autosave of observation %s failed unexpectedly", self._id)
            return self._failed(UNEXPECTED)
        gone = {t for t, v in outcome.merged.items() if v is None and t.startswith("action:")}
        for target, value in sending.items():
            if target in gone:
                continue  # the words stay in hand until the editor finds them a home
            self._base[target] = outcome.merged.get(target, value)
            if self._pending.get(target) == value:
                del self._pending[target]
        self.saved.emit(outcome)
        if outcome.merged:
            self.merged.emit(dict(outcome.merged))
        self._set_state(SaveState.SAVED, "")
        return not gone

    def pending(self) -> dict[str, Any]:
        return dict(self._pending)

    def _failed(self, problem: str) -> bool:
        self._retry.start()
        self._set_state(SaveState.FAILED, problem)
        return False

    def _recover(self) -> bool:
        self._set_state(SaveState.SAVED, "")
        return True

    def _set_state(self, state: SaveState, problem: str) -> None:
        self.state, self.problem = state, problem
        self.state_changed.emit(state, problem)
