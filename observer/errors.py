"""Errors a user can cause. Each carries one plain sentence to show them as it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from observer.records.readiness import Missing


class ObserverError(Exception):
    """A problem the user can do something about; str() is the sentence to show."""


class DatabaseTooNew(ObserverError):
    pass


class DatabaseUnreadable(ObserverError):
    pass


class MigrationFailed(ObserverError):
    pass


class StoreBusy(ObserverError):
    pass


class StoreUnwritable(ObserverError):
    """The disk is full, the file is read-only, or the disk failed: nothing was written."""


class InvalidFramework(ObserverError):
    def __init__(self, source: str, field: str, reason: str) -> None:
        super().__init__(f"{source}: {field} {reason.rstrip('.')}.")
        self.source = source
        self.field = field
        self.reason = reason


class InvalidBundle(ObserverError):
    pass


class InvalidInput(ObserverError):
    pass


class NotFound(ObserverError):
    pass


class RecordLocked(ObserverError):
    pass


class StaleRecord(ObserverError):
    """The record changed elsewhere since it was read; nothing was overwritten."""


class NotReady(ObserverError):
    """Sign-off was asked for while something is still missing; `missing` says what."""

    def __init__(self, missing: Sequence[Missing]) -> None:
        count = len(missing)
        things = "1 thing is" if count == 1 else f"{count} things are"
        super().__init__(f"This observation is not ready for sign-off: {things} missing.")
        self.missing: list[Missing] = list(missing)
