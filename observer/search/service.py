"""Full-text search across observations, the use case: what a user types, and ranked hits
with the words they searched for marked in a short snippet, the worker, observer, date,
kind and status of each.

Parsing is `observer.search.query`; the index (FTS5 on SQLite) is behind
`observer.search.index`.

Search text is personal data (it names what happened to a child): it is never logged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from observer.errors import InvalidInput
from observer.search.index import index_for
from observer.search.query import FIELD_LABELS, parse_query
from observer.search.query import Snippet as Snippet
from observer.store.db import Database
from observer.store.filters import ObservationFilter, filtered
from observer.store.models import Observation
from observer.vocabulary import Kind, Status

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class SearchHit:
    observation_id: uuid.UUID
    score: float  # relevance: higher is better; comparable only within one search
    snippet: str  # plain text, one line
    highlights: tuple[tuple[int, int], ...]  # [start, end) of each match in `snippet`
    field: str  # where the snippet is from: a name in SEARCHED_FIELDS
    field_label: str  # the same in words, e.g. "Evidence for Communication"
    worker: str
    observer: str
    observed_at: datetime
    kind: Kind
    status: Status

    @property
    def marked_snippet(self) -> Snippet:
        return Snippet(self.snippet, self.highlights)


def update_index(db: Database) -> int:
    """Brings the search index up to date with every record; how many it indexed. Each
    search does this first, so call it only to pay that time earlier: after adding many
    records (an import, demo data), say."""
    index = index_for(db)
    with db.session() as s, s.begin():
        return index.bring_up_to_date(s)


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"The number of results must be between 1 and {MAX_LIMIT}.")
    return limit


def search(
    db: Database,
    text: str,
    limit: int = DEFAULT_LIMIT,
    filters: ObservationFilter | None = None,
    offset: int = 0,
) -> list[SearchHit]:
    """The observations that contain what `text` asks for, best first, at most `limit`,
    after the best `offset` (so the next page of results starts where one ended).

    Raises InvalidInput (one sentence) for a search that cannot be run as typed; text with
    nothing searchable in it finds nothing.
    """
    check_limit(limit)
    if offset < 0:
        raise InvalidInput("Results start at the first; a negative offset means nothing.")
    query = parse_query(text)
    if not query:
        return []
    index = index_for(db)
    within = None if filters is None else filtered(select(Observation.id), filters)
    # A plain read, which never waits for a writer nor makes one wait, when every change
    # is indexed in its snapshot; else one transaction that indexes them first.
    with db.session() as s:
        up_to_date = index.is_up_to_date(s)
        if up_to_date:
            matches = index.matches(s, query, limit, within, offset)
    if not up_to_date:
        with db.session() as s, s.begin():
            index.bring_up_to_date(s)
            matches = index.matches(s, query, limit, within, offset)
    return [
        SearchHit(
            observation_id=m.observation_id,
            score=m.score,
            snippet=m.snippet.text,
            highlights=m.snippet.highlights,
            field=m.field,
            field_label=(
                f"Evidence for {m.standard}" if m.standard else FIELD_LABELS.get(m.field, "Record")
            ),
            worker=m.worker,
            observer=m.observer,
            observed_at=m.observed_at,
            kind=Kind(m.kind),
            status=Status(m.status),
        )
        for m in matches
    ]


class Search:
    """Full-text search over every record's narrative, evidence, actions and addenda."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def find(
        self,
        text: str,
        limit: int = DEFAULT_LIMIT,
        filters: ObservationFilter | None = None,
        offset: int = 0,
    ) -> list[SearchHit]:
        return search(self._db, text, limit, filters, offset)

    def update_index(self) -> int:
        return update_index(self._db)
