"""Conflicts as a service: the open ones (of one record or all), and settling each one:
keep this laptop's version, use the other, keep both people's words, or turn an edit set
aside from a signed record into an addendum. Every decision is audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from observer.conflicts.rules import ConflictKind, Side
from observer.errors import InvalidInput, NotFound, RecordLocked
from observer.governance.audit import record_event
from observer.records.fields import TEXT_FIELDS
from observer.records.merge import Change, current_value
from observer.records.recording import Recording
from observer.store.db import Database
from observer.store.models import Observation, RecordConflict, utc_now
from observer.vocabulary import NARRATIVE_SECTIONS, Status

RESOLVED = "resolve_conflict"
OTHER_LABELS = {
    "case_reference": "Case reference",
    "others_present": "Who else was present",
    "consent_given_by": "Consent given by",
    "consent_how": "How consent was given",
    "focus": "Agreed focus",
    "kind": "Kind of observation",
    "observed_at": "Date and time",
    "duration_minutes": "Duration (minutes)",
    "family_present": "Child or family present",
    "overall_level": "Overall judgement",
    "framework": "Framework",
    "observed_person_id": "Person observed",
    "observer_id": "Observer",
}
ACTION_LABELS = {
    "description": "what was agreed",
    "owner": "owner",
    "due": "due date",
    "position": "order",
    "standards": "standards",
    "progress": "progress",
}
# What the editor's save can write back; the other values are only kept or listed.
WRITABLE = frozenset(TEXT_FIELDS) | {
    "kind",
    "observed_at",
    "duration_minutes",
    "family_present",
    "overall_level",
}


class Choice(StrEnum):
    THIS = "this"  # this laptop's version
    OTHER = "other"  # the version from elsewhere
    BOTH = "both"  # both people's words (text)
    ADDENDUM = "addendum"  # an edit set aside, now an addendum
    SIGNED_ONLY = "signed_only"  # an edit set aside, not needed


def label(target: str) -> str:
    """What a target is called on screen: "Strengths", "Rating for S1", "Action 2: due date"."""
    if target == "record":
        return "An edit set aside from the signed record"
    if target in NARRATIVE_SECTIONS:
        return NARRATIVE_SECTIONS[target]
    if target in OTHER_LABELS:
        return OTHER_LABELS[target]
    kind, _, rest = target.partition(":")
    key, _, part = rest.rpartition(":")
    if kind == "rating":
        return f"Rating for {key}" if part == "level" else f"Evidence for {key}"
    if kind == "action":
        return f"Agreed action: {ACTION_LABELS.get(part, part)}"
    return target


@dataclass(frozen=True)
class ConflictView:
    """One open conflict as the window and the command line show it."""

    id: uuid.UUID
    observation_id: uuid.UUID
    kind: ConflictKind
    target: str
    label: str
    here: Any  # this laptop's value (for an edit set aside: target -> value)
    other: Any  # the value from elsewhere
    kept: Side  # whose value the record holds now
    here_revision: int
    other_revision: int
    here_changed_at: datetime | None
    other_changed_at: datetime | None
    source: str
    source_by: str
    found_at: datetime

    @property
    def set_aside_here(self) -> bool:
        """For an edit set aside: whether the edit was made on this laptop."""
        return self.kind is ConflictKind.SET_ASIDE and self.kept is Side.INCOMING

    @property
    def choices(self) -> tuple[Choice, ...]:
        """What may be decided about it."""
        if self.kind is ConflictKind.SET_ASIDE:
            return (Choice.ADDENDUM, Choice.SIGNED_ONLY)
        writable = self.target in WRITABLE or self.target.endswith(
            (":level", ":evidence", ":description", ":owner", ":due")
        )
        out = []
        if writable or self.kept is Side.HERE:
            out.append(Choice.THIS)
        if writable or self.kept is Side.INCOMING:
            out.append(Choice.OTHER)
        if self.kind is ConflictKind.TEXT and self.kept is Side.BOTH:
            out.append(Choice.BOTH)
        return tuple(out)

    def edit_words(self) -> str:
        """An edit set aside, as the text of an addendum: each part it changed, by name."""
        edit = self.here if self.set_aside_here else self.other
        signed = self.other if self.set_aside_here else self.here
        parts = []
        for target, value in (edit or {}).items():
            before = (signed or {}).get(target)
            if isinstance(value, str) and isinstance(before, str) and value.startswith(before):
                value = value[len(before) :].strip()
            shown = "(removed)" if value is None else shown_value(value)
            parts.append(f"{label(target)}: {shown}")
        return "\n".join(parts)


def shown_value(value: Any) -> str:
    """A stored value in words: text as typed, a day or time as the app writes it."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(shown_value(v) for v in value) or "(none)"
    return str(value)


class Conflicts:
    def __init__(self, db: Database, recording: Recording, actor: Callable[[], str]) -> None:
        self._db = db
        self._recording = recording
        self._actor = actor

    def open(self, observation_id: uuid.UUID | None = None) -> list[ConflictView]:
        """Open conflicts, oldest first: of one record, or of every record."""
        query = select(RecordConflict).where(RecordConflict.resolution.is_(None))
        if observation_id is not None:
            query = query.where(RecordConflict.observation_id == observation_id)
        with self._db.session() as s:
            rows = s.scalars(query.order_by(RecordConflict.created_at, RecordConflict.id))
            return [_view(row) for row in rows]

    def count_open(self) -> int:
        with self._db.session() as s:
            found = s.scalar(
                select(func.count())
                .select_from(RecordConflict)
                .where(RecordConflict.resolution.is_(None))
            )
            return int(found or 0)

    def settle(self, conflict_id: uuid.UUID, choice: Choice) -> None:
        """Decides a conflict: the record takes the chosen version (through the editor's
        save, audited as an edit) and the conflict is closed (audited)."""
        view = self._get(conflict_id)
        if choice not in view.choices:
            raise InvalidInput("That choice is not open for this conflict.")
        wanted = {Choice.THIS: Side.HERE, Choice.OTHER: Side.INCOMING, Choice.BOTH: Side.BOTH}
        if choice in wanted and wanted[choice] is not view.kept:
            value = view.here if choice is Choice.THIS else view.other
            self._write(view, value)
        self._close(view, choice)

    def settled_by_addendum(self, conflict_id: uuid.UUID) -> None:
        """Closes an edit set aside once its words are in a signed addendum."""
        view = self._get(conflict_id)
        if view.kind is not ConflictKind.SET_ASIDE:
            raise InvalidInput("Only an edit set aside from a signed record becomes an addendum.")
        self._close(view, Choice.ADDENDUM)

    def _get(self, conflict_id: uuid.UUID) -> ConflictView:
        with self._db.session() as s:
            row = s.get(RecordConflict, conflict_id)
            if row is None or row.resolution is not None:
                raise NotFound("That conflict is no longer open.")
            return _view(row)

    def _write(self, view: ConflictView, value: Any) -> None:
        with self._db.session() as s:
            observation = s.get(Observation, view.observation_id)
            if observation is None:
                raise NotFound("That observation is not in this store.")
            if observation.status == Status.SIGNED.value or observation.signatures:
                raise RecordLocked(
                    "This observation has been signed since; add an addendum to say which "
                    "version is right."
                )
        stored = current_value(self._db, view.observation_id, view.target)
        self._recording.save(
            view.observation_id, [Change(view.target, stored, _typed(view.target, value))]
        )

    def _close(self, view: ConflictView, choice: Choice) -> None:
        with self._db.session() as s, s.begin():
            row = s.get(RecordConflict, view.id)
            if row is None or row.resolution is not None:
                raise NotFound("That conflict is no longer open.")
            row.resolution = choice.value
            row.resolved_at = utc_now()
            row.resolved_by = self._actor()
            s.flush()
            record_event(
                s,
                actor=self._actor(),
                action=RESOLVED,
                record_type="observation",
                record_id=view.observation_id,
                detail=f"{view.kind.value} conflict on {_safe_target(view.target)}: {choice.value}",
            )


def _safe_target(target: str) -> str:
    """The target without ids or codes beyond what names a field (for the audit trail)."""
    kind, _, rest = target.partition(":")
    return f"{kind}:{rest.rpartition(':')[2]}" if rest else target


def _typed(target: str, value: Any) -> Any:
    """A stored (JSON) value back as the editor's save takes it."""
    if value is None:
        return None
    if target == "observed_at":
        return datetime.fromisoformat(value)
    if target.endswith(":due"):
        return date.fromisoformat(value)
    if target.endswith(":owner"):
        return uuid.UUID(value)
    return value


def _view(row: RecordConflict) -> ConflictView:
    return ConflictView(
        id=row.id,
        observation_id=row.observation_id,
        kind=ConflictKind(row.kind),
        target=row.target,
        label=label(row.target),
        here=row.here_value,
        other=row.incoming_value,
        kept=Side(row.kept),
        here_revision=row.here_revision,
        other_revision=row.incoming_revision,
        here_changed_at=row.here_changed_at,
        other_changed_at=row.incoming_changed_at,
        source=row.source,
        source_by=row.source_by,
        found_at=row.created_at,
    )


def as_json(view: ConflictView) -> Mapping[str, Any]:
    """A conflict for `observer conflicts --json`."""
    return {
        "id": str(view.id),
        "observation_id": str(view.observation_id),
        "kind": view.kind.value,
        "field": view.target,
        "label": view.label,
        "this_laptop": {
            "value": view.here,
            "revision": view.here_revision,
            "changed_at": view.here_changed_at.isoformat() if view.here_changed_at else None,
        },
        "other": {
            "value": view.other,
            "revision": view.other_revision,
            "changed_at": view.other_changed_at.isoformat() if view.other_changed_at else None,
            "from": view.source,
            "exported_by": view.source_by or None,
        },
        "record_holds": view.kept.value,
        "found_at": view.found_at.isoformat(),
    }
