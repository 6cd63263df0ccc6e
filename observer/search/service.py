"""Full-text search across observations, the use case: what a user types, and ranked hits
with the words they searched for marked in a short snippet, the worker, observer, date,
kind and status of each.

Parsing is `observer.search.query`; the index (FTS5 on SQLite) is behind
`observer.search.index`.

Search text is personal data (it names what happened to a child): it is never logged.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from observer.errors import InvalidInput
from observer.search.index import index_for
from observer.search.query import FIELD_LABELS, IndexMatch, parse_query, snippet_core
from observer.search.query import Snippet as Snippet
from observer.store.db import Database
from observer.store.filters import ObservationFilter, filtered
from observer.store.ids import id_key, raw_id
from observer.store.models import Observation, Person, Rating, Standard
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
    # One transaction: it writes only when there is something to index first.
    with db.session() as s, s.begin():
        index.bring_up_to_date(s)
        matches = index.matches(s, query, limit, within, offset)
        if not matches:
            return []
        details = _details(s, [m.observation_id for m in matches])
        standards = _evidence_standards(s, [m for m in matches if m.field == "evidence"])
    return [
        SearchHit(
            observation_id=m.observation_id,
            score=m.score,
            snippet=m.snippet.text,
            highlights=m.snippet.highlights,
            field=m.field,
            field_label=standards.get(m.observation_id) or FIELD_LABELS.get(m.field, "Record"),
            **details[id_key(m.observation_id)],
        )
        for m in matches
        # Read in one transaction, so always true unless the index is damaged.
        if id_key(m.observation_id) in details
    ]


_worker, _observer = aliased(Person), aliased(Person)  # made once: aliasing is not free


def _details(s: Session, ids: Sequence[uuid.UUID]) -> dict[str, dict[str, Any]]:
    """Who, when, what kind and status of each record, by `id_key` (ids are read as the
    store keeps them: making a UUID of each costs more than the query)."""
    worker, observer = _worker, _observer
    statement = (
        select(
            raw_id(Observation.id),
            worker.name,
            observer.name,
            Observation.observed_at,
            Observation.kind,
            Observation.status,
        )
        .join(worker, worker.id == Observation.observed_person_id)
        .join(observer, observer.id == Observation.observer_id)
        .where(Observation.id.in_(ids))
    )
    return {
        id_key(row[0]): {
            "worker": row[1],
            "observer": row[2],
            "observed_at": row[3],
            "kind": Kind(row[4]),
            "status": Status(row[5]),
        }
        for row in s.connection().execute(statement)
    }


def _evidence_standards(s: Session, matches: Sequence[IndexMatch]) -> dict[uuid.UUID, str]:
    """Which standard's evidence each snippet is from, named as the editor names it."""
    if not matches:
        return {}
    statement = (
        select(raw_id(Rating.observation_id), Rating.evidence, Standard.title)
        .join(Standard, Standard.id == Rating.standard_id)
        .where(Rating.observation_id.in_([m.observation_id for m in matches]))
        .where(Rating.evidence != "")
        .order_by(Standard.position)
    )
    evidence: dict[str, list[tuple[str, str]]] = {}
    for observation_id, text, title in s.connection().execute(statement):
        evidence.setdefault(id_key(observation_id), []).append((text, title))
    found: dict[uuid.UUID, str] = {}
    for match in matches:
        core = snippet_core(match.snippet)
        for text, title in evidence.get(id_key(match.observation_id), []):
            if core and core in " ".join(text.split()):
                found[match.observation_id] = f"Evidence for {title}"
                break
    return found


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
