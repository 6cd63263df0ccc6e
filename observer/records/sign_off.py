"""Sign-off in the room: the observer signs, then the practitioner; a manager may countersign.

Each signature keeps the SHA-256 of the record's canonical content at that moment
(observer.records.canonical, docs/canonical-content.md). Once the observer has signed, the content
can no longer change, so the practitioner signs exactly what the observer signed; once
both have signed the record is locked, and corrections are dated, signed addenda shown
after it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from observer.errors import InvalidInput, NotFound, ObserverError, RecordLocked, StaleRecord
from observer.governance.audit import record_event
from observer.governance.signed_records import (
    SignedState,
    disagreements,
    recorded_sign_offs,
    sign_off_detail,
)
from observer.records.canonical import (
    OBSERVATION_LOAD_OPTIONS,
    ONE_OBSERVATION_LOAD_OPTIONS,
    content_hash,
    observation_document,
)
from observer.records.countersigners import manages_the_workers_team
from observer.records.readiness import NotReady, missing_for_sign_off
from observer.records.recording import ObservationView, observation_view
from observer.records.seals import (
    addendum_own_hash,
    seal_problem,
    signature_own_hash,
    wording_at_signing,
)
from observer.signing.endorsement import Endorser, certificate_fingerprint, endorse
from observer.signing.known import (
    OWN_IDENTITY,
    add_in,
    is_known_in,
    own_identity_since_in,
    record_fingerprints_in,
)
from observer.store.db import Database
from observer.store.models import Addendum, Observation, Person, Signature, utc_now
from observer.text import searchable
from observer.vocabulary import Role, SignatureRole, Status

log = logging.getLogger(__name__)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_DRAWING_BYTES = 1_000_000
MAX_NAME = 200
MAX_COMMENT = 2_000
MAX_ADDENDUM = 50_000
CHANGED_SINCE_READ = (
    "The record changed after you began reading it, so nothing was signed; "
    "read it again, then sign."
)
ROLE_ORDER = (SignatureRole.OBSERVER, SignatureRole.PRACTITIONER, SignatureRole.MANAGER)
ROLE_LABELS = {
    SignatureRole.OBSERVER: "Observer",
    SignatureRole.PRACTITIONER: "Practitioner",
    SignatureRole.MANAGER: "Countersigning manager",
}


class WrongSigner(InvalidInput):
    """The name given is not the person the record names for that role; nothing was signed."""


class IdentityUnavailable(ObserverError):
    """This laptop has had a signing identity, which cannot be opened now; a sign-off made
    without its digital signature would not count as signed, so none is made."""


def expected_signer(observation: Observation, role: SignatureRole) -> str | None:
    """The name of the person who must sign in `role` (the record's observer, or the person
    observed, as the record shows them); None for a manager, who is any team manager."""
    shown = observation.shown_at_signing or {}
    if role is SignatureRole.OBSERVER:
        return str(shown.get("observer") or observation.observer.name)
    if role is SignatureRole.PRACTITIONER:
        return str(shown.get("observed_person") or observation.observed_person.name)
    return None


@dataclass(frozen=True)
class SignatureView:
    role: SignatureRole
    name: str
    signed_at: datetime
    comment: str
    content_hash: str
    drawing_png: bytes | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


@dataclass(frozen=True)
class AddendumView:
    id: uuid.UUID
    text: str
    author_name: str
    signed_at: datetime
    content_hash: str
    drawing_png: bytes | None


def shown_at_signing(
    observation: Observation, names: Mapping[uuid.UUID, str] | None = None
) -> dict[str, Any]:
    """What the record shows beyond its own fields: the people's names and the framework's
    wording (standard titles and level labels, fixed by the framework's content hash).
    Kept when the observer signs, so a later rename never changes a signed record."""

    def name(person_id: uuid.UUID | None, person: Callable[[], Person | None]) -> str:
        if person_id is None:
            return ""
        if names is not None and person_id in names:
            return names[person_id]
        found = person()  # loaded only when the caller has not given the name
        return found.name if found is not None else ""

    framework = observation.framework
    return {
        "observed_person": name(
            observation.observed_person_id, lambda: observation.observed_person
        ),
        "observer": name(observation.observer_id, lambda: observation.observer),
        "action_owners": {
            str(a.id): name(a.owner_id, lambda a=a: a.owner)  # type: ignore[misc]
            for a in observation.actions
            if a.owner_id
        },
        "framework": {
            "name": framework.name,
            "version": framework.version,
            "content_hash": framework.content_hash,
        },
    }


def record_hash(observation: Observation) -> str:
    """The SHA-256 a signature made now would record: the canonical content, with the
    names and wording shown today unless the observer's signature has kept them."""
    document = observation_document(observation)
    # Records signed before names were kept (schema 0002) were hashed without them.
    if document["shown_at_signing"] is None and not observation.signatures:
        document["shown_at_signing"] = shown_at_signing(observation)
    return content_hash(document)


@dataclass(frozen=True)
class SignedRecord:
    """A record with its signatures, addenda and current content hash, read together: the
    hash is of exactly the content the view shows, so a signer who read the view signs
    with `expected_hash=content_hash`."""

    view: ObservationView
    signatures: list[SignatureView]
    addenda: list[AddendumView]
    content_hash: str
    problem: str | None = None
    """Why the record no longer holds together as signed (observer.records.seals), if so."""
    countersigner: bool = False
    """Whether the person asked about may be offered the countersignature."""

    @property
    def next_role(self) -> SignatureRole | None:
        """Who signs next: the observer, then the practitioner, then (optionally) a manager."""
        return _next_role({g.role for g in self.signatures})


def no_endorser() -> Endorser | None:
    return None


class SignOff:
    """Sign-off and addenda. `endorser` gives this laptop's signing identity, whose digital
    signature each sign-off and addendum made here carries (None: none can be opened, and
    they are made without one, to stay on this laptop)."""

    def __init__(
        self,
        db: Database,
        actor: Callable[[], str],
        endorser: Callable[[], Endorser | None] = no_endorser,
    ) -> None:
        self._db = db
        self._actor = actor
        self._endorser = endorser

    def signed_record(
        self, observation_id: uuid.UUID, *, user: uuid.UUID | None = None
    ) -> SignedRecord:
        """What a summary shows of a record, or the people signing it read, from one read
        (a history reads hundreds); with `user` (this laptop's), whether they may be offered
        the countersignature (observer/records/countersigners.py)."""
        with self._db.session() as s:
            return signed_record_in(s, observation_id, user=user)

    def signed_states(
        self, observation_ids: Collection[uuid.UUID] | None
    ) -> dict[uuid.UUID, SignedState]:
        """The current hashes of these records (or of every record with a signature or
        addendum), for the audit trail's check (observer.governance.signed_records)."""
        states: dict[uuid.UUID, SignedState] = {}
        with self._db.session() as s:
            if observation_ids is None:
                signed = select(Signature.observation_id).union(select(Addendum.observation_id))
                ids = list(s.scalars(signed))
            else:
                ids = list(observation_ids)
            known = record_fingerprints_in(s)
            since = own_identity_since_in(s)
            for start in range(0, len(ids), 500):
                query = (
                    select(Observation)
                    .where(Observation.id.in_(ids[start : start + 500]))
                    .options(*OBSERVATION_LOAD_OPTIONS)
                )
                for observation in s.scalars(query):
                    states[observation.id] = _state(observation, known, since)
                s.expunge_all()
        return states

    def current_hash(self, observation_id: uuid.UUID) -> str:
        with self._db.session() as s:
            return record_hash(self._load(s, observation_id))

    def signatures(self, observation_id: uuid.UUID) -> list[SignatureView]:
        with self._db.session() as s:
            return [_signature_view(g) for g in _in_order(self._load(s, observation_id))]

    def addenda(self, observation_id: uuid.UUID) -> list[AddendumView]:
        with self._db.session() as s:
            observation = self._load(s, observation_id)
            return [
                _addendum_view(a) for a in sorted(observation.addenda, key=lambda a: a.signed_at)
            ]

    def next_role(self, observation_id: uuid.UUID) -> SignatureRole | None:
        """Who signs next: the observer, then the practitioner, then (optionally) a manager."""
        with self._db.session() as s:
            signed = {SignatureRole(g.role) for g in self._load(s, observation_id).signatures}
        return _next_role(signed)

    def check_signer(self, observation_id: uuid.UUID, role: SignatureRole, name: str) -> None:
        """Whether `name` may sign in `role` (InvalidInput for no name, WrongSigner for
        someone else), so a signer is told before being asked to confirm; `sign` checks again."""
        name = _name(name)
        with self._db.session() as s:
            _check_signer(s, self._load(s, observation_id), role, name)

    def sign(
        self,
        observation_id: uuid.UUID,
        role: SignatureRole,
        name: str,
        *,
        drawing_png: bytes | None = None,
        comment: str = "",
        expected_hash: str | None = None,
    ) -> SignatureView:
        """Signs in `role`; with `expected_hash` (the `content_hash` of the `signed_record`
        the signer read), only if the record is still what the signer read: another window
        or laptop may have changed it since, and then nothing is signed (StaleRecord)."""
        name = _name(name)
        comment = _limited(comment, MAX_COMMENT, "The comment")
        _drawing(drawing_png)
        try:
            return self._sign(observation_id, role, name, drawing_png, comment, expected_hash)
        except StaleDataError:
            # Another save committed between this read and this write.
            raise StaleRecord(CHANGED_SINCE_READ) from None

    def _sign(
        self,
        observation_id: uuid.UUID,
        role: SignatureRole,
        name: str,
        drawing_png: bytes | None,
        comment: str,
        expected_hash: str | None,
    ) -> SignatureView:
        with self._db.session() as s, s.begin():
            observation = self._load(s, observation_id)
            # Before the turn and readiness checks: a signer whose record changed under
            # them is told that first, and reads the new version.
            if expected_hash is not None and expected_hash != record_hash(observation):
                raise StaleRecord(CHANGED_SINCE_READ)
            signed = {SignatureRole(g.role) for g in observation.signatures}
            _check_turn(observation, role, signed)
            _check_signer(s, observation, role, name)
            if role is SignatureRole.OBSERVER:
                observation.shown_at_signing = shown_at_signing(observation)
            if role is SignatureRole.OBSERVER or observation.wording_at_signing is None:
                observation.wording_at_signing = wording_at_signing(
                    observation, observation.shown_at_signing or shown_at_signing(observation)
                )
            digest = record_hash(observation)
            if expected_hash is not None and expected_hash != digest:
                raise StaleRecord(CHANGED_SINCE_READ)  # what is signed is what was shown
            signature = Signature(
                id=uuid.uuid4(),
                role=role.value,
                name=name,
                image_png=drawing_png,
                signed_at=utc_now(),
                comment=comment,
                content_hash=digest,
            )
            signature.own_hash = signature_own_hash(signature, observation.wording_at_signing)
            self._endorse(s, signature)
            observation.signatures.append(signature)
            if role is SignatureRole.OBSERVER and observation.status == Status.DRAFT.value:
                observation.status = Status.READY.value
            if role is SignatureRole.PRACTITIONER:
                observation.status = Status.SIGNED.value
            observation.updated_at = utc_now()
            s.flush()
            record_event(
                s,
                actor=self._actor(),
                action=f"sign:{role.value}",
                record_type="observation",
                record_id=observation.id,
                content_hash=digest,
                detail=sign_off_detail("signature", signature.own_hash),
            )
            log.info("observation %s signed by the %s", observation.id, role.value)
            return _signature_view(signature)

    def add_addendum(
        self,
        observation_id: uuid.UUID,
        text: str,
        author_name: str,
        *,
        drawing_png: bytes | None = None,
    ) -> AddendumView:
        """A dated, signed correction to a locked record; the record itself never changes."""
        author_name = _name(author_name)
        text = _limited(text, MAX_ADDENDUM, "The addendum")
        if not text.strip():
            raise InvalidInput("An addendum needs some text.")
        _drawing(drawing_png)
        with self._db.session() as s, s.begin():
            observation = self._load(s, observation_id)
            if observation.status != Status.SIGNED.value:
                raise InvalidInput(
                    "Addenda are for signed records; change this one in the editor instead."
                )
            digest = record_hash(observation)
            addendum = Addendum(
                id=uuid.uuid4(),
                text=text,
                author_name=author_name,
                image_png=drawing_png,
                signed_at=utc_now(),
                content_hash=digest,
            )
            addendum.own_hash = addendum_own_hash(addendum, observation.wording_at_signing)
            self._endorse(s, addendum)
            observation.addenda.append(addendum)
            s.flush()
            record_event(
                s,
                actor=self._actor(),
                action="addendum",
                record_type="observation",
                record_id=observation.id,
                content_hash=digest,
                detail=sign_off_detail("addendum", addendum.own_hash),
            )
            return _addendum_view(addendum)

    def _endorse(self, s: Session, entry: Signature | Addendum) -> None:
        """This laptop's digital signature on the sign-off's own hash, when its identity
        can be opened; its certificate is then one this laptop knows, so its own bundles
        come back in."""
        endorser = self._endorser()
        if endorser is None:
            if own_identity_since_in(s) is not None:
                raise IdentityUnavailable(
                    "This laptop's signing identity could not be opened, and what is signed "
                    "here must carry its digital signature, so nothing was signed."
                )
            return
        entry.certificate = endorser.certificate
        entry.digital_signature = endorse(endorser, entry.own_hash)
        if not is_known_in(s, endorser.fingerprint):
            add_in(s, endorser.certificate, OWN_IDENTITY, self._actor())

    @staticmethod
    def _load(s: Session, observation_id: uuid.UUID) -> Observation:
        observation = s.scalars(
            select(Observation)
            .where(Observation.id == observation_id)
            .options(*ONE_OBSERVATION_LOAD_OPTIONS)
            .execution_options(populate_existing=True)
        ).one_or_none()
        if observation is None:
            raise NotFound("That observation is not in this store.")
        return observation


def signed_record_in(
    s: Session, observation_id: uuid.UUID, *, user: uuid.UUID | None = None
) -> SignedRecord:
    """`SignOff.signed_record` in the caller's session, so that a caller reading more (a
    summary: the laptop's user, the sample flag) reads it all in one snapshot."""
    observation = SignOff._load(s, observation_id)
    digest = record_hash(observation)
    return SignedRecord(
        view=observation_view(s, observation),
        signatures=[_signature_view(g) for g in _in_order(observation)],
        addenda=[_addendum_view(a) for a in sorted(observation.addenda, key=lambda a: a.signed_at)],
        content_hash=digest,
        problem=_problem(s, observation, digest),
        countersigner=manages_the_workers_team(s, observation, user),
    )


def _state(
    observation: Observation,
    known: Collection[str],
    identity_since: int | None,
    digest: str | None = None,
) -> SignedState:
    entries: list[Signature | Addendum] = [*observation.signatures, *observation.addenda]
    return SignedState(
        content_hash=record_hash(observation) if digest is None else digest,
        own_hashes=frozenset(e.own_hash for e in entries),
        unsigned=frozenset(e.own_hash for e in entries if e.digital_signature is None),
        unknown_certificates=sum(
            1
            for e in entries
            if e.digital_signature is not None
            and (e.certificate is None or certificate_fingerprint(e.certificate) not in known)
        ),
        identity_since=identity_since,
    )


def _problem(s: Session, observation: Observation, digest: str) -> str | None:
    """Why a record with signatures no longer holds together: its own hashes, or the audit
    trail's record of its sign-off."""
    if not observation.signatures and not observation.addenda:
        return None
    known = record_fingerprints_in(s)
    found = seal_problem(observation, digest, known)
    if found is not None:
        return found.sentence
    recorded = recorded_sign_offs(s, [observation.id]).get(observation.id, [])
    state = _state(observation, known, own_identity_since_in(s), digest)
    if next(disagreements(observation.id, state, recorded), None) is not None:
        return "the record or its sign-off is not what the audit trail recorded"
    return None


def _next_role(signed: set[SignatureRole]) -> SignatureRole | None:
    return next((role for role in ROLE_ORDER if role not in signed), None)


def _check_turn(observation: Observation, role: SignatureRole, signed: set[SignatureRole]) -> None:
    if role in signed:
        raise InvalidInput(f"The {ROLE_LABELS[role].lower()} has already signed this record.")
    if role is SignatureRole.OBSERVER:
        session = Session.object_session(observation)
        assert session is not None
        missing = missing_for_sign_off(observation_view(session, observation))
        if missing:
            raise NotReady(missing)
    elif role is SignatureRole.PRACTITIONER:
        if SignatureRole.OBSERVER not in signed:
            raise InvalidInput("The observer signs first; then the practitioner.")
    elif observation.status != Status.SIGNED.value:
        raise InvalidInput("A manager countersigns once the observer and the practitioner have.")
    if role is not SignatureRole.MANAGER and observation.status == Status.SIGNED.value:
        raise RecordLocked("This observation is signed and locked; add an addendum instead.")


def _check_signer(s: Session, observation: Observation, role: SignatureRole, name: str) -> None:
    """The observer's signature is the record's observer's, the practitioner's the person
    observed (case, accents and spacing aside: observer.text.searchable); a countersignature
    is a team manager's in this store. The name kept is the one typed."""
    typed = searchable(name)
    if role is SignatureRole.MANAGER:
        managers = s.scalars(
            select(Person.name).where(
                Person.role == Role.TEAM_MANAGER.value, Person.active.is_(True)
            )
        )
        if not any(searchable(m) == typed for m in managers):
            raise WrongSigner(
                "Only a team manager in this store can countersign, and none is called "
                "that; nothing was signed."
            )
        return
    expected = expected_signer(observation, role) or ""
    person = observation.observer if role is SignatureRole.OBSERVER else observation.observed_person
    # The name the record shows, or the person's name today if they have been renamed since.
    if typed not in {searchable(expected), searchable(person.name)}:
        who = "the record's observer" if role is SignatureRole.OBSERVER else "the person observed"
        raise WrongSigner(
            f"Only {expected}, {who}, can sign as the {ROLE_LABELS[role].lower()}; "
            "nothing was signed."
        )


def _in_order(observation: Observation) -> list[Signature]:
    rank = {role.value: n for n, role in enumerate(ROLE_ORDER)}
    return sorted(observation.signatures, key=lambda g: (rank.get(g.role, 9), g.signed_at))


def _signature_view(g: Signature) -> SignatureView:
    return SignatureView(
        role=SignatureRole(g.role),
        name=g.name,
        signed_at=g.signed_at,
        comment=g.comment,
        content_hash=g.content_hash,
        drawing_png=g.image_png,
    )


def _addendum_view(a: Addendum) -> AddendumView:
    return AddendumView(
        id=a.id,
        text=a.text,
        author_name=a.author_name,
        signed_at=a.signed_at,
        content_hash=a.content_hash,
        drawing_png=a.image_png,
    )


def _name(value: str) -> str:
    name = " ".join(str(value).split())
    if not name:
        raise InvalidInput("Type your name to sign.")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"A name is longer than {MAX_NAME} characters.")
    return name


def _limited(value: str, limit: int, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text.")
    if len(value) > limit:
        raise InvalidInput(f"{what} is longer than {limit:,} characters.")
    return value


def _drawing(png: bytes | None) -> None:
    if png is None:
        return
    if not isinstance(png, bytes) or not png.startswith(PNG_MAGIC):
        raise InvalidInput("A drawn signature must be a PNG image.")
    if len(png) > MAX_DRAWING_BYTES:
        raise InvalidInput("A drawn signature is larger than 1 MB.")
