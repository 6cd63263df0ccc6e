"""Moderation of observers' judgements (issue 17), as the GUI, the command line and the Board
report use it (`services.moderation`): draw a sample of signed observations, moderate one
blind (the record without its ratings), see the results, and raise a moderation that
disagrees with the observer, who may answer with an addendum to their record.

The moderator is this laptop's user: a practice lead or the QA lead, never the observer of
the record moderated (nor the person observed).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from observer.errors import InvalidInput, NotFound, ObserverError
from observer.governance.audit import record_event
from observer.people.profile import LocalProfile, Profiles
from observer.records.canonical import merged_ids
from observer.service.moderation_record import (
    MAX_COMMENT,
    MAX_NAME,
    MAX_NOTE,
    BlindRecord,
    ModerationView,
    NoteView,
    blind_record,
    checked_ratings,
    disagreement,
    limited,
    load_observation,
    moderation_content,
    moderation_view,
    new_note,
    observation_hash,
    sha256_of,
)
from observer.service.moderation_results import ModerationResults, moderation_results
from observer.service.moderation_sample import (
    MAX_REASON,
    SampleAlreadyDrawn,
    SampleView,
    check_percent,
    check_seed,
    current_sample_in,
    new_sample,
    sample_view,
)
from observer.signing.endorsement import Endorser, endorse
from observer.signing.known import OWN_IDENTITY, add_in, is_known_in, own_identity_since_in
from observer.store.db import Database
from observer.store.models import Observation
from observer.store.moderation_tables import Moderation as ModerationRecord
from observer.store.moderation_tables import ModerationSample, ModerationSampleItem
from observer.text import searchable
from observer.vocabulary import Role, Status

log = logging.getLogger(__name__)

MODERATORS = (Role.PRACTICE_LEAD, Role.QA_LEAD)
SAMPLE, RESAMPLE, MODERATE, RAISE = (
    "moderation_sample",
    "moderation_resample",
    "moderate",
    "moderation_raised",
)


class NotAModerator(InvalidInput):
    """This laptop's user may not moderate that record."""


class Moderation:
    """Moderation's use cases; `actor` names this laptop's user in the audit trail, and
    `endorser` gives the laptop's signing identity for the digital signature each moderation
    carries (None: none can be opened)."""

    def __init__(
        self,
        db: Database,
        profiles: Profiles,
        actor: Callable[[], str],
        endorser: Callable[[], Endorser | None],
    ) -> None:
        self._db = db
        self._profiles = profiles
        self._actor = actor
        self._endorser = endorser

    # The sample

    def draw_sample(
        self,
        start: date,
        end: date,
        percent: int,
        seed: int | None = None,
        *,
        supersede_because: str | None = None,
    ) -> SampleView:
        """The sample of the period: the one kept already (`drawn_now` False), or, if there
        is none, one drawn now from `seed` (a random one when None) and kept. A sample kept
        for the period is replaced only `supersede_because` a reason, which is audited (the
        old one stays); asking for one on other terms without a reason is refused
        (SampleAlreadyDrawn)."""
        percent = check_percent(percent)
        given = None if seed is None else check_seed(seed)
        reason = " ".join((supersede_because or "").split())
        limited(reason, MAX_REASON, "The reason")
        with self._db.session() as s, s.begin():
            kept = current_sample_in(s, start, end)
            if kept is not None and supersede_because is None:
                if kept.percent != percent or (given is not None and kept.seed != given):
                    raise SampleAlreadyDrawn(
                        f"A sample of {start:%d/%m/%Y} to {end:%d/%m/%Y} was drawn on "
                        f"{kept.drawn_at.astimezone():%d/%m/%Y} by {kept.drawn_by} "
                        f"({kept.percent}%, seed {kept.seed}) and is kept, so it is not drawn "
                        "again; to replace it, give the reason."
                    )
                return sample_view(s, kept)
            if kept is not None and not reason:
                raise InvalidInput("Say why the sample is drawn again; nothing was drawn.")
            if kept is None and supersede_because is not None:
                raise InvalidInput(
                    "No sample of that period is kept, so there is none to replace; draw one "
                    "without a reason."
                )
            seed = check_seed(given)
            sample = new_sample(s, start, end, percent, seed, self._actor(), kept, reason)
            record_event(
                s,
                actor=self._actor(),
                action=SAMPLE if kept is None else RESAMPLE,
                record_type="moderation_sample",
                record_id=sample.id,
                content_hash=sample.content_hash,
                detail=f"{len(sample.items)} observations"
                + ("" if kept is None else f"; replaces sample {kept.id}"),
            )
            log.info("moderation sample %s drawn", sample.id)
            return sample_view(s, sample, drawn_now=True)

    def sample(self, start: date, end: date) -> SampleView | None:
        with self._db.session() as s:
            kept = current_sample_in(s, start, end)
            return None if kept is None else sample_view(s, kept)

    def samples(self) -> list[SampleView]:
        """Every sample kept, the superseded ones too, newest first."""
        with self._db.session() as s:
            found = s.scalars(
                select(ModerationSample)
                .options(selectinload(ModerationSample.items))
                .order_by(ModerationSample.drawn_at.desc())
            )
            return [sample_view(s, sample) for sample in found]

    # Moderating

    def blind_record(self, observation_id: uuid.UUID) -> BlindRecord:
        """What the moderator reads: the record's evidence and narrative, no ratings."""
        with self._db.session() as s:
            observation = load_observation(s, observation_id)
            self._check_moderator(s, observation)
            return blind_record(s, observation)

    def moderate(
        self,
        observation_id: uuid.UUID,
        ratings: Mapping[str, str | None],
        overall: str | None,
        comment: str,
        name: str,
    ) -> ModerationView:
        """Keeps the moderator's ratings (standard code to level code; None or the Not
        observed level for Not observed), overall judgement and comment, signed with the
        typed `name`. The observation is not changed."""
        comment = limited(comment, MAX_COMMENT, "The comment")
        typed = " ".join(str(name).split())
        if not typed:
            raise InvalidInput("Type your name to sign the moderation.")
        limited(typed, MAX_NAME, "The name")
        with self._db.session() as s, s.begin():
            observation = load_observation(s, observation_id)
            moderator = self._check_moderator(s, observation)
            if searchable(typed) != searchable(moderator.name):
                raise InvalidInput(
                    f"Only {moderator.name}, this laptop's user, can sign this moderation; "
                    "nothing was saved."
                )
            already = s.scalars(
                select(ModerationRecord.id).where(
                    ModerationRecord.observation_id == observation_id,
                    ModerationRecord.moderator_id == moderator.person_id,
                )
            ).first()
            if already is not None:
                raise InvalidInput(
                    "You have moderated this observation already; a moderation is kept as "
                    "signed and is not made twice."
                )
            rows, overall_id = checked_ratings(s, observation.framework_id, ratings, overall)
            sample_id = s.scalars(
                select(ModerationSampleItem.sample_id).where(
                    ModerationSampleItem.observation_id == observation_id
                )
            ).first()
            signed_at = datetime.now(UTC)
            framework = (observation.framework.key, observation.framework.version)
            record_digest = observation_hash(observation)
            content = moderation_content(
                observation_id=observation_id,
                observation_hash=record_digest,
                framework=framework,
                sample_id=sample_id,
                moderator_id=moderator.person_id,
                moderator_name=typed,
                signed_at=signed_at,
                ratings={code: _kept_level(observation, lv) for code, lv in ratings.items()},
                overall=overall,
                comment=comment,
            )
            moderation = ModerationRecord(
                id=uuid.uuid4(),
                observation_id=observation_id,
                sample_id=sample_id,
                observation_hash=record_digest,
                framework_id=observation.framework_id,
                moderator_id=moderator.person_id,
                moderator_name=typed,
                overall_level_id=overall_id,
                comment=comment,
                signed_at=signed_at,
                content_hash=sha256_of(content),
                ratings=rows,
            )
            self._endorse(s, moderation)
            s.add(moderation)
            s.flush()
            record_event(
                s,
                actor=self._actor(),
                action=MODERATE,
                record_type="moderation",
                record_id=moderation.id,
                content_hash=moderation.content_hash,
                detail=f"observation {observation_id}",
            )
            log.info("observation %s moderated (%s)", observation_id, moderation.id)
            return moderation_view(moderation)

    def moderations_of(self, observation_id: uuid.UUID) -> list[ModerationView]:
        with self._db.session() as s:
            found = s.scalars(
                select(ModerationRecord)
                .where(ModerationRecord.observation_id == observation_id)
                .options(
                    selectinload(ModerationRecord.ratings), selectinload(ModerationRecord.notes)
                )
                .order_by(ModerationRecord.signed_at)
            )
            return [moderation_view(m) for m in found]

    def moderators_of(self, observation_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        """Who has moderated each of these observations (those moderated only), in one read
        for a sample's list."""
        found: dict[uuid.UUID, list[str]] = defaultdict(list)
        ids = list(observation_ids)
        with self._db.session() as s:
            for start in range(0, len(ids), 500):
                rows = s.execute(
                    select(ModerationRecord.observation_id, ModerationRecord.moderator_name)
                    .where(ModerationRecord.observation_id.in_(ids[start : start + 500]))
                    .order_by(ModerationRecord.signed_at)
                )
                for observation_id, name in rows:
                    found[observation_id].append(name)
        return dict(found)

    def disagreements(self, moderation_id: uuid.UUID) -> list[str]:
        """How the moderation disagrees with the record (empty: it does not)."""
        with self._db.session() as s:
            return disagreement(s, self._load(s, moderation_id))

    def raise_with_observer(self, moderation_id: uuid.UUID, text: str) -> NoteView:
        """Appends a note raising a moderation that disagrees with the record (a standard more
        than one level apart, or another overall judgement) with the observer, who may then
        add an addendum to their record."""
        text = limited(text, MAX_NOTE, "The note").strip()
        if not text:
            raise InvalidInput("Say what you are raising with the observer.")
        with self._db.session() as s, s.begin():
            moderation = self._load(s, moderation_id)
            if not disagreement(s, moderation):
                raise InvalidInput(
                    "This moderation agrees with the record within one level on every standard "
                    "and on the overall judgement, so there is nothing to raise."
                )
            note = new_note(moderation, text, self._actor(), datetime.now(UTC))
            moderation.notes.append(note)
            s.flush()
            record_event(
                s,
                actor=self._actor(),
                action=RAISE,
                record_type="moderation",
                record_id=moderation.id,
                content_hash=note.content_hash,
                detail=f"observation {moderation.observation_id}",
            )
            return NoteView(note.id, note.text, note.author_name, note.written_at)

    def verify(self) -> list[str]:
        """One sentence for each moderation, note or sample that is not as it was made
        (observer/service/moderation_check.py); empty when all are."""
        from observer.service.moderation_check import moderation_problems

        with self._db.session() as s:
            return moderation_problems(s)

    # Results

    def results(
        self, start: date | None = None, end: date | None = None, *, by_observer: bool = True
    ) -> ModerationResults:
        """Agreement per observer (unless not `by_observer`), per standard and overall, for
        moderations of observations observed in the period (all, without one)."""
        if start is not None and end is not None and end < start:
            raise InvalidInput("The period ends before it starts.")
        with self._db.session() as s:
            return moderation_results(s, start, end, by_observer=by_observer)

    # Helpers

    def _check_moderator(self, s: Session, observation: Observation) -> LocalProfile:
        profile = self._profiles.current()
        if profile is None:
            raise NotAModerator(
                "Set up who uses this laptop first: a moderation is signed by its moderator."
            )
        if profile.role not in MODERATORS:
            raise NotAModerator(
                "Only a practice lead or the QA lead moderates observations; this laptop's "
                f"user is a {profile.role.label.lower()}."
            )
        if observation.status != Status.SIGNED.value:
            raise InvalidInput("Only signed observations are moderated.")
        own = {observation.observer_id, observation.observed_person_id} | merged_ids(observation)
        if profile.person_id in own:
            raise NotAModerator(
                "You cannot moderate an observation you made or were observed in; another "
                "practice lead or the QA lead moderates it."
            )
        return profile

    def _endorse(self, s: Session, moderation: ModerationRecord) -> None:
        """The laptop's digital signature over the moderation's hash, as a sign-off has."""
        endorser = self._endorser()
        if endorser is None:
            if own_identity_since_in(s) is not None:
                raise ObserverError(
                    "This laptop's signing identity could not be opened, and what is signed "
                    "here must carry its digital signature, so nothing was saved."
                )
            return
        moderation.certificate = endorser.certificate
        moderation.digital_signature = endorse(endorser, moderation.content_hash)
        if not is_known_in(s, endorser.fingerprint):
            add_in(s, endorser.certificate, OWN_IDENTITY, self._actor())

    @staticmethod
    def _load(s: Session, moderation_id: uuid.UUID) -> ModerationRecord:
        moderation = s.get(ModerationRecord, moderation_id)
        if moderation is None:
            raise NotFound("That moderation is not in this store.")
        return moderation


def _kept_level(observation: Observation, level: str | None) -> str | None:
    """A level code as kept: Not observed (the level with no score) is None."""
    if level is None:
        return None
    scale = {lv.code: lv.score for lv in observation.framework.levels}
    return level if scale.get(level) is not None else None
