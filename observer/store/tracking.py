"""Which topics a transaction wrote, reported to the store's change feed once it commits.

Session events see every ORM write (objects flushed, and insert/update/delete statements
run through a session), so no write path has to remember to report itself. A transaction
that rolls back reports nothing.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Delete, Insert, Update, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from observer.changes import Changed, ChangeFeed, Topic

TOPIC_OF_TABLE = {
    "observations": Topic.RECORDS,
    "ratings": Topic.RECORDS,
    "signatures": Topic.RECORDS,
    "addenda": Topic.RECORDS,
    "actions": Topic.ACTIONS | Topic.RECORDS,
    "people": Topic.PEOPLE,
    "teams": Topic.PEOPLE,
    "settings": Topic.SETTINGS,
    "frameworks": Topic.FRAMEWORKS,
    "standards": Topic.FRAMEWORKS,
    "rating_levels": Topic.FRAMEWORKS,
    # Which theme each standard belongs to: read alongside the frameworks.
    "improvement_plans": Topic.FRAMEWORKS,
    "improvement_themes": Topic.FRAMEWORKS,
    "theme_standards": Topic.FRAMEWORKS,
    "audit_events": Topic.AUDIT,
}
# The columns of an observation that lists show (ObservationSummary, the workers list,
# the team overview): a change to one of these is also LISTED.
LISTED_COLUMNS = (
    "observed_person_id",
    "observer_id",
    "framework_id",
    "kind",
    "observed_at",
    "status",
    "overall_level_id",
)
# Settings rows that are bookkeeping, not something a screen shows: the audit trail's head
# moves with every audited change, the open editors with every window, the known signing
# certificates with an export. Reporting them as SETTINGS would reload screens that follow
# the review settings on every keystroke's autosave.
SETTING_TOPICS = {
    "audit.head": Topic.AUDIT,
    "editor.open_observations": Topic.NONE,
    "known_signing_certificates": Topic.NONE,
    "spelling.personal_words": Topic.NONE,
}
# A statement may say which topic it changes, where its table alone would mislead:
# `.execution_options(**{CHANGED_TOPIC: Topic.AUDIT})`.
CHANGED_TOPIC = "observer_changed_topic"
_PENDING = "observer.changes"


def track_changes(sessions: sessionmaker[Session], feed: ChangeFeed) -> None:
    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "do_orm_execute", _orm_execute)
    event.listen(sessions, "after_commit", lambda s: _after_commit(s, feed))
    event.listen(sessions, "after_rollback", _after_rollback)


@dataclass
class _Pending:
    """What the session's open transaction has written so far."""

    topics: Topic = Topic.NONE
    ids: set[uuid.UUID] = field(default_factory=set)


def _pending(session: Session) -> _Pending:
    found = session.info.get(_PENDING)
    if found is None:
        found = session.info[_PENDING] = _Pending()
    return found


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    pending = _pending(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        topic = TOPIC_OF_TABLE.get(table or "", Topic.NONE)
        if table == "settings":
            topic = SETTING_TOPICS.get(getattr(obj, "key", ""), topic)
        if not topic:
            continue
        pending.topics |= topic
        if table == "observations" and _listed_change(obj, dirty=obj in session.dirty):
            pending.topics |= Topic.LISTED
        record = getattr(obj, "id" if table == "observations" else "observation_id", None)
        if isinstance(record, uuid.UUID):
            pending.ids.add(record)


def _listed_change(observation: Any, *, dirty: bool) -> bool:
    """Whether a flushed observation changes what lists show: new or deleted ones do."""
    if not dirty:
        return True
    attributes = inspect(observation).attrs
    return any(attributes[name].history.has_changes() for name in LISTED_COLUMNS)


def _orm_execute(state: ORMExecuteState) -> None:
    statement: Any = state.statement
    if not isinstance(statement, Insert | Update | Delete):
        return
    table = getattr(statement.table, "name", "")
    declared = state.execution_options.get(CHANGED_TOPIC)
    topic = declared if isinstance(declared, Topic) else TOPIC_OF_TABLE.get(table, Topic.NONE)
    if table == "observations" and declared is None:
        topic |= Topic.LISTED  # a statement may change any column: assume lists show it
    if topic:
        _pending(state.session).topics |= topic


def _after_commit(session: Session, feed: ChangeFeed) -> None:
    found: _Pending | None = session.info.pop(_PENDING, None)
    if found is not None:
        feed.publish(Changed(found.topics, frozenset(found.ids), time.monotonic()))


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
