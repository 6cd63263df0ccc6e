"""Whether the moderation records are as they were made: each moderation's and sample's
content against its own SHA-256, that hash against the audit event that recorded it, and a
moderation's digital signature against its hash. The store refuses to change them
(migration 0017); this finds a change made around it (a copy of the file edited elsewhere)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from observer.service.moderation_record import moderation_hash, note_hash
from observer.service.moderation_sample import sample_hash
from observer.signing.endorsement import endorsement_holds
from observer.store.models import AuditEvent
from observer.store.moderation_tables import Moderation, ModerationSample

# Made here, or taken from a bundle or the team server (observer/bundle/quality_import.py).
MODERATION_EVENTS = ("moderate", "import_moderation")
SAMPLE_EVENTS = ("moderation_sample", "moderation_resample", "import_moderation_sample")
NOTE_EVENTS = ("moderation_raised", "import_moderation_raised")


def moderation_problems(s: Session) -> list[str]:
    """One sentence for each moderation record that is not what was made."""
    recorded: dict[object, set[str]] = {}
    events = s.execute(
        select(AuditEvent.record_id, AuditEvent.content_hash).where(
            AuditEvent.action.in_((*MODERATION_EVENTS, *SAMPLE_EVENTS, *NOTE_EVENTS))
        )
    )
    for record_id, digest in events:
        recorded.setdefault(record_id, set()).add(digest)
    problems: list[str] = []
    moderations = s.scalars(
        select(Moderation).options(selectinload(Moderation.ratings), selectinload(Moderation.notes))
    )
    for moderation in moderations:
        held = recorded.get(moderation.id, set())
        if moderation_hash(moderation) != moderation.content_hash:
            problems.append(f"Moderation {moderation.id} is not what its moderator signed.")
        elif moderation.content_hash not in held:
            problems.append(f"Moderation {moderation.id} is not the one the audit trail recorded.")
        signature = moderation.digital_signature
        if signature is not None and not endorsement_holds(
            moderation.certificate, signature, moderation.content_hash
        ):
            problems.append(f"Moderation {moderation.id}'s digital signature does not hold.")
        problems.extend(_note_problems(moderation, held))
    for sample in s.scalars(select(ModerationSample).options(selectinload(ModerationSample.items))):
        chosen = [(item.observer_id, item.observation_id) for item in sample.items]
        digest = sample_hash(
            sample.period_from,
            sample.period_to,
            sample.percent,
            sample.seed,
            sample.drawn_by,
            sample.drawn_at,
            chosen,
            sample.supersedes_id,
            sample.reason,
        )
        if digest != sample.content_hash:
            problems.append(f"Moderation sample {sample.id} is not the sample that was drawn.")
        elif digest not in recorded.get(sample.id, set()):
            problems.append(
                f"Moderation sample {sample.id} is not the one the audit trail recorded."
            )
    return problems


def _note_problems(moderation: Moderation, held: set[str]) -> list[str]:
    problems = []
    for note in moderation.notes:
        if (
            note_hash(moderation, note.text, note.author_name, note.written_at) != note.content_hash
            or note.content_hash not in held
        ):
            problems.append(
                f"A note raising moderation {moderation.id} with the observer is not the one "
                "written."
            )
    return problems
