"""The audit trail table: who did what to which record, newest first."""

from __future__ import annotations

import re

from PySide6.QtCore import QObject

from observer.governance.audit import AuditEntry
from ui.formatting import uk_date_time
from ui.models.table import Column, RecordTableModel

SHORT_HASH = 12
RECORD_WORDS = {"store": "The store", "bundle": "A bundle", "settings": "Settings"}


# A SHA-256 written out in an event's detail (a signature's or addendum's own hash).
FULL_HASH = re.compile(rf"\b([0-9a-f]{{{SHORT_HASH}}})[0-9a-f]{{{64 - SHORT_HASH}}}\b")


def what(entry: AuditEntry) -> str:
    """The action in words, with its detail; hashes in the detail shortened as the content
    hash column shows them (`observer audit list --json` gives them whole)."""
    if not entry.detail:
        return entry.action
    detail = FULL_HASH.sub(r"\1…", entry.detail)
    return f"{entry.action} ({detail})"


def record(entry: AuditEntry) -> str:
    """The kind of record and the start of its id, as people quote it."""
    kind = RECORD_WORDS.get(entry.record_type, entry.record_type.replace("_", " ").capitalize())
    return f"{kind} {str(entry.record_id)[:8]}" if entry.record_id else kind


def short_hash(entry: AuditEntry) -> str:
    digest = entry.content_hash
    return f"{digest[:SHORT_HASH]}…" if len(digest) > SHORT_HASH else digest


AUDIT_COLUMNS: tuple[Column[AuditEntry], ...] = (
    Column(
        "When",
        lambda e: uk_date_time(e.when),
        lambda e: e.sequence if e.sequence is not None else 0,
    ),
    Column("Who", lambda e: e.actor, tooltip=True, max_chars=40),
    Column("What", what, stretch=True, tooltip=True),
    Column("Record", record),
    Column(
        "Content hash",
        short_hash,
        description="The start of the record's SHA-256 content hash at the time",
    ),
)


class AuditTrailModel(RecordTableModel[AuditEntry]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(AUDIT_COLUMNS, parent)
