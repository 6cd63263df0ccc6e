"""The search index of an SQLite store: an FTS5 table kept in step by triggers. The only
SQLite-specific SQL of search; `observer.search.index` picks it for an SQLite store.

Migration 0007 made it and 0009 made it what it is: `search_text` indexes, for each
observation, one column per field in `SEARCHED_FIELDS` (every rating's evidence in one
column, every action's in another, every addendum's in a third), and keeps no copy of the
text: it reads it, for snippets, from the view `search_words`, which gathers it from the
records (FTS5's external content). `search_rows` gives each observation a stable integer
for FTS5's rowid, so VACUUM or a rebuilt `observations` table cannot point a row at the
wrong record.

FTS5's secure-delete is on: a deleted row's words are erased from the index, not marked as
gone, so a removed record (a deleted draft, retention) leaves nothing behind. That costs
tens of milliseconds a row in a large store, too much for every autosave, so triggers only
queue a changed observation in `search_pending`, with the words it is indexed with (FTS5
erases a row by being told its words, which the record no longer has), and
`bring_up_to_date` (run before each search) rewrites each queued row once. A removed
observation's row is erased by its trigger at once.

Words are stemmed (Porter, English) and accents ignored, so "visits" finds "visited" and
"zoe" finds "Zoë". Ranking is FTS5's bm25: a word found in several fields, or rare in the
store, ranks higher.

Ranking costs time for every record that matches (about half a microsecond each, after
a pass over each word's list of records to weigh how rare it is), and so do the snippets,
so a search whose words are in many records (say "child", in 99,700 of a store of
100,000) ranks the most recently added RANK_WINDOW records that contain all its words: a
screenful of the best of the newest, in well under 15 ms. A search for something
specific, in fewer records, ranks every match. Matching a phrase costs more per record
(more so when it has words like "of" and "the", which are in every record many times
over), so a search with a phrase looks in the newest PHRASE_WINDOW records that have all
its other words.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    column,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from observer.errors import InvalidInput
from observer.search.query import (
    COMMON_WORDS,
    ELLIPSIS,
    SEARCHED_FIELDS,
    IndexMatch,
    SearchQuery,
    Snippet,
    Term,
    parse_marked,
    snippet_core,
)
from observer.store.ids import Id
from observer.store.index_tables import PENDING, ROWS, TABLE, WORDS
from observer.store.models import UTCDateTime

log = logging.getLogger(__name__)

RANK_WINDOW = 2_000
PHRASE_WINDOW = 1_000
ERASE_ONE_BY_ONE = 100
SNIPPET_TOKENS = 18
# Private-use characters round each match; they are kept out of the indexed text.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"


def fts5_query(query: SearchQuery) -> str:
    """The query in FTS5's syntax: every term a quoted string, so that nothing a user types
    can be read as an operator."""
    return " ".join(_fts5_term(term) for term in query.terms)


def _fts5_term(term: Term) -> str:
    words = " ".join(term.words).replace('"', '""')
    return f'"{words}"' + ("*" if term.prefix else "")


def _is_common(word: str) -> bool:
    return word.casefold() in COMMON_WORDS


def _loosened(query: SearchQuery) -> SearchQuery:
    """Each phrase as its words in any order, leaving out words like "the": what every
    match of `query` has, and much quicker to find."""
    terms: list[Term] = []
    for term in query.terms:
        if len(term.words) == 1:
            terms.append(term)
            continue
        *leading, last = term.words
        kept = [Term((word,)) for word in leading if not _is_common(word)]
        if term.prefix or not _is_common(last):
            kept.append(Term((last,), prefix=term.prefix))
        terms += kept or [term]
    return SearchQuery(tuple(terms))


def _match(query: SearchQuery) -> ColumnElement[bool]:
    return literal_column(TABLE).match(fts5_query(query))


def _window(query: SearchQuery) -> int:
    return PHRASE_WINDOW if any(len(term.words) > 1 for term in query.terms) else RANK_WINDOW


_text = table(TABLE, column("rowid", Integer), *(column(name) for name in SEARCHED_FIELDS))
_command = table(
    TABLE, column(TABLE), column("rowid", Integer), *(column(n) for n in SEARCHED_FIELDS)
)
_rows = table(ROWS, column("rowid", Integer), column("observation_id", Id))
_pending = table(
    PENDING,
    column("observation_id", Id),
    column("indexed", Integer),
    *(column(name) for name in SEARCHED_FIELDS),
)
_words = table(WORDS, column("search_rowid", Integer), *(column(n) for n in SEARCHED_FIELDS))


def _erase(session: Session, ids: Select[uuid.UUID]) -> None:
    """Erases the rows of the observations `ids` from the index, each with the words it
    was indexed with (see _ERASE_QUEUED)."""
    queued = (
        select(literal("delete"), _rows.c.rowid, *(_pending.c[n] for n in SEARCHED_FIELDS))
        .join_from(_pending, _rows, _rows.c.observation_id == _pending.c.observation_id)
        .where(_pending.c.indexed != 0, _pending.c.observation_id.in_(ids))
    )
    unqueued = (
        select(literal("delete"), _words.c.search_rowid, *(_words.c[n] for n in SEARCHED_FIELDS))
        .join_from(_rows, _words, _words.c.search_rowid == _rows.c.rowid)
        .where(
            _rows.c.observation_id.in_(ids),
            _rows.c.observation_id.not_in(select(_pending.c.observation_id)),
        )
    )
    for rows in (queued, unqueued):
        session.execute(insert(_command).from_select(list(_command.c.keys()), rows))


_ANY_PENDING = f"SELECT 1 FROM {PENDING} LIMIT 1"
_SECURE_DELETE = f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('secure-delete', {{}})"


def _clean(expression: str) -> str:
    """The text without the two characters that mark matches in snippets."""
    marks = (ord(MARK_OPEN), ord(MARK_CLOSE))
    return f"replace(replace({expression}, char({marks[0]}), ' '), char({marks[1]}), ' ')"


# Each field built from other tables: the table and its column of words.
_CHILD_FIELDS = {
    "evidence": ("ratings", "evidence"),
    "actions": ("actions", "description"),
    "addenda": ("addenda", "text"),
}


def _words_of(field: str) -> str:
    """The SQL for a field's words, of the observation `o`."""
    if field not in _CHILD_FIELDS:
        return _clean(f"o.{field}")
    child, words = _CHILD_FIELDS[field]
    return (
        f"(SELECT group_concat({_clean(words)}, char(10)) FROM {child} "
        f"WHERE observation_id = o.id AND {words} <> '')"
    )


_QUEUED_ROWS = (
    f"INSERT INTO {TABLE}(rowid, {', '.join(SEARCHED_FIELDS)}) "
    f"SELECT r.rowid, {', '.join(_words_of(field) for field in SEARCHED_FIELDS)} "
    f"FROM {PENDING} p JOIN observations o ON o.id = p.observation_id "
    f"JOIN {ROWS} r ON r.observation_id = o.id"
)
# FTS5 erases a row by being told the words it was indexed with: a queued record's are
# kept in the queue (the record has changed since); an unqueued one's are its own.
_ERASE_QUEUED = (
    f"INSERT INTO {TABLE}({TABLE}, rowid, {', '.join(SEARCHED_FIELDS)}) "
    f"SELECT 'delete', r.rowid, {', '.join(f'p.{name}' for name in SEARCHED_FIELDS)} "
    f"FROM {PENDING} p JOIN {ROWS} r ON r.observation_id = p.observation_id WHERE p.indexed"
)
_CATCH_UP = (
    _ERASE_QUEUED,
    f"DELETE FROM {ROWS} WHERE observation_id IN (SELECT observation_id FROM {PENDING}) "
    "AND observation_id NOT IN (SELECT id FROM observations)",
    f"INSERT OR IGNORE INTO {ROWS}(observation_id) SELECT o.id FROM {PENDING} p "
    "JOIN observations o ON o.id = p.observation_id ORDER BY o.observed_at, o.id",
    _QUEUED_ROWS,
    f"DELETE FROM {PENDING}",
)


class Fts5Index:
    def forget(self, session: Session, observation_ids: Sequence[Select[uuid.UUID]]) -> None:
        """Erasing one row with secure-delete costs tens of milliseconds in a large store;
        past ERASE_ONE_BY_ONE rows, deleting them plainly and then merging the whole index
        (which drops every deleted entry) is quicker, and leaves nothing behind either."""
        chosen = [
            select(_rows.c.rowid).where(_rows.c.observation_id.in_(ids)) for ids in observation_ids
        ]
        many = sum(
            session.scalar(select(func.count()).select_from(rowids.subquery())) or 0
            for rowids in chosen
        )
        if many <= ERASE_ONE_BY_ONE:
            return  # each is erased by its own trigger as it is deleted
        secure = session.scalar(text(f"SELECT v FROM {TABLE}_config WHERE k = 'secure-delete'"))
        if secure:
            session.execute(text(_SECURE_DELETE.format(0)))
        for ids in observation_ids:
            _erase(session, ids)
            session.execute(delete(_pending).where(_pending.c.observation_id.in_(ids)))
            session.execute(delete(_rows).where(_rows.c.observation_id.in_(ids)))
        session.execute(text(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')"))
        if secure:
            session.execute(text(_SECURE_DELETE.format(1)))

    def is_up_to_date(self, session: Session) -> bool:
        return session.connection().exec_driver_sql(_ANY_PENDING).first() is None

    def bring_up_to_date(self, session: Session) -> int:
        """Rewrites the rows of observations changed since the last search; how many."""
        queued = int(session.scalar(text(f"SELECT count(*) FROM {PENDING}")) or 0)
        if queued:
            for statement in _CATCH_UP:
                session.execute(text(statement))
        return queued

    def matches(
        self,
        session: Session,
        query: SearchQuery,
        limit: int,
        within: Select[uuid.UUID] | None,
        offset: int = 0,
    ) -> list[IndexMatch]:
        try:
            return self._matches(session, query, limit, within, offset)
        except OperationalError as exc:
            if "fts5" not in str(exc.orig).lower():
                raise
            # The parser should make this impossible; the query itself is not logged.
            log.warning("the search index refused a query: %s", type(exc.orig).__name__)
            raise InvalidInput("That search could not be run; try plain words.") from exc

    def _matches(
        self,
        s: Session,
        query: SearchQuery,
        limit: int,
        within: Select[uuid.UUID] | None,
        offset: int = 0,
    ) -> list[IndexMatch]:
        if within is None:
            ranked = _ranked(s, query, limit, offset)
        else:
            ranked = _ranked_within(s, query, limit, within, offset)
        if not ranked:
            return []
        return _hits(s, fts5_query(query), ranked)


# The newest matches, each scored as it is read, best first (ties in a fixed order, so
# pages never overlap): one pass.
_NEWEST_RANKED = (
    f"SELECT rowid, score FROM (SELECT rowid, bm25({TABLE}) AS score FROM {TABLE}"
    f" WHERE {TABLE} MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score, rowid LIMIT ? OFFSET ?"
)
# A phrase's: bm25 would first count the records holding each phrase, matching it in
# every record of the store; ranking the newest records with all its words by those words
# avoids that, and only records holding the phrases themselves are kept.
_FLOOR = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?"
_PHRASES_RANKED = (
    f"SELECT rowid, bm25({TABLE}) FROM {TABLE} WHERE {TABLE} MATCH ? AND rowid > ?"
    f" AND rowid + 0 IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? AND rowid > ?)"
    f" ORDER BY bm25({TABLE}), rowid LIMIT ? OFFSET ?"
)


def _ranked(s: Session, query: SearchQuery, limit: int, offset: int) -> list[tuple[int, float]]:
    """`_ranked_within` for a search of every record, as plain SQL: most searches, and
    building the statements through SQLAlchemy cost as much as running some of them."""
    connection = s.connection()
    loose = _loosened(query)
    if loose == query:
        window = (fts5_query(query), _window(query), limit, offset)
        return [(r[0], r[1]) for r in connection.exec_driver_sql(_NEWEST_RANKED, window)]
    floor = connection.exec_driver_sql(_FLOOR, (fts5_query(loose), _window(query))).scalar()
    above = -1 if floor is None else floor
    parameters = (fts5_query(loose), above, fts5_query(query), above, limit, offset)
    return [(r[0], r[1]) for r in connection.exec_driver_sql(_PHRASES_RANKED, parameters)]


def _ranked_within(
    s: Session, query: SearchQuery, limit: int, within: Select[uuid.UUID], offset: int
) -> list[tuple[int, float]]:
    """The best `limit` matches after `offset`, of the observations `within` selects, as
    rowids and their scores (lower is better)."""
    allowed = select(_rows.c.rowid).where(_rows.c.observation_id.in_(within))
    # "+ 0" keeps the list out of FTS5's own plan, which would rerun the search once for
    # every allowed record.
    wheres: list[ColumnElement[bool]] = [(_text.c.rowid + 0).in_(allowed)]
    loose = _loosened(query)
    matching = _match(query)
    bm25 = func.bm25(literal_column(TABLE))
    if loose == query:
        # One pass: the newest matches, each scored as it is read, best first.
        newest = (
            select(_text.c.rowid.label("rowid"), bm25.label("score"))
            .where(matching, *wheres)
            .order_by(_text.c.rowid.desc())
            .limit(_window(query))
            .subquery()
        )
        ranking = select(newest.c.rowid, newest.c.score).order_by(
            newest.c.score,
            newest.c.rowid,  # ties in a fixed order: pages never overlap
        )
    else:
        loosely = _match(loose)
        floor = s.scalar(
            select(_text.c.rowid)
            .where(loosely, *wheres)
            .order_by(_text.c.rowid.desc())
            .limit(1)
            .offset(_window(query))
        )
        if floor is not None:
            wheres.append(_text.c.rowid > floor)
        # bm25 would first count the records holding each phrase, matching it in
        # every record of the store; ranking by the phrases' words avoids that, and
        # only records holding the phrases themselves are ranked.
        exact = select(_text.c.rowid).where(matching, *wheres).correlate(None)
        wheres += [loosely, (_text.c.rowid + 0).in_(exact)]
        ranking = select(_text.c.rowid, bm25).where(*wheres).order_by(bm25, _text.c.rowid)
    return [(r[0], r[1]) for r in s.execute(ranking.limit(limit).offset(offset))]


_HITS = (
    f"SELECT {TABLE}.rowid, r.observation_id, "
    f"snippet({TABLE}, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '{ELLIPSIS}', {SNIPPET_TOKENS}), "
    "o.observed_at, o.kind, o.status, worker.name, observer.name, "  # _FIELDS_FROM: 8
    + ", ".join(f"{TABLE}.{name}" for name in SEARCHED_FIELDS)
    + f" FROM {TABLE} JOIN {ROWS} r ON r.rowid = {TABLE}.rowid"
    " JOIN observations o ON o.id = r.observation_id"
    " JOIN people worker ON worker.id = o.observed_person_id"
    " JOIN people observer ON observer.id = o.observer_id"
    # One pass over the rows in range, snippets only for the hits ("+ 0": looking rows up
    # one by one would redo a prefix search for each).
    f" WHERE {TABLE} MATCH ? AND {TABLE}.rowid BETWEEN ? AND ? AND {TABLE}.rowid + 0 IN ({{}})"
)
# The evidence of each hit's record that holds the longest word of its snippet: few rows
# to compare, wherever the snippet's spaces fell.
_EVIDENCE = (
    "WITH hit(observation_id, word) AS (VALUES {})"
    " SELECT ratings.observation_id, ratings.evidence, standards.title FROM hit"
    " JOIN ratings ON ratings.observation_id = hit.observation_id"
    " JOIN standards ON standards.id = ratings.standard_id"
    " WHERE instr(ratings.evidence, hit.word) ORDER BY standards.position"
)
_FIELDS_FROM = 8
_MOMENT = UTCDateTime()
_ID = Id()  # as the ORM reads an id column, without its row handling


def _hits(s: Session, query: str, ranked: Sequence[tuple[int, float]]) -> list[IndexMatch]:
    """Each ranked row as a hit: its best snippet and the field it is from, and what a
    hit shows of its record. Plain SQL, in one pass: a search's hits are few, and reading
    them through the ORM's types cost more than finding them."""
    connection = s.connection()
    rowids = [rowid for rowid, _score in ranked]
    statement = _HITS.format(", ".join("?" * len(rowids)))
    rows = {
        row[0]: row
        for row in connection.exec_driver_sql(statement, (query, min(rowids), max(rowids), *rowids))
    }
    snippets = {
        rowid: parse_marked(row[2] or "", MARK_OPEN, MARK_CLOSE) for rowid, row in rows.items()
    }
    fields = {rowid: _field_of(row[2] or "", row[_FIELDS_FROM:]) for rowid, row in rows.items()}
    standards = _evidence_standards(
        connection, {rows[r][1]: snippets[r] for r in rows if fields[r] == "evidence"}
    )
    return [
        IndexMatch(
            observation_id=_observation_id(row[1], connection),
            score=-float(score),
            field=fields[rowid],
            snippet=snippets[rowid],
            observed_at=_moment(row[3], connection),
            kind=row[4],
            status=row[5],
            worker=row[6],
            observer=row[7],
            standard=standards.get(row[1]),
        )
        for rowid, score in ranked
        if (row := rows.get(rowid)) is not None
    ]


def _evidence_standards(connection: Connection, snippets: dict[Any, Snippet]) -> dict[Any, str]:
    """Which standard's evidence each snippet is from (by the id as stored): the first, in
    the framework's order, whose evidence holds the snippet's words."""
    if not snippets:
        return {}
    cores = {observation_id: snippet_core(snippet) for observation_id, snippet in snippets.items()}
    wanted = [(id_, max(core.split(), key=len)) for id_, core in cores.items() if core]
    if not wanted:
        return {}
    evidence: dict[Any, list[tuple[str, str]]] = {}
    statement = _EVIDENCE.format(", ".join(["(?, ?)"] * len(wanted)))
    parameters = tuple(value for pair in wanted for value in pair)
    for observation_id, words, title in connection.exec_driver_sql(statement, parameters):
        evidence.setdefault(observation_id, []).append((words, title))
    found: dict[Any, str] = {}
    for observation_id, core in cores.items():
        for words, title in evidence.get(observation_id, []):
            if core in " ".join(words.split()):
                found[observation_id] = title
                break
    return found


def _observation_id(value: object, connection: Connection) -> uuid.UUID:
    found = _ID.process_result_value(value, connection.dialect)
    if found is None:  # search_rows.observation_id is NOT NULL
        raise ValueError("a search row without its observation")
    return found


def _moment(value: object, connection: Connection) -> datetime:
    moment = _MOMENT.process_result_value(value, connection.dialect)
    if moment is None:  # observed_at is NOT NULL
        raise ValueError("an observation without its date")
    return moment


def _field_of(marked: str, fields: Sequence[str | None]) -> str:
    """Which field FTS5 took the snippet from: the one that holds its text."""
    plain = marked.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
    core = plain.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)
    for candidate in (core, plain):
        for name, words in zip(SEARCHED_FIELDS, fields, strict=True):
            if words and candidate and candidate in words:
                return name
    return next((name for name, words in zip(SEARCHED_FIELDS, fields, strict=True) if words), "")
