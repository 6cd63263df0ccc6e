"""Writing a bundle's moderation records and commentaries, in the import's transaction.

Moderation records come in only as they were made, as signatures and addenda do
(observer/bundle/sign_offs.py): a moderation this store does not hold is taken when its
content gives its own hash, it carries the moderator's laptop's digital signature over that
hash, made with a certificate this laptop knows (or, pulled from a team server, one that
server vouches for), it moderates a signed observation this store holds, as that
observation's content stands, and it was made after the observation. A note raising it with
the observer and a sample are taken when their content gives their hash. Each one taken is
recorded in the audit trail with its hash, as the one made here was, so `observer
moderation verify` finds them sound. One held already must be word for word the one held:
they are append-only, and a copy that rewrites one refuses the whole bundle.

A commentary is the one record here that changes: a copy at a higher revision replaces the
store's; another commentary for the same period and scope (written on another laptop) is
added to the store's, keeping both people's words, as the same text edited in two places is.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from observer.bundle.quality import COMMENTARIES, MODERATIONS, SAMPLES
from observer.bundle.sign_offs import UNKNOWN_CERTIFICATE, certificate_known
from observer.errors import InvalidBundle
from observer.governance.audit import record_event
from observer.records.canonical import ONE_OBSERVATION_LOAD_OPTIONS
from observer.records.sign_off import record_hash
from observer.service.moderation_record import moderation_hash, note_hash
from observer.service.moderation_sample import sample_hash
from observer.signing.endorsement import endorsement_holds
from observer.signing.known import VOUCHED_PREFIX, add_in, fingerprint_of, pairs
from observer.store.commentary import BoardCommentary
from observer.store.models import Framework, Observation, RatingLevel, Standard, table_of
from observer.store.moderation_tables import (
    Moderation,
    ModerationNote,
    ModerationRating,
    ModerationSample,
    ModerationSampleItem,
)
from observer.vocabulary import Status

IMPORT_SAMPLE, IMPORT_MODERATION, IMPORT_NOTE, IMPORT_COMMENTARY = (
    "import_moderation_sample",
    "import_moderation",
    "import_moderation_raised",
    "import_commentary",
)
NOTE_FIELDS = ("text", "author_name", "written_at", "content_hash")


def write_quality(
    s: Session,
    samples: list[dict[str, Any]],
    moderations: list[dict[str, Any]],
    commentaries: list[dict[str, Any]],
    count: Any,
    *,
    source: str,
    actor: str,
    left_out: Collection[uuid.UUID] = (),
    vouched_by: str | None = None,
) -> None:
    """Writes what the store does not hold yet; `count(kind, outcome)` tallies. Moderations
    of observations `left_out` (outside the user's scope) are left out with them."""
    for index, record in enumerate(samples):
        _sample(s, record, f"{source}: {SAMPLES}[{index}]", actor, count)
    for index, record in enumerate(moderations):
        if record["observation_id"] in left_out:
            continue
        where = f"{source}: {MODERATIONS}[{index}]"
        _moderation(s, record, where, actor, count, vouched_by)
    for index, record in enumerate(commentaries):
        _commentary(s, record, f"{source}: {COMMENTARIES}[{index}]", actor, count)


def _same(held: Any, record: dict[str, Any], fields: Collection[str]) -> bool:
    def value(v: Any) -> Any:
        return v.astimezone(UTC) if hasattr(v, "astimezone") and hasattr(v, "hour") else v

    return all(value(getattr(held, name)) == value(record[name]) for name in fields)


def _record(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("id", "created_at", "updated_at", "revision")}


def _sample(s: Session, record: dict[str, Any], where: str, actor: str, count: Any) -> None:
    held = s.get(ModerationSample, record["id"])
    if held is not None:
        if held.content_hash != record["content_hash"]:
            raise InvalidBundle(
                f"{where} is a moderation sample this store holds, and the bundle's copy is "
                "not the sample that was drawn; nothing was imported."
            )
        count("moderation samples", "unchanged")
        return
    chosen = sorted(record["items"], key=lambda item: item["position"])
    digest = sample_hash(
        record["period_from"],
        record["period_to"],
        record["percent"],
        record["seed"],
        record["drawn_by"],
        record["drawn_at"],
        [(item["observer_id"], item["observation_id"]) for item in chosen],
        record["supersedes_id"],
        record["reason"],
    )
    if digest != record["content_hash"]:
        raise InvalidBundle(
            f"{where}.content_hash does not match the sample's content: it is not the sample "
            "that was drawn; nothing was imported."
        )
    s.execute(
        insert(table_of(ModerationSample)).values({k: v for k, v in record.items() if k != "items"})
    )
    if chosen:
        s.execute(
            insert(table_of(ModerationSampleItem)),
            [{**item, "sample_id": record["id"]} for item in chosen],
        )
    record_event(
        s,
        actor=actor,
        action=IMPORT_SAMPLE,
        record_type="moderation_sample",
        record_id=record["id"],
        content_hash=digest,
        detail=f"{len(chosen)} observations",
    )
    count("moderation samples", "added")


def _moderation(
    s: Session,
    record: dict[str, Any],
    where: str,
    actor: str,
    count: Any,
    vouched_by: str | None,
) -> None:
    held = s.scalars(
        select(Moderation)
        .where(Moderation.id == record["id"])
        .options(selectinload(Moderation.notes))
    ).one_or_none()
    if held is not None:
        if not _same(
            held,
            record,
            ("content_hash", "certificate", "digital_signature", "observation_id", "signed_at"),
        ):
            raise InvalidBundle(
                f"{where} is a moderation this store holds, and the bundle's copy rewrites it; "
                "nothing was imported."
            )
        count("moderations", "unchanged")
        _notes(s, held, record, where, actor, count)
        return
    observation = s.scalars(
        select(Observation)
        .where(Observation.id == record["observation_id"])
        .options(*ONE_OBSERVATION_LOAD_OPTIONS)
    ).one_or_none()
    if observation is None and vouched_by is not None:
        # From the team server, which shows a moderator their moderation of a record they may
        # not see: there is nothing here for it to moderate.
        return
    if observation is None:
        raise InvalidBundle(
            f"{where} moderates observation {record['observation_id']}, which is neither in "
            "the bundle nor in this store; nothing was imported."
        )
    problem = _moderation_problem(s, observation, record, vouched_by is not None)
    if problem is not None:
        raise InvalidBundle(f"{where} {problem}; nothing was imported.")
    framework_id, standards, levels = _framework(s, record, where)
    values = {
        **_record(record),
        **{
            k: record[k]
            for k in (
                "observation_id",
                "sample_id",
                "observation_hash",
                "moderator_id",
                "moderator_name",
                "comment",
                "signed_at",
                "content_hash",
                "certificate",
                "digital_signature",
            )
        },
        "framework_id": framework_id,
        "overall_level_id": _level(levels, record["overall_level"], where, "overall_level"),
    }
    s.execute(insert(table_of(Moderation)).values(values))
    rows = [
        {
            "moderation_id": record["id"],
            "standard_id": _standard(standards, rating["standard"], where),
            "level_id": _level(levels, rating["level"], where, "rating"),
        }
        for rating in record["ratings"]
    ]
    if rows:
        s.execute(insert(table_of(ModerationRating)), rows)
    moderation = s.scalars(
        select(Moderation)
        .where(Moderation.id == record["id"])
        .options(selectinload(Moderation.ratings), selectinload(Moderation.notes))
        .execution_options(populate_existing=True)
    ).one()
    if moderation_hash(moderation) != record["content_hash"]:
        raise InvalidBundle(
            f"{where}.content_hash does not match the moderation's content: it was changed "
            "after its moderator signed it; nothing was imported."
        )
    if vouched_by is not None and record["certificate"] is not None:
        add_in(
            s, record["certificate"], f"{VOUCHED_PREFIX}{vouched_by}", actor, vouched_by=vouched_by
        )
    record_event(
        s,
        actor=actor,
        action=IMPORT_MODERATION,
        record_type="moderation",
        record_id=moderation.id,
        content_hash=moderation.content_hash,
        detail=f"observation {moderation.observation_id}",
    )
    count("moderations", "added")
    _notes(s, moderation, record, where, actor, count)


def _moderation_problem(
    s: Session, observation: Observation, record: dict[str, Any], vouched: bool
) -> str | None:
    certificate, signature = record["certificate"], record["digital_signature"]
    if certificate is None or signature is None:
        return "carries no digital signature from the laptop where it was made"
    if not endorsement_holds(certificate, signature, record["content_hash"]):
        return "has a digital signature that does not hold for it"
    if not vouched and not certificate_known(s, certificate):
        return f"{UNKNOWN_CERTIFICATE} (SHA-256 fingerprint {pairs(fingerprint_of(certificate))})"
    if observation.status != Status.SIGNED.value:
        return "moderates an observation that is not signed here"
    if record["observation_hash"] != record_hash(observation):
        return "moderates another content of its observation than this store holds"
    if record["signed_at"] < observation.observed_at:
        return "is dated before the observation took place"
    return None


def _framework(
    s: Session, record: dict[str, Any], where: str
) -> tuple[uuid.UUID, dict[str, uuid.UUID], dict[str, tuple[uuid.UUID, int | None]]]:
    key, version = record["framework"]
    framework_id = s.scalar(
        select(Framework.id).where(Framework.key == key, Framework.version == version)
    )
    if framework_id is None:
        raise InvalidBundle(f"{where} uses framework {key} v{version}, which is not installed.")
    standards = {
        code: id_
        for id_, code in s.execute(
            select(Standard.id, Standard.code).where(Standard.framework_id == framework_id)
        )
    }
    levels = {
        code: (id_, score)
        for id_, code, score in s.execute(
            select(RatingLevel.id, RatingLevel.code, RatingLevel.score).where(
                RatingLevel.framework_id == framework_id
            )
        )
    }
    return framework_id, standards, levels


def _standard(standards: dict[str, uuid.UUID], code: str, where: str) -> uuid.UUID:
    found = standards.get(code)
    if found is None:
        raise InvalidBundle(f"{where}: standard {code!r} is not part of its framework.")
    return found


def _level(
    levels: dict[str, tuple[uuid.UUID, int | None]], code: str | None, where: str, what: str
) -> uuid.UUID | None:
    if code is None:
        return None
    found = levels.get(code)
    if found is None or found[1] is None:  # Not observed is kept as no level
        raise InvalidBundle(f"{where}: {what} {code!r} is not a level of its framework's scale.")
    return found[0]


def _notes(
    s: Session,
    moderation: Moderation,
    record: dict[str, Any],
    where: str,
    actor: str,
    count: Any,
) -> None:
    held = {note.id: note for note in moderation.notes}
    for index, note in enumerate(record["notes"]):
        here = f"{where}.notes[{index}]"
        mine = held.get(note["id"])
        if mine is not None:
            if not _same(mine, note, NOTE_FIELDS):
                raise InvalidBundle(
                    f"{here} is a note this store holds, and the bundle's copy rewrites it; "
                    "nothing was imported."
                )
            continue
        if s.get(ModerationNote, note["id"]) is not None:
            raise InvalidBundle(
                f"{here}.id is already the id of a note on another moderation in this store."
            )
        digest = note_hash(moderation, note["text"], note["author_name"], note["written_at"])
        if digest != note["content_hash"]:
            raise InvalidBundle(
                f"{here}.content_hash does not match the note's content: it was changed after "
                "it was written; nothing was imported."
            )
        s.execute(
            insert(table_of(ModerationNote)).values(
                **_record(note),
                moderation_id=moderation.id,
                **{k: note[k] for k in NOTE_FIELDS},
            )
        )
        record_event(
            s,
            actor=actor,
            action=IMPORT_NOTE,
            record_type="moderation",
            record_id=moderation.id,
            content_hash=digest,
            detail=f"observation {moderation.observation_id}",
        )
        count("moderation notes", "added")


def _commentary(s: Session, record: dict[str, Any], where: str, actor: str, count: Any) -> None:
    table = table_of(BoardCommentary)
    fields = ("period_first", "period_last", "scope", "text", "written_by")
    held = s.get(BoardCommentary, record["id"])
    if held is None:
        held = s.scalars(
            select(BoardCommentary).where(
                BoardCommentary.period_first == record["period_first"],
                BoardCommentary.period_last == record["period_last"],
                BoardCommentary.scope == record["scope"],
            )
        ).one_or_none()
        if held is None:
            s.execute(insert(table).values(**_record(record), **{k: record[k] for k in fields}))
            _audit_commentary(s, record["id"], record, actor, "added")
            count("commentaries", "added")
            return
        # Another commentary of the same period and scope: both people's words are kept.
        if record["text"].strip() in held.text:
            count("commentaries", "unchanged")
            return
        if held.text.strip() in record["text"]:  # theirs holds ours already (a server's merge)
            _replace_commentary(s, held, record["text"], held.written_by, held.revision + 1)
            _audit_commentary(s, held.id, record, actor, "holding the one here")
            count("commentaries", "updated")
            return
        text = f"{held.text.rstrip()}\n\n{record['written_by']}:\n{record['text'].strip()}"
        _replace_commentary(s, held, text, held.written_by, held.revision + 1)
        _audit_commentary(s, held.id, record, actor, "added to the one here")
        count("commentaries", "merged")
        return
    if (held.period_first, held.period_last, held.scope) != (
        record["period_first"],
        record["period_last"],
        record["scope"],
    ):
        raise InvalidBundle(
            f"{where} is a commentary this store holds for another period or scope; "
            "nothing was imported."
        )
    if record["revision"] <= held.revision:
        count("commentaries", "unchanged")
        return
    _replace_commentary(s, held, record["text"], record["written_by"], record["revision"])
    _audit_commentary(s, held.id, record, actor, "a later revision")
    count("commentaries", "updated")


def _replace_commentary(
    s: Session, held: BoardCommentary, text: str, written_by: str, revision: int
) -> None:
    table = table_of(BoardCommentary)
    s.execute(
        update(table)
        .where(table.c.id == held.id)
        .values(text=text, written_by=written_by, revision=revision)
        .execution_options(synchronize_session=False)
    )
    s.expire(held)


def _audit_commentary(
    s: Session, commentary_id: uuid.UUID, record: dict[str, Any], actor: str, how: str
) -> None:
    record_event(
        s,
        actor=actor,
        action=IMPORT_COMMENTARY,
        record_type="board_commentary",
        record_id=commentary_id,
        detail=(
            f"for {record['period_first'].isoformat()} to {record['period_last'].isoformat()}; "
            f"{how}"
        ),
    )
