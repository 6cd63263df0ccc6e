"""Whether a store holds fictional sample data (observer/demo), kept as a settings row.

Once sample data has been added the store says so for good: everything exported from it
(summary and history PDFs, bundles) is marked SAMPLE and the window says "Sample data",
so a fictional record is never taken for a real one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from observer.store.db import Database
from observer.store.settings import store_value, stored_value

SAMPLE_KEY = "sample_data"
SAMPLE_WORDS = "SAMPLE: fictional data, not a real record"


def holds_sample_data(s: Session) -> bool:
    return stored_value(s, SAMPLE_KEY) is True


def mark_sample_store(s: Session) -> None:
    store_value(s, SAMPLE_KEY, True)


class SampleStore:
    """Whether this store holds sample data: asked by the window and by every export."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def held(self) -> bool:
        with self._db.session() as s:
            return holds_sample_data(s)
