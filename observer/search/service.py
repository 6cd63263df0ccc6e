"""Full-text search across observations: what a user types, and ranked hits with the words
they searched for marked in a short snippet.

The words, phrases and prefixes a user types are parsed here into a `SearchQuery` that no
database has seen; an index behind the `SearchIndex` protocol turns it into its own query
language. SQLite's is `observer.search.sqlite_index` (FTS5); a server database can bring its own
without anything above this module changing.

Search text is personal data (it names what happened to a child): it is never logged.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from observer.errors import InvalidInput, ObserverError
from observer.records.filters import ObservationFilter, filtered
from observer.store.db import Database
from observer.store.models import Observation, Person, Rating, Standard
from observer.vocabulary import NARRATIVE_SECTIONS, Kind, Status

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_QUERY_CHARS = 500
MAX_TERMS = 16
MIN_PREFIX = 3
ELLIPSIS = "…"

# Where a match can be, in the order a record reads; the index keeps one column for each.
FIELD_LABELS: dict[str, str] = {
    "focus": "Agreed focus",
    "others_present": "Who else was present",
    **NARRATIVE_SECTIONS,
    "evidence": "Evidence for a rating",
    "actions": "Agreed actions",
    "addenda": "Addendum",
}
SEARCHED_FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)

# Words so common that searching for them narrows nothing down but costs the most; they
# are left out of a search that has other words, never out of a phrase in quotes.
COMMON_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "had"),
        *("has", "have", "he", "her", "his", "i", "in", "is", "it", "its", "of", "on"),
        *("or", "she", "so", "that", "the", "their", "them", "they", "this", "to", "was"),
        *("were", "with", "s", "t"),  # "s" and "t" as in "child's" and "don't"
    }
)

_WORD = re.compile(r"[^\W_]+")
_QUOTED = re.compile(r'"([^"]*)"?')


class SearchUnavailable(ObserverError):
    """This kind of database has no search index yet."""


@dataclass(frozen=True)
class Term:
    """One thing every hit must contain: a word, or a phrase's words in order. A prefix term
    matches any word starting with its last word."""

    words: tuple[str, ...]
    prefix: bool = False
    quoted: bool = False


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse_query(text: str) -> SearchQuery:
    """What the user asked for: words (all must be found), "phrases in quotes", prefix*.

    Anything else in the text (operators, brackets, stray quotes or stars) is read as the
    punctuation it looks like. Raises InvalidInput, with one sentence, for a search that
    cannot be run as typed; an empty query (nothing searchable) is not an error.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(f"A search can be at most {MAX_QUERY_CHARS} characters long.")
    terms: list[Term] = []
    position = 0
    for quoted in _QUOTED.finditer(text):
        terms += _bare_terms(text[position : quoted.start()])
        words = tuple(_WORD.findall(quoted.group(1)))
        ends_with_star = text[quoted.end() : quoted.end() + 1] == "*"
        if words:
            terms.append(Term(words, prefix=ends_with_star, quoted=True))
        position = quoted.end() + (1 if ends_with_star else 0)
    terms += _bare_terms(text[position:])
    terms = _without_common_words(_distinct(terms))
    if len(terms) > MAX_TERMS:
        raise InvalidInput(f"Search for at most {MAX_TERMS} words or phrases at a time.")
    for term in terms:
        if term.prefix and len(term.words[-1]) < MIN_PREFIX:
            raise InvalidInput(
                f"Type at least {MIN_PREFIX} letters before a * to find words that start with them."
            )
    return SearchQuery(tuple(terms))


def _bare_terms(text: str) -> list[Term]:
    terms: list[Term] = []
    for chunk in text.split():
        words = tuple(_WORD.findall(chunk))
        if words:
            # "child's" or "co-worker" is one term, as the index reads it: words in order.
            terms.append(Term(words, prefix=chunk.endswith("*")))
    return terms


def _distinct(terms: list[Term]) -> list[Term]:
    seen: set[tuple[tuple[str, ...], bool]] = set()
    kept: list[Term] = []
    for term in terms:
        key = (tuple(word.casefold() for word in term.words), term.prefix)
        if key not in seen:
            seen.add(key)
            kept.append(term)
    return kept


def _is_common(term: Term) -> bool:
    return (
        not term.quoted
        and not term.prefix
        and len(term.words) == 1
        and term.words[0].casefold() in COMMON_WORDS
    )


def _without_common_words(terms: list[Term]) -> list[Term]:
    specific = [term for term in terms if not _is_common(term)]
    return specific or terms


@dataclass(frozen=True)
class Snippet:
    """A few words of a field around the match. `highlights` are [start, end) offsets into
    `text` of the words that matched, for showing in bold (escape the text first) or not
    at all; "…" marks where the field goes on."""

    text: str
    highlights: tuple[tuple[int, int], ...]

    def marked(self, before: str, after: str) -> str:
        """The text with `before` and `after` round each match (for plain-text output)."""
        parts: list[str] = []
        position = 0
        for start, end in self.highlights:
            parts += [self.text[position:start], before, self.text[start:end], after]
            position = end
        parts.append(self.text[position:])
        return "".join(parts)


def parse_marked(marked: str, opening: str, closing: str) -> Snippet:
    """Reads a snippet whose matches are wrapped in `opening`/`closing` markers, collapsing
    runs of white space (a snippet is one line). Stray or unbalanced markers are dropped."""
    pieces = re.split(f"({re.escape(opening)}|{re.escape(closing)}|\\s+)", marked)
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    inside = False
    start: int | None = None
    length = 0
    space_pending = False
    for piece in pieces:
        if piece == opening:
            inside = True
        elif piece == closing:
            if start is not None:
                spans.append((start, length))
            inside, start = False, None
        elif piece.isspace():
            space_pending = True
        elif piece:
            if space_pending and length:
                text.append(" ")
                length += 1
            space_pending = False
            if inside and start is None:
                start = length
            text.append(piece)
            length += len(piece)
    if start is not None:
        spans.append((start, length))
    return Snippet("".join(text), _merged(spans))


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def snippet_core(snippet: Snippet) -> str:
    """The snippet's words without the ellipses an index put round them."""
    return snippet.text.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS).strip()


@dataclass(frozen=True)
class IndexMatch:
    """One observation an index found: its score (higher is better) and the best snippet."""

    observation_id: uuid.UUID
    score: float
    field: str
    snippet: Snippet


class SearchIndex(Protocol):
    """A full-text index of every observation's narrative, evidence, actions and addenda."""

    def bring_up_to_date(self, session: Session) -> int:
        """Indexes what changed since it last did, in `session`'s transaction (an index
        kept up to date as records change does nothing); how many records it indexed."""
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
    ) -> list[IndexMatch]:
        """The best `limit` matches for a non-empty query, best first; only observations
        whose ids `within` selects, when given. Fields are names in SEARCHED_FIELDS."""
        ...


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


_INDEXES: dict[str, Callable[[], SearchIndex]] = {}


def register_index(dialect: str, factory: Callable[[], SearchIndex]) -> None:
    """Makes `factory` the search index for stores on `dialect` (an SQLAlchemy dialect name)."""
    _INDEXES[dialect] = factory


def index_for(db: Database) -> SearchIndex:
    return _index_on(db.engine.dialect.name)


def _index_on(dialect: str) -> SearchIndex:
    if dialect not in _INDEXES and dialect == "sqlite":
        import observer.search.sqlite_index  # noqa: F401  (registers itself)
    factory = _INDEXES.get(dialect)
    if factory is None:
        raise SearchUnavailable("Search is not available on this kind of database yet.")
    return factory()


def update_index(db: Database) -> int:
    """Brings the search index up to date with every record; how many it indexed. Each
    search does this first, so call it only to pay that time earlier: after adding many
    records (an import, demo data), say."""
    index = index_for(db)
    with db.session() as s, s.begin():
        return index.bring_up_to_date(s)


def forget_observations(session: Session, *observation_ids: Select[uuid.UUID]) -> None:
    """Call before deleting many observations at once (retention), in the same transaction,
    with one or more statements selecting their ids: their words leave the search index in
    one pass instead of one record at a time. Deleting observations without it leaves
    nothing behind either, only more slowly."""
    _index_on(session.get_bind().dialect.name).forget(session, observation_ids)


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"The number of results must be between 1 and {MAX_LIMIT}.")
    return limit


def search(
    db: Database,
    text: str,
    limit: int = DEFAULT_LIMIT,
    filters: ObservationFilter | None = None,
) -> list[SearchHit]:
    """The observations that contain what `text` asks for, best first, at most `limit`.

    Raises InvalidInput (one sentence) for a search that cannot be run as typed; text with
    nothing searchable in it finds nothing.
    """
    check_limit(limit)
    query = parse_query(text)
    if not query:
        return []
    index = index_for(db)
    within = None if filters is None else filtered(select(Observation.id), filters)
    # One transaction: it writes only when there is something to index first.
    with db.session() as s, s.begin():
        index.bring_up_to_date(s)
        matches = index.matches(s, query, limit, within)
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
            **details[m.observation_id],
        )
        for m in matches
        # Read in one transaction, so always true unless the index is damaged.
        if m.observation_id in details
    ]


_worker, _observer = aliased(Person), aliased(Person)  # made once: aliasing is not free


def _details(s: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    worker, observer = _worker, _observer
    statement = (
        select(
            Observation.id,
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
        row[0]: {
            "worker": row[1],
            "observer": row[2],
            "observed_at": row[3],
            "kind": Kind(row[4]),
            "status": Status(row[5]),
        }
        for row in s.execute(statement)
    }


def _evidence_standards(s: Session, matches: Sequence[IndexMatch]) -> dict[uuid.UUID, str]:
    """Which standard's evidence each snippet is from, named as the editor names it."""
    if not matches:
        return {}
    statement = (
        select(Rating.observation_id, Rating.evidence, Standard.title)
        .join(Standard, Standard.id == Rating.standard_id)
        .where(Rating.observation_id.in_([m.observation_id for m in matches]))
        .where(Rating.evidence != "")
        .order_by(Standard.position)
    )
    evidence: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for observation_id, text, title in s.execute(statement):
        evidence.setdefault(observation_id, []).append(
            (" ".join(text.split()), f"Evidence for {title}")
        )
    found: dict[uuid.UUID, str] = {}
    for match in matches:
        core = snippet_core(match.snippet)
        for text, label in evidence.get(match.observation_id, []):
            if core and core in text:
                found[match.observation_id] = label
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
    ) -> list[SearchHit]:
        return search(self._db, text, limit, filters)

    def update_index(self) -> int:
        return update_index(self._db)
