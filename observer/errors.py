"""Errors a user can cause. Each carries one plain sentence to show them as it is.

This module depends on nothing else in observer/; an error that carries a domain's own
values lives in that domain and subclasses ObserverError (NotReady, in
observer.records.readiness, carries what is missing)."""

from __future__ import annotations


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


class StoreUnavailable(ObserverError):
    """The store could not be used just now (another process is re-keying or replacing
    it, say), where the caller can carry on without it and try again later."""


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
