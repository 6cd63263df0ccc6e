"""The full-text index behind search: the `SearchIndex` protocol an adapter implements, and
the adapter for a store's kind of database. SQLite's is `observer.search.sqlite_index`
(FTS5); a server database brings its own without anything above this module changing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Select
from sqlalchemy.orm import Session

from observer.errors import ObserverError
from observer.search.query import IndexMatch, SearchQuery
from observer.store.db import Database


class SearchUnavailable(ObserverError):
    """This kind of database has no search index yet."""


class SearchIndex(Protocol):
    """A full-text index of every observation's narrative, evidence, actions and addenda."""

    def bring_up_to_date(self, session: Session) -> int:
        """Indexes what changed since it last did, in `session`'s transaction (an index
        kept up to date as records change does nothing); how many records it indexed."""
        ...

    def is_up_to_date(self, session: Session) -> bool:
        """Whether every change is indexed, as `session`'s transaction sees the store."""
        ...

    def forget(self, session: Session, observation_ids: Sequence[Select[uuid.UUID]]) -> None:
        """Takes the observations these select out of the index ahead of their deletion,
        in the same transaction; an index may do many at once far quicker than one by one."""
        ...

    def matches(
        self,
        session: Session,
        query: SearchQuery,
        limit: int,
        within: Select[uuid.UUID] | None,
        offset: int = 0,
    ) -> list[IndexMatch]:
        """The best `limit` matches after the best `offset` for a non-empty query, best
        first; only observations whose ids `within` selects, when given. Fields are names
        in SEARCHED_FIELDS."""
        ...


def index_for(db: Database) -> SearchIndex:
    """The index of the store `db`."""
    return index_on(db.engine.dialect.name)


def index_on(dialect: str) -> SearchIndex:
    """The index for stores on `dialect` (an SQLAlchemy dialect name)."""
    if dialect == "sqlite":
        # Loaded on first use: opening the store needs no search.
        from observer.search.sqlite_index import Fts5Index

        return Fts5Index()
    raise SearchUnavailable("Search is not available on this kind of database yet.")


def forget_observations(session: Session, *observation_ids: Select[uuid.UUID]) -> None:
    """Call before deleting many observations at once (retention), in the same transaction,
    with one or more statements selecting their ids: their words leave the search index in
    one pass instead of one record at a time. Deleting observations without it leaves
    nothing behind either, only more slowly."""
    index_on(session.get_bind().dialect.name).forget(session, observation_ids)
