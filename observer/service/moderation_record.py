"""One moderation: what the moderator reads (the record without its ratings), the moderation
made and signed from it, and raising it with the observer.

A moderation is its own record, linked to the observation by id; making it never changes
the observation. It is signed as a sign-off is: the moderator's typed name, the time, and
the SHA-256 of its canonical content (`moderation_hash`: sorted-key JSON, as
observer/records/canonical.py makes an observation's), which covers the observation's own
content hash at that moment, so a moderation always says which version of the record it
judged. The store keeps it append-only (migration 0017).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.errors import InvalidInput, NotFound
from observer.records.canonical import ONE_OBSERVATION_LOAD_OPTIONS
from observer.records.sign_off import record_hash
from observer.store.models import Framework, Observation, RatingLevel, Standard
from observer.store.moderation_tables import Moderation, ModerationNote, ModerationRating
from observer.vocabulary import Kind

MAX_COMMENT = 10_000
MAX_NOTE = 10_000
MAX_NAME = 200
# The narrative a moderator reads: everything the observer wrote about the practice except
# the overall judgement's rationale, which argues for the judgement and would give it away.
NARRATIVE_FIELDS = (
    "focus",
    "others_present",
    "strengths",
    "development_areas",
    "child_voice",
    "family_feedback",
    "reflection",
)


@dataclass(frozen=True)
class Level:
    code: str
    label: str
    score: int | None  # None: Not observed


@dataclass(frozen=True)
class StandardEvidence:
    code: str
    title: str
    evidence: str


@dataclass(frozen=True)
class BlindRecord:
    """A signed observation as a moderator reads it: the evidence and narrative, with the
    observer's ratings and overall judgement (and its rationale) left out; and the scale the
    moderator rates on."""

    observation_id: uuid.UUID
    kind: Kind
    observed_on: date
    duration_minutes: int | None
    framework: str
    framework_version: int
    narrative: tuple[tuple[str, str], ...]  # (field, text), in NARRATIVE_FIELDS order
    standards: tuple[StandardEvidence, ...]
    scale: tuple[Level, ...]


@dataclass(frozen=True)
class NoteView:
    id: uuid.UUID
    text: str
    author_name: str
    written_at: datetime


@dataclass(frozen=True)
class ModerationView:
    id: uuid.UUID
    observation_id: uuid.UUID
    sample_id: uuid.UUID | None
    moderator_name: str
    signed_at: datetime
    ratings: tuple[tuple[str, str | None], ...]  # (standard code, level code or None)
    overall: str | None
    comment: str
    observation_hash: str
    content_hash: str
    digitally_signed: bool
    notes: tuple[NoteView, ...]


def load_observation(s: Session, observation_id: uuid.UUID) -> Observation:
    observation = s.scalars(
        select(Observation)
        .where(Observation.id == observation_id)
        .options(*ONE_OBSERVATION_LOAD_OPTIONS)
    ).one_or_none()
    if observation is None:
        raise NotFound("That observation is not in this store.")
    return observation


def scale_of(s: Session, framework_id: uuid.UUID) -> tuple[Level, ...]:
    levels = s.scalars(
        select(RatingLevel)
        .where(RatingLevel.framework_id == framework_id)
        .order_by(RatingLevel.position)
    )
    return tuple(Level(level.code, level.label, level.score) for level in levels)


def blind_record(s: Session, observation: Observation) -> BlindRecord:
    evidence = {r.standard_id: r.evidence for r in observation.ratings}
    standards = s.scalars(
        select(Standard)
        .where(Standard.framework_id == observation.framework_id)
        .order_by(Standard.position)
    )
    framework = observation.framework
    return BlindRecord(
        observation_id=observation.id,
        kind=Kind(observation.kind),
        observed_on=observation.observed_at.astimezone().date(),
        duration_minutes=observation.duration_minutes,
        framework=framework.name,
        framework_version=framework.version,
        narrative=tuple((name, getattr(observation, name)) for name in NARRATIVE_FIELDS),
        standards=tuple(
            StandardEvidence(st.code, st.title, evidence.get(st.id, "")) for st in standards
        ),
        scale=scale_of(s, observation.framework_id),
    )


def moderation_content(
    *,
    observation_id: uuid.UUID,
    observation_hash: str,
    framework: tuple[str, int],
    sample_id: uuid.UUID | None,
    moderator_id: uuid.UUID,
    moderator_name: str,
    signed_at: datetime,
    ratings: Mapping[str, str | None],
    overall: str | None,
    comment: str,
) -> dict[str, Any]:
    return {
        "observation_id": str(observation_id),
        "observation_hash": observation_hash,
        "framework": {"key": framework[0], "version": framework[1]},
        "sample_id": None if sample_id is None else str(sample_id),
        "moderator_id": str(moderator_id),
        "moderator_name": moderator_name,
        "signed_at": signed_at.isoformat(),
        "ratings": [[code, level] for code, level in sorted(ratings.items())],
        "overall_level": overall,
        "comment": comment,
    }


def sha256_of(content: Mapping[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def moderation_hash(moderation: Moderation) -> str:
    """The hash a stored moderation should carry, from what it holds now."""
    session = Session.object_session(moderation)
    assert session is not None
    framework = session.get_one(Framework, moderation.framework_id)
    codes = _codes(moderation)
    return sha256_of(
        moderation_content(
            observation_id=moderation.observation_id,
            observation_hash=moderation.observation_hash,
            framework=(framework.key, framework.version),
            sample_id=moderation.sample_id,
            moderator_id=moderation.moderator_id,
            moderator_name=moderation.moderator_name,
            signed_at=moderation.signed_at,
            ratings=codes[0],
            overall=codes[1],
            comment=moderation.comment,
        )
    )


def _codes(moderation: Moderation) -> tuple[dict[str, str | None], str | None]:
    session = Session.object_session(moderation)
    assert session is not None
    standard_codes = dict(
        session.execute(
            select(Standard.id, Standard.code).where(
                Standard.framework_id == moderation.framework_id
            )
        ).all()
    )
    level_codes = dict(
        session.execute(
            select(RatingLevel.id, RatingLevel.code).where(
                RatingLevel.framework_id == moderation.framework_id
            )
        ).all()
    )
    ratings = {
        standard_codes[r.standard_id]: None if r.level_id is None else level_codes[r.level_id]
        for r in moderation.ratings
    }
    overall = (
        None if moderation.overall_level_id is None else level_codes[moderation.overall_level_id]
    )
    return ratings, overall


def checked_ratings(
    s: Session, framework_id: uuid.UUID, ratings: Mapping[str, str | None], overall: str | None
) -> tuple[list[ModerationRating], uuid.UUID]:
    """The moderator's ratings as rows, every standard of the framework rated (None or the
    Not observed level for Not observed), and the overall judgement's level id."""
    standards = {
        st.code: st.id
        for st in s.scalars(select(Standard).where(Standard.framework_id == framework_id))
    }
    levels = {
        lv.code: lv
        for lv in s.scalars(select(RatingLevel).where(RatingLevel.framework_id == framework_id))
    }
    unknown = sorted(set(ratings) - set(standards))
    if unknown:
        raise InvalidInput(
            f"The framework of this observation has no standard {unknown[0]}; nothing was saved."
        )
    missing = [code for code in standards if code not in ratings]
    if missing:
        raise InvalidInput(
            f"Rate every standard (or mark it Not observed): {', '.join(sorted(missing))} "
            "has no rating yet; nothing was saved."
        )
    rows = []
    for code, level_code in ratings.items():
        level_id = None
        if level_code is not None:
            if level_code not in levels:
                raise InvalidInput(
                    f"{level_code!r} is not a level of this framework's scale; nothing was saved."
                )
            level = levels[level_code]
            level_id = None if level.score is None else level.id
        rows.append(ModerationRating(standard_id=standards[code], level_id=level_id))
    if overall is None or overall not in levels or levels[overall].score is None:
        raise InvalidInput("Give an overall judgement on the framework's scale; nothing was saved.")
    return rows, levels[overall].id


def limited(value: str, limit: int, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text.")
    if len(value) > limit:
        raise InvalidInput(f"{what} is longer than {limit:,} characters.")
    return value


def disagreement(s: Session, moderation: Moderation) -> list[str]:
    """How the moderation disagrees with the record: each standard rated more than one level
    apart, and a different overall judgement (standard codes and words, no narrative)."""
    observation = load_observation(s, moderation.observation_id)
    scores = dict(
        s.execute(
            select(RatingLevel.id, RatingLevel.score).where(
                RatingLevel.framework_id == moderation.framework_id
            )
        ).all()
    )
    theirs = {r.standard_id: r.level_id for r in observation.ratings}
    codes = {r.standard_id: r.standard.code for r in observation.ratings}
    found: list[str] = []
    for rating in moderation.ratings:
        mine = scores.get(rating.level_id) if rating.level_id else None
        other_id = theirs.get(rating.standard_id)
        other = scores.get(other_id) if other_id else None
        if mine is not None and other is not None and abs(mine - other) > 1:
            code = codes.get(rating.standard_id, "?")
            found.append(f"standard {code}: {abs(mine - other)} levels apart")
    if moderation.overall_level_id != observation.overall_level_id:
        found.append("a different overall judgement")
    return found


def moderation_view(moderation: Moderation) -> ModerationView:
    ratings, overall = _codes(moderation)
    return ModerationView(
        id=moderation.id,
        observation_id=moderation.observation_id,
        sample_id=moderation.sample_id,
        moderator_name=moderation.moderator_name,
        signed_at=moderation.signed_at,
        ratings=tuple(sorted(ratings.items())),
        overall=overall,
        comment=moderation.comment,
        observation_hash=moderation.observation_hash,
        content_hash=moderation.content_hash,
        digitally_signed=moderation.digital_signature is not None,
        notes=tuple(NoteView(n.id, n.text, n.author_name, n.written_at) for n in moderation.notes),
    )


def note_hash(moderation: Moderation, text: str, author: str, written_at: datetime) -> str:
    return sha256_of(
        {
            "moderation_id": str(moderation.id),
            "moderation_hash": moderation.content_hash,
            "text": text,
            "author_name": author,
            "written_at": written_at.isoformat(),
        }
    )


def new_note(
    moderation: Moderation, text: str, author: str, written_at: datetime
) -> ModerationNote:
    return ModerationNote(
        id=uuid.uuid4(),
        moderation_id=moderation.id,
        text=text,
        author_name=author,
        written_at=written_at,
        content_hash=note_hash(moderation, text, author, written_at),
    )


def observation_hash(observation: Observation) -> str:
    return record_hash(observation)
