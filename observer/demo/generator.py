"""Realistic, fictional sample data, so a newcomer (and a benchmark) sees something real.

Rows are built as plain dictionaries and written with bulk inserts in chunks, which
keeps 100,000 observations within a couple of minutes on a laptop.
"""

from __future__ import annotations

import logging
import random
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, selectinload

from observer.demo import corpus
from observer.governance.audit import EventFields, record_events
from observer.governance.signed_records import sign_off_detail
from observer.records.canonical import (
    OBSERVATION_LOAD_OPTIONS,
    content_hash,
    observation_document,
)
from observer.records.recording import TEXT_FIELDS
from observer.records.seals import signature_own_hash, wording_at_signing
from observer.records.sign_off import shown_at_signing
from observer.services import Services
from observer.signing.endorsement import endorse
from observer.store.models import (
    Action,
    Framework,
    Observation,
    Person,
    Rating,
    Signature,
    Team,
    table_of,
    utc_now,
)
from observer.store.sample import mark_sample_store
from observer.store.wording import keep as keep_wording
from observer.store.wording import stored_columns as stored_wording
from observer.vocabulary import ActionStatus, Kind, Role, Status

log = logging.getLogger(__name__)

CHUNK = 2000
HISTORY_DAYS = 730
WORKER_ROLES = (
    (Role.SOCIAL_WORKER, 60),
    (Role.ASYE, 15),
    (Role.SENIOR_PRACTITIONER, 15),
    (Role.FAMILY_SUPPORT_WORKER, 10),
)
PRACTICE_KINDS = (
    (Kind.HOME_VISIT, 35),
    (Kind.DIRECT_WORK, 25),
    (Kind.PARENTS_MEETING, 12),
    (Kind.CHILD_PROTECTION_MEETING, 12),
    (Kind.OTHER, 4),
)
SUPERVISION_KINDS = ((Kind.SUPERVISION_INDIVIDUAL, 8), (Kind.SUPERVISION_GROUP, 4))


# Evidence that reads as a concern goes with ratings below Good, the rest with Good and above,
# so the sample records read as a practice lead would write them.
CONCERN_MARKERS = ("did not", "had not been", "tendency to", "ran over", "lacked")
WEAK_POSITION = 2  # the scale's third level, Requires improvement, and below


def _by_tone(pool: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    concerns = tuple(s for s in pool if any(m in s for m in CONCERN_MARKERS))
    return tuple(s for s in pool if s not in concerns), concerns


DIRECT_WORK_EVIDENCE = _by_tone(corpus.EVIDENCE)
SUPERVISION_EVIDENCE = _by_tone(corpus.SUPERVISION_EVIDENCE)
SUPERVISEES = {
    Kind.SUPERVISION_INDIVIDUAL: "Social worker (supervisee)",
    Kind.SUPERVISION_GROUP: "Three team colleagues (group supervision)",
}


@dataclass(frozen=True)
class DemoSummary:
    teams: int
    people: int
    observations: int


@dataclass
class _Scale:
    framework_id: uuid.UUID
    key: str
    version: int
    standards: list[tuple[uuid.UUID, str]]
    levels: list[tuple[uuid.UUID, str]]  # best first
    not_observed: tuple[uuid.UUID, str] | None


@dataclass
class _Worker:
    id: uuid.UUID
    role: Role
    ability: float  # 0 (struggling) .. 3 (excellent), drifts upwards over time
    asye_started: date | None = None  # newly qualified workers are observed from then on


T = TypeVar("T")


def _script(name: str) -> str:
    """GREEK, CYRILLIC or LATIN: names are not mixed across scripts."""
    return unicodedata.name(name[0], "LATIN").split()[0]


_SURNAMES_BY_SCRIPT: dict[str, list[str]] = {}
for _surname in corpus.SURNAMES:
    _SURNAMES_BY_SCRIPT.setdefault(_script(_surname), []).append(_surname)
for _first in corpus.FIRST_NAMES:
    _SURNAMES_BY_SCRIPT.setdefault(_script(_first), _SURNAMES_BY_SCRIPT["LATIN"])


def _weighted(rng: random.Random, options: Sequence[tuple[T, int]]) -> T:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


class _Generator:
    def __init__(self, services: Services, seed: int | None) -> None:
        self.services = services
        self.rng = random.Random(seed)
        self.now = utc_now()
        self.used_names: set[str] = set()
        self.names: dict[uuid.UUID, str] = {}
        # The laptop's signing identity, for the digital signature each sign-off carries:
        # made (and known to this store) first, so what is signed here verifies here at once.
        _make_identity(services)
        self.endorser = services.endorser()

    def name(self) -> str:
        for _ in range(1000):
            first = self.rng.choice(corpus.FIRST_NAMES)
            surnames = _SURNAMES_BY_SCRIPT[_script(first)]
            full = f"{first} {self.rng.choice(surnames)}"
            if full not in self.used_names:
                self.used_names.add(full)
                return full
        return f"{full} {len(self.used_names)}"

    def sentences(self, pool: Sequence[str], low: int = 2, high: int = 4) -> str:
        return " ".join(self.rng.sample(pool, self.rng.randint(low, high)))

    def moment(self, day_offset: float) -> datetime:
        day = (self.now - timedelta(days=day_offset)).date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        start = time(hour=self.rng.randint(9, 16), minute=self.rng.choice((0, 15, 30, 45)))
        moment = datetime.combine(day, start, tzinfo=UTC)
        return moment if moment < self.now else moment - timedelta(days=1)


def _make_identity(services: Services) -> None:
    from observer.errors import ObserverError

    if services.profiles.current() is None or not services.passphrase:
        return
    try:
        services.summaries.prepare_signing()
    except ObserverError as error:
        log.warning("sample data signed without a known identity (%s)", type(error).__name__)


def generate(
    services: Services,
    *,
    workers: int = 40,
    observations: int = 400,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Adds fictional teams, people and observations to the store."""
    if workers < 1 or observations < 0:
        raise ValueError("workers must be at least 1 and observations not negative")
    g = _Generator(services, seed)
    db = services.db
    with db.session() as s:
        g.used_names = set(s.scalars(select(Person.name)))
        scales = _scales(s)
    with db.session() as s, s.begin():
        mark_sample_store(s)  # for good: whatever is exported from here says SAMPLE
        teams, team_count = _teams(s, g, max(3, min(len(corpus.TEAM_NAMES), workers // 8)))
        practitioners, supervisors, observers, people_count = _people(s, g, teams, workers)
    written = 0
    while written < observations:
        batch = min(CHUNK, observations - written)
        with db.session() as s, s.begin():
            _observations(s, g, scales, practitioners, supervisors, observers, batch)
        written += batch
        if progress:
            progress(written, observations)
    log.info("demo data: %d teams, %d people, %d observations", team_count, people_count, written)
    _index_for_search(services)
    return DemoSummary(team_count, people_count, written)


def _index_for_search(services: Services) -> None:
    """Pays for indexing the new records now rather than on the first search."""
    from observer.search.service import update_index

    update_index(services.db)


def add_observations_for(
    services: Services, person_id: uuid.UUID, count: int, *, seed: int | None = None
) -> int:
    """Gives one person `count` more fictional observations: a very busy worker, for the
    review benchmark. Observed by the store's practice leads and team managers."""
    g = _Generator(services, seed)
    with services.db.session() as s, s.begin():
        mark_sample_store(s)
    with services.db.session() as s:
        scales = _scales(s)
        g.names = dict(s.execute(select(Person.id, Person.name)).all())
        person = s.get_one(Person, person_id)
        worker = _Worker(person.id, Role(person.role), g.rng.uniform(0.4, 2.1))
        observers = list(
            s.scalars(
                select(Person.id).where(
                    Person.role.in_([Role.PRACTICE_LEAD.value, Role.TEAM_MANAGER.value]),
                    Person.id != person_id,
                )
            )
        )
    if not observers:
        raise ValueError("the store needs a practice lead or team manager to observe")
    written = 0
    while written < count:
        batch = min(CHUNK, count - written)
        with services.db.session() as s, s.begin():
            _observations(s, g, scales, [worker], [worker], observers, batch)
        written += batch
    return written


def _scales(s: Session) -> dict[str, _Scale]:
    scales = {}
    for f in s.scalars(
        select(Framework)
        .options(selectinload(Framework.standards), selectinload(Framework.levels))
        .order_by(Framework.version)
    ):
        scored = [(lv.id, lv.code) for lv in f.levels if lv.score is not None]
        unscored = [(lv.id, lv.code) for lv in f.levels if lv.score is None]
        scales[f.key] = _Scale(
            f.id,
            f.key,
            f.version,
            [(st.id, st.code) for st in f.standards],
            scored,
            unscored[0] if unscored else None,
        )
    return scales


def _teams(s: Session, g: _Generator, count: int) -> tuple[list[uuid.UUID], int]:
    existing = {t.name: t.id for t in s.scalars(select(Team))}
    ids = []
    for name in corpus.TEAM_NAMES[:count]:
        if name not in existing:
            team = Team(name=name)
            s.add(team)
            s.flush()
            existing[name] = team.id
        ids.append(existing[name])
    return ids, count


def _people(
    s: Session, g: _Generator, teams: list[uuid.UUID], workers: int
) -> tuple[list[_Worker], list[_Worker], list[uuid.UUID], int]:
    rows: list[dict[str, Any]] = []

    def person(role: Role, team: uuid.UUID | None) -> _Worker:
        worker = _Worker(uuid.uuid4(), role, g.rng.uniform(0.4, 2.1))
        if role is Role.ASYE:
            worker.asye_started = (g.now - timedelta(days=g.rng.uniform(20, 340))).date()
        g.names[worker.id] = g.name()
        rows.append(
            {
                "id": worker.id,
                "name": g.names[worker.id],
                "role": role.value,
                "team_id": team,
                "staff_reference": f"SW{g.rng.randint(10000, 99999)}",
                "active": g.rng.random() > 0.04,
                "asye_started_on": worker.asye_started,
                "created_at": g.now,
                "updated_at": g.now,
                "revision": 1,
            }
        )
        return worker

    managers = [person(Role.TEAM_MANAGER, team) for team in teams]
    # Every role appears when there are enough workers: a newcomer sees an ASYE tracker.
    every_role = [role for role, _ in WORKER_ROLES] if workers >= len(WORKER_ROLES) else []

    def practitioner_role(index: int) -> Role:
        drawn = _weighted(g.rng, WORKER_ROLES)
        return every_role[index] if index < len(every_role) else drawn

    practitioners = [person(practitioner_role(i), g.rng.choice(teams)) for i in range(workers)]
    leads = [person(Role.PRACTICE_LEAD, None) for _ in range(max(2, workers // 25))]
    s.execute(insert(table_of(Person)), rows)
    for team, manager in zip(teams, managers, strict=True):
        s.get_one(Team, team).manager_id = manager.id
    supervisors = managers + [w for w in practitioners if w.role is Role.SENIOR_PRACTITIONER]
    observers = [lead.id for lead in leads] + [m.id for m in managers]
    profile = g.services.profiles.current()
    if profile is not None:
        observers.append(profile.person_id)
        g.names[profile.person_id] = profile.name
    return practitioners, supervisors, observers, len(rows)


def _observations(
    s: Session,
    g: _Generator,
    scales: dict[str, _Scale],
    practitioners: list[_Worker],
    supervisors: list[_Worker],
    observers: list[uuid.UUID],
    count: int,
) -> None:
    rng = g.rng
    tables: dict[str, list[dict[str, Any]]] = {
        "observations": [],
        "ratings": [],
        "actions": [],
        "to_sign": [],
    }
    for _ in range(count):
        supervision = rng.random() < 0.12
        kind: Kind = _weighted(rng, SUPERVISION_KINDS if supervision else PRACTICE_KINDS)
        worker = rng.choice(supervisors if supervision else practitioners)
        observer = rng.choice([o for o in observers if o != worker.id] or observers)
        since = (g.now.date() - worker.asye_started).days if worker.asye_started else HISTORY_DAYS
        age = rng.uniform(0, min(HISTORY_DAYS, since))
        observed_at = g.moment(age)
        scale = _scale_for(rng, scales, kind, worker.role)
        status = _status(rng, age)
        _one_observation(g, tables, scale, kind, worker, observer, observed_at, age, status)
    for model in (Observation, Rating, Action):
        rows = tables[table_of(model).name]
        if rows:
            s.execute(insert(table_of(model)), rows)
    _sign(s, g, tables["to_sign"])


def _sign(s: Session, g: _Generator, to_sign: list[dict[str, Any]]) -> None:
    """Both parties sign, each recording the hash of the content as written, with the own
    hashes, digital signatures and audit events that sign-off in the room gives them."""
    by_id = {row["id"]: row for row in to_sign}
    observations = s.scalars(
        select(Observation).where(Observation.id.in_(by_id)).options(*OBSERVATION_LOAD_OPTIONS)
    )
    rows, shown, events = [], [], []
    frameworks: dict[str, dict[str, Any]] = {}
    for o in observations:
        kept = shown_at_signing(o, g.names)
        wording = wording_at_signing(o, kept)
        stored, framework = stored_wording(wording, kept)
        if framework is not None:
            frameworks[stored["wording_digest"]] = framework
        shown.append({"record": o.id, "kept": kept, **stored})
        digest = content_hash({**observation_document(o), "shown_at_signing": kept})
        signed_at = min(o.created_at + timedelta(minutes=g.rng.randint(5, 90)), g.now)
        for role, person_id in (
            ("observer", by_id[o.id]["observer"]),
            ("practitioner", by_id[o.id]["worker"]),
        ):
            row: dict[str, Any] = {
                "id": uuid.uuid4(),
                "observation_id": o.id,
                "role": role,
                "name": g.names[person_id],
                "image_png": None,
                "signed_at": signed_at,
                "comment": "",
                "content_hash": digest,
                "created_at": signed_at,
                "updated_at": signed_at,
                "revision": 1,
            }
            row["own_hash"] = signature_own_hash(Signature(**row), wording)
            if g.endorser is not None:
                row["certificate"] = g.endorser.certificate
                row["digital_signature"] = endorse(g.endorser, row["own_hash"])
            rows.append(row)
            events.append((o.id, role, digest, row["own_hash"]))
    s.expunge_all()
    if rows:
        s.execute(insert(table_of(Signature)), rows)
        keep_wording(s, frameworks)
        observations_table = table_of(Observation)
        s.execute(
            update(observations_table)
            .where(observations_table.c.id == bindparam("record"))
            .values(
                shown_at_signing=bindparam("kept"),
                wording_names=bindparam("wording_names"),
                wording_digest=bindparam("wording_digest"),
            ),
            shown,
        )
    record_events(
        s,
        actor=g.services.actor(),
        events=[
            EventFields(
                f"sign:{role}", "observation", record_id, digest, sign_off_detail("signature", own)
            )
            for record_id, role, digest, own in events
        ],
    )


def _scale_for(rng: random.Random, scales: dict[str, _Scale], kind: Kind, role: Role) -> _Scale:
    if kind.is_supervision:
        return scales["kss-practice-supervisors"]
    if role is Role.ASYE:
        return scales["professional-capabilities-framework"]
    if rng.random() < 0.1:
        return scales["kss-child-and-family-practitioners"]
    return scales["direct-work-practice"]


def _status(rng: random.Random, age_days: float) -> Status:
    if age_days > 30:
        return _weighted(rng, ((Status.SIGNED, 92), (Status.READY, 5), (Status.DRAFT, 3)))
    return _weighted(rng, ((Status.SIGNED, 40), (Status.READY, 30), (Status.DRAFT, 30)))


def _one_observation(
    g: _Generator,
    tables: dict[str, list[dict[str, Any]]],
    scale: _Scale,
    kind: Kind,
    worker: _Worker,
    observer: uuid.UUID,
    observed_at: datetime,
    age: float,
    status: Status,
) -> None:
    rng = g.rng
    oid = uuid.uuid4()
    # Written up within the day or so after, but never after the data is made: a record
    # dated later would count as changed after every backup made meanwhile.
    stamp = min(observed_at + timedelta(hours=rng.uniform(1, 30)), g.now)
    record = {"created_at": stamp, "updated_at": stamp, "revision": 1}
    supervision = kind.is_supervision
    # Practice improves over the two years, with noise around each worker's ability.
    ability = worker.ability + 0.5 * (1 - age / HISTORY_DAYS)
    complete = status is not Status.DRAFT or rng.random() < 0.5
    ratings, scores = [], []
    for index, (standard_id, _code) in enumerate(scale.standards):
        level: tuple[uuid.UUID, str] | None
        if not complete and index >= len(scale.standards) // 2:
            level = None
        elif scale.not_observed and rng.random() < 0.08:
            level = scale.not_observed
        else:
            position = round(min(3.0, max(0.0, 3 - ability + rng.gauss(0, 0.7))))
            position = min(position, len(scale.levels) - 1)
            level = scale.levels[position]
            scores.append(position)
        evidence = ""
        if level is not None and level is not scale.not_observed:
            pools = SUPERVISION_EVIDENCE if supervision else DIRECT_WORK_EVIDENCE
            evidence = g.sentences(pools[position >= WEAK_POSITION], 1, 2)
        ratings.append(
            {
                "id": uuid.uuid4(),
                "observation_id": oid,
                "standard_id": standard_id,
                "level_id": level[0] if level else None,
                "evidence": evidence,
                **record,
            }
        )
    overall = scale.levels[round(sum(scores) / len(scores))] if scores and complete else None
    family = (not supervision and kind is not Kind.CHILD_PROTECTION_MEETING) or rng.random() < 0.3
    text = {
        "case_reference": f"{rng.choice(corpus.CASE_REFERENCE_PREFIXES)}-{rng.randint(1000, 99999)}"
        if not supervision
        else "",
        "others_present": rng.choice(corpus.OTHERS_PRESENT) if family else "",
        "consent_given_by": rng.choice(corpus.CONSENT_GIVEN_BY) if family else "",
        "consent_how": rng.choice(corpus.CONSENT_HOW) if family else "",
        "focus": rng.choice(corpus.SUPERVISION_FOCUS if supervision else corpus.FOCUS),
        "strengths": g.sentences(corpus.SUPERVISION_STRENGTHS if supervision else corpus.STRENGTHS),
        "development_areas": g.sentences(
            corpus.SUPERVISION_DEVELOPMENT_AREAS if supervision else corpus.DEVELOPMENT_AREAS
        ),
        "child_voice": g.sentences(corpus.CHILD_VOICE),
        "family_feedback": g.sentences(corpus.FAMILY_FEEDBACK, 1, 2) if family else "",
        "reflection": g.sentences(corpus.REFLECTION) if complete else "",
        "overall_rationale": g.sentences(corpus.RATIONALE, 1, 3) if overall else "",
    }
    if supervision:
        # No child or family in supervision (observer.records.sections); the words above are
        # still drawn, so that every other record of the sample stays as it was.
        family = False
        text.update(
            others_present=SUPERVISEES[kind],
            consent_given_by="",
            consent_how="",
            child_voice="",
            family_feedback="",
        )
    assert set(text) == set(TEXT_FIELDS)
    observation = {
        "id": oid,
        "observed_person_id": worker.id,
        "observer_id": observer,
        "framework_id": scale.framework_id,
        "kind": kind.value,
        "observed_at": observed_at,
        "duration_minutes": rng.choice((30, 45, 60, 60, 75, 90, 120)),
        "family_present": family,
        "overall_level_id": overall[0] if overall else None,
        "status": status.value,
        **text,
        **record,
    }
    actions = []
    for position in range(rng.choice((0, 1, 1, 2, 2, 3))):
        due = observed_at.date() + timedelta(days=rng.randint(14, 90))
        done = (due < g.now.date() and rng.random() < 0.88) or rng.random() < 0.1
        actions.append(
            {
                "id": uuid.uuid4(),
                "observation_id": oid,
                "description": rng.choice(corpus.ACTIONS),
                "owner_id": worker.id,
                "due_date": due,
                "status": (ActionStatus.DONE if done else ActionStatus.OPEN).value,
                "done_at": min(g.now, datetime.combine(due, time(12), tzinfo=UTC))
                - timedelta(days=rng.randint(0, 10))
                if done
                else None,
                "done_by": "" if not done else "Recorded by the team manager",
                "position": position,
                **record,
            }
        )
    tables["observations"].append(observation)
    tables["actions"].extend(actions)
    tables["ratings"].extend(ratings)
    if status is Status.SIGNED:
        tables["to_sign"].append({"id": oid, "observer": observer, "worker": worker.id})
