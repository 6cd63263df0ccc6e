"""Fills a migrated, empty team server with fictional records at scale, fast and repeatably.

    .venv/bin/python -m benchmarks.server_seed --database URL [--observations 1000000]
        [--workers 20000] [--seed 1]

URL is the tables' owner's (observer_owner). The records read like `observer demo`'s (its
corpus of names and sentences, its mix of kinds, ratings and statuses): teams of about 100
workers, each team with its manager; practice leads who observe; per observation a rating
per standard of its framework, evidence under most, some agreed actions, and the two
signatures of the room on every signed record (most of them). The same seed and sizes give
the same records, ids included, on any machine.

Speed: every table is written with PostgreSQL's COPY, in one transaction, which holds every
table locked (ACCESS EXCLUSIVE) until it ends, so no one else reads or writes meanwhile.
COPY FROM is refused where row-level security applies, and it is forced on every table,
the owner's included: the transaction lifts the forcing (`NO FORCE ROW LEVEL SECURITY`;
the owner then writes as the owner of the table) and forces it again before it commits.
The row triggers are switched off in it too (`DISABLE TRIGGER USER`; foreign keys still
hold, as they are not user triggers), because a trigger per row would restamp the
observation once per rating, action and signature. A rollback undoes both. What the
triggers would have written is written instead, by the same rules (migrations 0002-0004):

- `written_xid` is the loading transaction's own id (`pg_current_xact_id()`);
- `server_revision` comes from `server_revision_seq`, drawn in the order the triggers
  would have drawn it: each observation's parts, then the observation itself, whose
  revision is above theirs (the touch trigger restamps it after each part), and the
  sequence is set past the last one used, so the next stamp follows on;
- nothing the signed-record triggers would refuse is written (a signed record's ratings
  and actions are its own from the start; no row is updated or deleted), and no tombstone
  is owed (nothing is deleted).

Before the commit the triggers are switched on and row-level security forced again, and
both are checked, with the stamps (every row of the transaction, and no revision past the
sequence). Laptops, roles and team
assignments are not made here: a benchmark enrols whom it needs (`enrol_laptops`).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from observer.demo import corpus
from observer.records.frameworks import ID_NAMESPACE, FrameworkDefinition, shipped_frameworks

NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # fixed, so a seed gives the same records
HISTORY_DAYS = 730
TEAM_SIZE = 100
BATCH = 5000  # observations generated and copied at a time
STAMPED = (
    "teams",
    "people",
    "frameworks",
    "standards",
    "rating_levels",
    "observations",
    "ratings",
    "actions",
    "signatures",
)
# The tables written by the million: their indexes and foreign keys are made after the load.
BULK = ("observations", "ratings", "actions", "action_standards", "signatures")
TRIGGERED = (*STAMPED, "action_standards", "addenda", "audit_events", "tombstones", "conflicts")
PRACTICE_KINDS = (
    ("home_visit", 35),
    ("direct_work", 25),
    ("parents_meeting", 12),
    ("child_protection_meeting", 12),
    ("other", 4),
)
WORKER_ROLES = (
    ("social_worker", 60),
    ("asye", 15),
    ("senior_practitioner", 15),
    ("family_support_worker", 10),
)
# Stand-ins of the sizes a laptop's signing identity gives (a DER certificate, an ECDSA
# signature): nothing verifies them here, but every pull carries their bytes.
CERTIFICATE_BYTES = 700
SIGNATURE_BYTES = 72


class SeedRefused(Exception):
    """The database is not one to seed: one sentence."""


@dataclass
class Seeded:
    """Who and what the seed made, for a benchmark to pick its laptops from."""

    observations: int = 0
    ratings: int = 0
    actions: int = 0
    signatures: int = 0
    xid: int = 0
    teams: list[uuid.UUID] = field(default_factory=list)
    managers: list[uuid.UUID] = field(default_factory=list)  # of teams[i]
    leads: list[uuid.UUID] = field(default_factory=list)
    leads_teams: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            **{k: getattr(self, k) for k in ("observations", "ratings", "actions")},
            **{k: getattr(self, k) for k in ("signatures", "xid", "seconds")},
            "teams": [str(t) for t in self.teams],
            "managers": [str(m) for m in self.managers],
            "leads": [str(lead) for lead in self.leads],
            "leads_teams": {str(k): [str(t) for t in v] for k, v in self.leads_teams.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Seeded:
        ids = uuid.UUID
        return cls(
            data["observations"], data["ratings"], data["actions"], data["signatures"],
            data["xid"], [ids(t) for t in data["teams"]], [ids(m) for m in data["managers"]],
            [ids(lead) for lead in data["leads"]],
            {ids(k): [ids(t) for t in v] for k, v in data["leads_teams"].items()},
            data["seconds"],
        )  # fmt: skip


class _Stamps:
    """The stamps the row triggers would have given: this transaction, the next revision."""

    def __init__(self, xid: int, first: int) -> None:
        self.xid = xid
        self.next = first

    def take(self) -> tuple[int, int]:
        revision = self.next
        self.next += 1
        return revision, self.xid


JSON_COLUMNS = frozenset({"default_kinds", "default_roles", "prompts", "shown_at_signing"})


class _Copier:
    """Rows of one table at a time, COPY'd with these columns. psycopg writes each row (in
    C, in COPY's text format); a dict or list goes to a jsonb column."""

    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self.cur = cur

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
        count = 0
        with self.cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            json_at = [i for i, name in enumerate(columns) if name in JSON_COLUMNS]
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = None if row[i] is None else Jsonb(row[i])
                copy.write_row(row)
                count += 1
        return count


@dataclass
class _Scale:
    id: uuid.UUID
    standards: list[uuid.UUID]
    levels: list[uuid.UUID]  # best first
    not_observed: uuid.UUID | None


RECORD = ("id", "created_at", "updated_at", "revision", "server_revision", "written_xid")


def _frameworks(
    copier: _Copier, stamps: _Stamps, definitions: list[FrameworkDefinition]
) -> dict[str, _Scale]:
    frameworks, standards, levels = [], [], []
    scales = {}
    for d in definitions:

        def stable(*parts: object, d: FrameworkDefinition = d) -> uuid.UUID:
            return uuid.uuid5(ID_NAMESPACE, "/".join(str(p) for p in (d.key, d.version, *parts)))

        fid = stable()
        frameworks.append(
            (fid, NOW, NOW, 1, *stamps.take(), d.key, d.version, d.name, d.short_name,
             d.description, d.source, d.in_force_from, d.in_force_until,
             list(d.default_kinds), list(d.default_roles), d.canonical_json(), d.content_hash())
        )  # fmt: skip
        scale = _Scale(fid, [], [], None)
        for i, s in enumerate(d.standards):
            sid = stable("standard", s.code)
            scale.standards.append(sid)
            standards.append(
                (sid, NOW, NOW, 1, *stamps.take(), fid, s.code, s.title, s.summary,
                 list(s.prompts), i)
            )  # fmt: skip
        count = len(d.levels)
        for i, lv in enumerate(d.levels):
            lid = stable("level", lv.code)
            scale.levels.append(lid)
            levels.append(
                (lid, NOW, NOW, 1, *stamps.take(), fid, lv.code, lv.label, lv.description, i,
                 count - i)
            )  # fmt: skip
        if d.not_observed is not None:
            lid = stable("level", d.not_observed.code)
            scale.not_observed = lid
            levels.append(
                (lid, NOW, NOW, 1, *stamps.take(), fid, d.not_observed.code,
                 d.not_observed.label, d.not_observed.description, count, None)
            )  # fmt: skip
        scales[d.key] = scale
    copier.write(
        "frameworks",
        (*RECORD, "key", "version", "name", "short_name", "description", "source",
         "in_force_from", "in_force_until", "default_kinds", "default_roles", "definition",
         "content_hash"),
        frameworks,
    )  # fmt: skip
    copier.write(
        "standards",
        (*RECORD, "framework_id", "code", "title", "summary", "prompts", "position"),
        standards,
    )
    copier.write(
        "rating_levels",
        (*RECORD, "framework_id", "code", "label", "description", "position", "score"),
        levels,
    )
    return scales


@dataclass
class _Worker:
    id: uuid.UUID
    name: str
    role: str
    team: uuid.UUID
    ability: float


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def name(self) -> str:
        rng = self.rng
        for _ in range(20):
            full = f"{rng.choice(corpus.FIRST_NAMES)} {rng.choice(corpus.SURNAMES)}"
            if full not in self.used:
                self.used.add(full)
                return full
        full = f"{full} {len(self.used)}"
        self.used.add(full)
        return full

    def sentences(self, pool: Sequence[str], low: int = 2, high: int = 4) -> str:
        return " ".join(self.rng.sample(pool, self.rng.randint(low, high)))

    def weighted(self, options: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _people(
    copier: _Copier, stamps: _Stamps, g: _Generator, workers: int, seeded: Seeded
) -> tuple[list[_Worker], list[uuid.UUID], dict[uuid.UUID, str]]:
    team_count = max(1, round(workers / TEAM_SIZE))
    names = list(corpus.TEAM_NAMES)
    teams = []
    for i in range(team_count):
        base = names[i % len(names)]
        teams.append((g.uuid(), base if i < len(names) else f"{base} {i // len(names) + 1}"))
    lead_count = max(2, workers // 25)
    people: list[tuple[object, ...]] = []
    named: dict[uuid.UUID, str] = {}

    def person(role: str, team: uuid.UUID | None) -> uuid.UUID:
        pid = g.uuid()
        named[pid] = g.name()
        people.append(
            (pid, NOW, NOW, 1, *stamps.take(), named[pid], role, team,
             f"SW{g.rng.randint(10000, 99999)}", g.rng.random() > 0.04)
        )  # fmt: skip
        return pid

    team_rows = [(tid, NOW, NOW, 1, *stamps.take(), name) for tid, name in teams]
    copier.write("teams", (*RECORD, "name"), team_rows)
    managers = [person("team_manager", tid) for tid, _ in teams]
    practitioners = []
    for i in range(workers):
        team = teams[i % team_count][0]
        role = g.weighted(WORKER_ROLES)
        wid = person(role, team)
        practitioners.append(_Worker(wid, named[wid], role, team, g.rng.uniform(0.4, 2.1)))
    leads = [person("practice_lead", None) for _ in range(lead_count)]
    copier.write(
        "people",
        (*RECORD, "name", "role", "team_id", "staff_reference", "active"),
        people,
    )
    # A team's manager is set once both rows exist, and the team stamped again, as the
    # stamp trigger does on an update.
    copier.cur.executemany(
        "UPDATE teams SET manager_id = %s, server_revision = %s, written_xid = %s WHERE id = %s",
        [(m, *stamps.take(), tid) for (tid, _), m in zip(teams, managers, strict=True)],
    )
    seeded.teams = [tid for tid, _ in teams]
    seeded.managers = managers
    seeded.leads = leads
    # Each practice lead is assigned a few teams (whose workers they observe).
    for lead in leads:
        seeded.leads_teams[lead] = g.rng.sample(seeded.teams, min(3, team_count))
    return practitioners, leads, named


OBSERVATION_COLUMNS = (
    *RECORD, "observed_person_id", "observer_id", "framework_id", "kind", "observed_at",
    "duration_minutes", "case_reference", "others_present", "family_present",
    "consent_given_by", "consent_how", "focus", "strengths", "development_areas",
    "child_voice", "family_feedback", "reflection", "overall_level_id", "overall_rationale",
    "status", "shown_at_signing",
)  # fmt: skip
RATING_COLUMNS = (*RECORD, "observation_id", "standard_id", "level_id", "evidence")
ACTION_COLUMNS = (
    *RECORD, "observation_id", "description", "owner_id", "due_date", "status", "done_at",
    "done_by", "position",
)  # fmt: skip
SIGNATURE_COLUMNS = (
    *RECORD, "observation_id", "role", "name", "signed_at", "comment", "content_hash",
    "own_hash", "certificate", "digital_signature",
)  # fmt: skip


def _batch(
    g: _Generator,
    stamps: _Stamps,
    scales: dict[str, _Scale],
    workers: list[_Worker],
    leads: list[uuid.UUID],
    leads_of_team: dict[uuid.UUID, list[uuid.UUID]],
    named: dict[uuid.UUID, str],
    certificates: dict[uuid.UUID, bytes],
    count: int,
) -> dict[str, list[tuple[object, ...]]]:
    rng = g.rng
    out: dict[str, list[tuple[object, ...]]] = {
        "observations": [],
        "ratings": [],
        "actions": [],
        "action_standards": [],
        "signatures": [],
    }
    for _ in range(count):
        worker = rng.choice(workers)
        observer = rng.choice(leads_of_team.get(worker.team) or leads)
        supervision = rng.random() < 0.12
        kind = (
            rng.choice(("supervision_individual", "supervision_group"))
            if supervision
            else g.weighted(PRACTICE_KINDS)
        )
        if supervision:
            scale = scales["kss-practice-supervisors"]
        elif worker.role == "asye":
            scale = scales["professional-capabilities-framework"]
        else:
            scale = scales[
                "kss-child-and-family-practitioners"
                if rng.random() < 0.1
                else "direct-work-practice"
            ]
        age = rng.uniform(0, HISTORY_DAYS)
        observed_at = (NOW - timedelta(days=age)).replace(
            hour=rng.randint(9, 16), minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0
        )
        if age > 30:
            status = g.weighted((("signed", 92), ("ready", 5), ("draft", 3)))
        else:
            status = g.weighted((("signed", 40), ("ready", 30), ("draft", 30)))
        stamp = min(observed_at + timedelta(hours=rng.uniform(1, 30)), NOW)
        oid = g.uuid()
        complete = status != "draft" or rng.random() < 0.5
        ability = worker.ability + 0.5 * (1 - age / HISTORY_DAYS)
        scores = []
        pool = corpus.SUPERVISION_EVIDENCE if supervision else corpus.EVIDENCE
        for index, standard in enumerate(scale.standards):
            level: uuid.UUID | None
            evidence = ""
            if not complete and index >= len(scale.standards) // 2:
                level = None
            elif scale.not_observed and rng.random() < 0.08:
                level = scale.not_observed
            else:
                position = round(min(3.0, max(0.0, 3 - ability + rng.gauss(0, 0.7))))
                position = min(position, len(scale.levels) - 1)
                level = scale.levels[position]
                scores.append(position)
                evidence = g.sentences(pool, 1, 2)
            out["ratings"].append(
                (g.uuid(), stamp, stamp, 1, *stamps.take(), oid, standard, level, evidence)
            )
        actions = []
        for position in range(rng.choice((0, 1, 1, 2, 2, 3))):
            due = observed_at.date() + timedelta(days=rng.randint(14, 90))
            done = (due < NOW.date() and rng.random() < 0.88) or rng.random() < 0.1
            aid = g.uuid()
            actions.append(aid)
            out["actions"].append(
                (aid, stamp, stamp, 1, *stamps.take(), oid, rng.choice(corpus.ACTIONS),
                 worker.id, due, "done" if done else "open",
                 datetime(due.year, due.month, due.day, 12, tzinfo=UTC) if done else None,
                 "Recorded by the team manager" if done else "", position)
            )  # fmt: skip
            out["action_standards"].append((aid, rng.choice(scale.standards)))
        overall = scale.levels[round(sum(scores) / len(scores))] if scores and complete else None
        family = not supervision and kind != "child_protection_meeting"
        text = {
            "case_reference": ""
            if supervision
            else f"{rng.choice(corpus.CASE_REFERENCE_PREFIXES)}-{rng.randint(1000, 99999)}",
            "others_present": rng.choice(corpus.OTHERS_PRESENT) if family else "",
            "consent_given_by": rng.choice(corpus.CONSENT_GIVEN_BY) if family else "",
            "consent_how": rng.choice(corpus.CONSENT_HOW) if family else "",
            "focus": rng.choice(corpus.SUPERVISION_FOCUS if supervision else corpus.FOCUS),
            "strengths": g.sentences(
                corpus.SUPERVISION_STRENGTHS if supervision else corpus.STRENGTHS
            ),
            "development_areas": g.sentences(
                corpus.SUPERVISION_DEVELOPMENT_AREAS if supervision else corpus.DEVELOPMENT_AREAS
            ),
            "child_voice": "" if supervision else g.sentences(corpus.CHILD_VOICE),
            "family_feedback": g.sentences(corpus.FAMILY_FEEDBACK, 1, 2) if family else "",
            "reflection": g.sentences(corpus.REFLECTION) if complete else "",
            "overall_rationale": g.sentences(corpus.RATIONALE, 1, 3) if overall else "",
        }
        shown = None
        if status == "signed":
            shown = {
                "observed_person": worker.name,
                "observer": named[observer],
                "action_owners": {str(a): worker.name for a in actions},
            }
            digest = hashlib.sha256(f"{oid}{text['strengths']}{overall}".encode()).hexdigest()
            signed_at = min(stamp + timedelta(minutes=rng.randint(5, 90)), NOW)
            for role, person in (("observer", observer), ("practitioner", worker.id)):
                own = hashlib.sha256(f"{digest}{role}".encode()).hexdigest()
                out["signatures"].append(
                    (g.uuid(), signed_at, signed_at, 1, *stamps.take(), oid, role,
                     named[person], signed_at, "", digest, own,
                     certificates[observer] if role == "observer" else None,
                     rng.randbytes(SIGNATURE_BYTES) if role == "observer" else None)
                )  # fmt: skip
        # Last, as the touch trigger leaves it: the observation's revision is above its parts'.
        out["observations"].append(
            (oid, stamp, stamp, 1, *stamps.take(), worker.id, observer, scale.id, kind,
             observed_at, rng.choice((30, 45, 60, 60, 75, 90, 120)), text["case_reference"],
             text["others_present"], family, text["consent_given_by"], text["consent_how"],
             text["focus"], text["strengths"], text["development_areas"], text["child_voice"],
             text["family_feedback"], text["reflection"], overall, text["overall_rationale"],
             status, shown)
        )  # fmt: skip
    return out


def seed(conninfo: str, observations: int, workers: int, seed: int = 1) -> Seeded:
    """Seeds the database at `conninfo` (as the tables' owner); see the module's docstring."""
    if observations < 0 or workers < 1:
        raise SeedRefused("Give at least one worker and no negative number of observations.")
    started = time.perf_counter()
    seeded = Seeded()
    g = _Generator(seed)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        _check_empty(cur)
        for table in TRIGGERED:
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER, NO FORCE ROW LEVEL SECURITY")
        rebuilt = _set_aside_indexes(cur)
        xid, first = cur.execute(
            "SELECT pg_current_xact_id()::text::bigint, nextval('server_revision_seq')"
        ).fetchone()  # type: ignore[misc]
        stamps = _Stamps(xid, first)
        copier = _Copier(cur)
        scales = _frameworks(copier, stamps, shipped_frameworks())
        practitioners, leads, named = _people(copier, stamps, g, workers, seeded)
        leads_of_team: dict[uuid.UUID, list[uuid.UUID]] = {}
        for lead, teams in seeded.leads_teams.items():
            for team in teams:
                leads_of_team.setdefault(team, []).append(lead)
        certificates = {lead: g.rng.randbytes(CERTIFICATE_BYTES) for lead in leads}
        written = 0
        while written < observations:
            count = min(BATCH, observations - written)
            rows = _batch(
                g, stamps, scales, practitioners, leads, leads_of_team, named, certificates, count
            )
            copier.write("observations", OBSERVATION_COLUMNS, rows["observations"])
            seeded.ratings += copier.write("ratings", RATING_COLUMNS, rows["ratings"])
            seeded.actions += copier.write("actions", ACTION_COLUMNS, rows["actions"])
            copier.write("action_standards", ("action_id", "standard_id"), rows["action_standards"])
            seeded.signatures += copier.write("signatures", SIGNATURE_COLUMNS, rows["signatures"])
            written += count
        _rebuild(cur, rebuilt)
        cur.execute("SELECT setval('server_revision_seq', %s)", (stamps.next - 1,))
        for table in TRIGGERED:
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER, FORCE ROW LEVEL SECURITY")
        _check_stamps(cur, xid, stamps.next - 1)
        _check_guarded(cur)
        seeded.observations, seeded.xid = written, xid
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    seeded.seconds = time.perf_counter() - started
    return seeded


def _set_aside_indexes(cur: psycopg.Cursor[Any]) -> list[str]:
    """Drops the indexes and constraints (keys, unique, foreign keys: those of the tables
    written by the million, and those that refer to them) and returns the statements that
    make them again, in order. Built once over the loaded rows, each foreign key checked in
    one pass, they cost a fraction of maintaining them row by row; `_rebuild` makes them in
    the same transaction, so a rollback leaves them as they were."""
    bulk = list(BULK)
    found = cur.execute(
        "SELECT CASE contype WHEN 'f' THEN 3 ELSE 1 END, 'ALTER TABLE ' || conrelid::regclass"
        " || ' ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid),"
        " 'ALTER TABLE ' || conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(conname)"
        " FROM pg_constraint WHERE (contype IN ('p', 'u', 'f')"
        " AND conrelid::regclass::text = ANY(%s))"
        " OR (contype = 'f' AND confrelid::regclass::text = ANY(%s))"
        " UNION ALL"
        " SELECT 2, pg_get_indexdef(i.indexrelid), 'DROP INDEX ' || i.indexrelid::regclass"
        " FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        (bulk, bulk, bulk),
    ).fetchall()
    for _, _, drop in sorted(found, key=lambda row: -row[0]):  # foreign keys first
        cur.execute(drop)
    return [make for _, make, _ in sorted(found, key=lambda row: row[0])]


def _rebuild(cur: psycopg.Cursor[Any], statements: list[str]) -> None:
    for statement in statements:
        cur.execute(statement)


def _check_empty(cur: psycopg.Cursor[Any]) -> None:
    try:
        found = cur.execute(
            "SELECT (SELECT count(*) FROM people) + (SELECT count(*) FROM observations)"
            " + (SELECT count(*) FROM frameworks)"
        ).fetchone()
    except psycopg.errors.UndefinedTable:
        raise SeedRefused("The database has no team server schema: run migrate first.") from None
    if found and found[0]:
        raise SeedRefused(
            "The database already holds records: seed a new, migrated, empty database."
        )


def _check_stamps(cur: psycopg.Cursor[Any], xid: int, last: int) -> None:
    for table in STAMPED:
        wrong = cur.execute(
            f"SELECT count(*) FROM {table} WHERE written_xid <> %s OR server_revision > %s",
            (xid, last),
        ).fetchone()
        if wrong and wrong[0]:
            raise AssertionError(f"{wrong[0]} rows of {table} carry stamps the triggers would not")


def _check_guarded(cur: psycopg.Cursor[Any]) -> None:
    """Every table forced through row-level security and every trigger on again, as
    migrate left them."""
    loose = cur.execute(
        "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%s) AND NOT ("
        "c.relrowsecurity AND c.relforcerowsecurity) UNION "
        "SELECT t.tgrelid::regclass::text FROM pg_trigger t WHERE NOT t.tgisinternal "
        "AND t.tgenabled = 'D'",
        (list(TRIGGERED),),
    ).fetchall()
    if loose:
        raise AssertionError(f"left unguarded: {sorted(r[0] for r in loose)}")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="the owner's URL or conninfo")
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    conninfo = args.database.replace("postgresql+psycopg://", "postgresql://")
    try:
        seeded = seed(conninfo, args.observations, args.workers, args.seed)
    except (SeedRefused, psycopg.OperationalError) as exc:
        print(str(exc).strip().splitlines()[0], file=sys.stderr)
        return 2
    print(
        f"Seeded {seeded.observations:,} observations ({seeded.ratings:,} ratings, "
        f"{seeded.actions:,} actions, {seeded.signatures:,} signatures) of "
        f"{args.workers:,} workers in {len(seeded.teams)} teams in {seeded.seconds:.0f} s."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
