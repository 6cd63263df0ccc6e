"""A Hypothesis state machine across three laptops (two practice leads of one team and its
manager) on a real team server (PostgreSQL and the Starlette app under uvicorn): random
drafts, edits, ratings, sign-offs, countersignatures, addenda, action progress, deleted
drafts, bundles carried from one laptop to another (a record in one whose worker is
outside the importing user's teams is left out), pushes, pulls and syncs, and the
server's retention: a worker's leaving recorded on the server, and its administrator's
`retention apply` under a policy that makes it due or not, at any point, also while a
laptop holds changes of a record it then removes (tests/support/team_retention.py).
After a full sync of all three, the invariants of issue 16 must hold
(tests/support/team_world.py), and of retention: a removed record is nowhere but in its
id-only tombstone (no server table, store table, outbox or search holds a word typed in
it), and each laptop that held changes of it when it learnt of the removal shows the
refusal's one sentence among its refused changes; no other word typed vanished.

Fast by default (a fixed set of examples, for the suite); OBSERVER_DEEP_SYNC=1 runs many
more, longer, random ones; OBSERVER_NO_SHRINK=1 reports the first failing story as found
(shrinking one takes minutes, each step being real syncs).
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from observer.errors import ObserverError
from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.server import enrolment
from observer.services import Services
from observer.store.models import Observation
from observer.vocabulary import Kind, SignatureRole, Status
from tests.support.core import CONSENT, WHEN
from tests.support.signing import CODES
from tests.support.sync import LiveServer
from tests.support.team_retention import (
    apply_retention,
    found_by_search,
    laptop_text,
    not_refused,
    outbox_of,
    record_leaving,
    refusals,
    server_text,
    sync_records_of,
)
from tests.support.team_world import (
    LAPTOPS,
    LEAD_A,
    LEAD_B,
    MANAGER,
    TEAM,
    WORKERS,
    World,
    check_audit,
    check_same_as_server,
    check_signatures,
    clone_database,
    conflict_words,
    copy_world,
    laptop_records,
    make_world,
    pull,
    push,
    server_records,
    sync_until_quiet,
)

DEEP = os.environ.get("OBSERVER_DEEP_SYNC") == "1"
FAST = settings(
    max_examples=8,
    stateful_step_count=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
SLOW = settings(FAST, max_examples=40, stateful_step_count=40, derandomize=False)
WORLD_DB = "sync_world"
FIELDS = ("strengths", "development_areas", "child_voice", "reflection")
WRITERS = {"A": LEAD_A, "B": LEAD_B}
LEFT_LONG_AGO = next(name for name, team in WORKERS.items() if team == TEAM)


@dataclass
class Typed:
    """What the model knows of one record: who wrote it, of whom, and every word typed in
    it (by field), and what a deleting laptop held when it deleted it."""

    writer: str
    worker: str
    words: dict[str, list[str]] = field(default_factory=dict)
    deleted_words: set[str] = field(default_factory=set)
    deleted: bool = False


class Server:
    """The world made once for the test: its server database is a template, its laptops'
    folders are copied for each example."""

    def __init__(self, live: LiveServer, made: Path, ids: Any, root: Path) -> None:
        self.live, self.made, self.ids, self.root = live, made, ids, root
        self.examples = itertools.count(1)


def code_for(live: LiveServer) -> Any:
    def make(name: str, role: str, teams: tuple[str, ...]) -> str:
        with live.db.owner.begin() as conn:
            try:
                enrolment.find_person(conn, name)
            except ObserverError:
                live.db.person(name, role=role)
        with live.db.owner.begin() as conn:
            return enrolment.enrol(conn, name, role, teams).code

    return make


@pytest.fixture
def team_server(live_server: LiveServer, tmp_path: Path, _template_store: Path) -> Iterator[Server]:
    made = tmp_path / "made"
    made.mkdir()
    ids = make_world(made, _template_store, live_server.db, live_server.url, code_for(live_server))
    live_server.db.owner.dispose()
    live_server.db.service.dispose()
    clone_database(live_server.db.cluster, live_server.db.name, WORLD_DB)
    yield Server(live_server, made, ids, tmp_path)
    with psycopg.connect(live_server.db.cluster.conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {WORLD_DB} WITH (FORCE)")


class TeamSync(RuleBasedStateMachine):
    server: Server

    records = Bundle("records")

    def __init__(self) -> None:
        super().__init__()
        server = self.server
        server.live.db.owner.dispose()
        server.live.db.service.dispose()
        clone_database(server.live.db.cluster, WORLD_DB, server.live.db.name)
        folder = server.root / f"example-{next(server.examples)}"
        folder.mkdir()
        self.world = World(
            server.live.db, server.live.url, server.ids, copy_world(server.made, folder)
        )
        self.folder = folder
        self.typed: dict[uuid.UUID, Typed] = {}
        self.words = itertools.count(1)
        # Removed by the server's retention, and, by laptop, those it held changes of when
        # it learnt of their removal (it must show the refusal) or ever did (it may).
        self.removed: set[uuid.UUID] = set()
        self.must_tell: dict[str, set[uuid.UUID]] = {letter: set() for letter in LAPTOPS}
        self.may_tell: dict[str, set[uuid.UUID]] = {letter: set() for letter in LAPTOPS}
        # One worker of the team left long ago; the policy keeps everything until the
        # administrator sets one (so one retention step is enough to remove records).
        record_leaving(self.world.db, self.world.ids.people[LEFT_LONG_AGO], True)

    def teardown(self) -> None:
        try:
            if hasattr(self, "world"):
                self.check_after_full_sync()
        finally:
            if hasattr(self, "world"):
                self.world.close()
                shutil.rmtree(self.folder, ignore_errors=True)

    # Helpers

    def laptop(self, letter: str) -> Services:
        return self.world.laptops[letter]

    def word(self) -> str:
        return f"word{next(self.words)}x"

    def held(self, letter: str, record: uuid.UUID) -> Observation | None:
        with self.laptop(letter).db.session() as s:
            found = s.get(Observation, record)
            if found is not None:
                s.expunge(found)
            return found

    def type_into(self, record: uuid.UUID, target: str, word: str) -> None:
        self.typed[record].words.setdefault(target, []).append(word)

    # Rules

    @rule(
        target=records,
        writer=st.sampled_from(sorted(WRITERS)),
        worker=st.sampled_from(sorted(WORKERS)),
    )
    def create_draft(self, writer: str, worker: str) -> uuid.UUID:
        laptop = self.laptop(writer)
        me = laptop.profiles.current().person_id  # type: ignore[union-attr]
        words = {name: self.word() for name in ("strengths", "overall_rationale", "evidence")}
        record = laptop.recording.create_draft(
            DraftDetails(self.world.ids.people[worker], me, Kind.HOME_VISIT, WHEN, **CONSENT)
        )
        laptop.recording.update(
            record,
            {
                "strengths": words["strengths"],
                "overall_level": "good",
                "overall_rationale": words["overall_rationale"],
            },
        )
        for code in CODES:
            laptop.recording.set_rating(record, code, level_code="good", evidence=words["evidence"])
        laptop.recording.add_action(record, "Read the chronology", self.world.ids.people[worker])
        self.typed[record] = Typed(writer, worker)
        self.type_into(record, "strengths", words["strengths"])
        self.type_into(record, "overall_rationale", words["overall_rationale"])
        self.type_into(record, "evidence", words["evidence"])
        return record

    @initialize(target=records, writer=st.sampled_from(sorted(WRITERS)))
    def a_record_of_the_worker_who_left_is_on_the_server(self, writer: str) -> uuid.UUID:
        """So that one retention step is enough to remove something, every story starts
        with a record the policy makes due, once the administrator sets it, and an edit of
        it not yet sent."""
        record = self.create_draft(writer, LEFT_LONG_AGO)
        push(self.laptop(writer))
        self.edit_text(record, "reflection")
        return record

    def editable_on_writer(self, record: uuid.UUID) -> Observation | None:
        found = self.held(self.typed[record].writer, record)
        if found is None or found.status == Status.SIGNED.value:
            return None
        with self.laptop(self.typed[record].writer).db.session() as s:
            signed = s.get(Observation, record)
            if signed is None or signed.signatures:
                return None
        return found

    @rule(record=records, name=st.sampled_from(FIELDS))
    def edit_text(self, record: uuid.UUID, name: str) -> None:
        found = self.editable_on_writer(record)
        if found is None:
            return
        before = getattr(found, name) or ""
        word = self.word()
        after = f"{before} {word}".strip()
        self.laptop(self.typed[record].writer).recording.save(record, [Change(name, before, after)])
        self.type_into(record, name, word)

    @rule(record=records, code=st.sampled_from(CODES))
    def edit_evidence(self, record: uuid.UUID, code: str) -> None:
        if self.editable_on_writer(record) is None:
            return
        laptop = self.laptop(self.typed[record].writer)
        rating = next(r for r in laptop.recording.get(record).ratings if r.standard_code == code)
        word = self.word()
        target = f"rating:{code}:evidence"
        laptop.recording.save(
            record, [Change(target, rating.evidence, f"{rating.evidence} {word}")]
        )
        self.type_into(record, "evidence", word)

    @rule(
        record=records, code=st.sampled_from(CODES), level=st.sampled_from(["good", "outstanding"])
    )
    def change_rating(self, record: uuid.UUID, code: str, level: str) -> None:
        if self.editable_on_writer(record) is None:
            return
        laptop = self.laptop(self.typed[record].writer)
        rating = next(r for r in laptop.recording.get(record).ratings if r.standard_code == code)
        laptop.recording.save(record, [Change(f"rating:{code}:level", rating.level_code, level)])

    @rule(record=records, ready=st.booleans())
    def ready_or_back_to_draft(self, record: uuid.UUID, ready: bool) -> None:
        if self.editable_on_writer(record) is None:
            return
        recording = self.laptop(self.typed[record].writer).recording
        if ready:
            recording.mark_ready(record)
        else:
            recording.return_to_draft(record)

    @rule(record=records)
    def observer_signs(self, record: uuid.UUID) -> None:
        if self.editable_on_writer(record) is None:
            return
        writer = self.typed[record].writer
        self.laptop(writer).signoff.sign(record, SignatureRole.OBSERVER, WRITERS[writer])

    @rule(record=records)
    def practitioner_signs(self, record: uuid.UUID) -> None:
        laptop = self.laptop(self.typed[record].writer)
        found = self.held(self.typed[record].writer, record)
        if found is None or laptop.signoff.next_role(record) is not SignatureRole.PRACTITIONER:
            return
        laptop.signoff.sign(record, SignatureRole.PRACTITIONER, self.typed[record].worker)

    @rule(record=records)
    def manager_countersigns(self, record: uuid.UUID) -> None:
        manager = self.laptop("M")
        if self.held("M", record) is None or manager.signoff.next_role(record) is not (
            SignatureRole.MANAGER
        ):
            return
        manager.signoff.sign(record, SignatureRole.MANAGER, MANAGER)

    @rule(record=records)
    def add_addendum(self, record: uuid.UUID) -> None:
        writer = self.typed[record].writer
        found = self.held(writer, record)
        if found is None or found.status != Status.SIGNED.value:
            return
        word = self.word()
        self.laptop(writer).signoff.add_addendum(record, f"A correction: {word}", WRITERS[writer])
        self.type_into(record, "addendum", word)

    @rule(record=records, letter=st.sampled_from(LAPTOPS), done=st.booleans())
    def action_progress(self, record: uuid.UUID, letter: str, done: bool) -> None:
        if self.held(letter, record) is None:
            return
        laptop = self.laptop(letter)
        for action in laptop.recording.get(record).actions:
            if done and action.status == "open":
                laptop.actions.complete_action(action.id, laptop.actor())
            elif not done and action.status != "open":
                laptop.actions.reopen_action(action.id, laptop.actor())

    @rule(record=records)
    def delete_draft(self, record: uuid.UUID) -> None:
        if self.editable_on_writer(record) is None:
            return
        writer = self.typed[record].writer
        held = laptop_records(self.laptop(writer))[record]
        self.typed[record].deleted_words |= set(" ".join(_texts(held)).split())
        self.laptop(writer).recording.delete_draft(record)
        self.typed[record].deleted = True

    @rule(
        source=st.sampled_from(LAPTOPS),
        into=st.sampled_from(LAPTOPS),
        worker=st.sampled_from(sorted(WORKERS)),
    )
    def carry_a_bundle(self, source: str, into: str, worker: str) -> None:
        # A record of a worker outside the team that the importing laptop's user did not
        # write is left out: its user may not see it (the server would refuse it).
        if source == into:
            return
        person = self.world.ids.people[worker]
        held = laptop_records(self.laptop(source))
        unseen = sum(
            1
            for record, copy in held.items()
            if copy["observed_person_id"] == person
            and WORKERS[worker] != TEAM
            and self.typed[record].writer != into
        )
        path = self.folder / f"bundle-{self.word()}.json"
        self.laptop(source).bundles.export(path, None, [person])
        result = self.laptop(into).bundles.import_file(path, None)
        assert result.outside_scope == unseen, f"{into} imported a record its user may not see"

    @rule(letter=st.sampled_from(LAPTOPS))
    def laptop_pushes(self, letter: str) -> None:
        waiting = self.changes_of_removed(letter, sent_by_push=True)
        push(self.laptop(letter))
        self.check_told(letter, waiting)

    @rule(letter=st.sampled_from(LAPTOPS))
    def laptop_pulls(self, letter: str) -> None:
        waiting = self.changes_of_removed(letter)
        pull(self.laptop(letter))
        self.check_told(letter, waiting)

    @rule(letter=st.sampled_from(LAPTOPS))
    def laptop_syncs(self, letter: str) -> None:
        waiting = self.changes_of_removed(letter)
        self.laptop(letter).sync.sync()
        self.check_told(letter, waiting)

    # Retention on the server

    @rule(worker=st.sampled_from(sorted(WORKERS)), left=st.booleans())
    def worker_leaves_or_returns(self, worker: str, left: bool) -> None:
        record_leaving(self.world.db, self.world.ids.people[worker], left)

    @rule(years=st.sampled_from([1, 3]))
    def administrator_applies_retention(self, years: int) -> None:
        self.removed |= apply_retention(self.world.db, years)

    def changes_of_removed(self, letter: str, *, sent_by_push: bool = False) -> set[uuid.UUID]:
        """Removed records this laptop holds with changes of them in its outbox (those a
        push sends: waiting; for a pull, refused ones too), but for a refusal told."""
        wanted = ("pending", "sent") if sent_by_push else ("pending", "sent", "refused")
        return {
            record
            for record, entries in outbox_of(self.laptop(letter), self.removed).items()
            if self.held(letter, record) is not None
            and any(e.state in wanted and not _told(e) for e in entries)
        }

    def check_told(self, letter: str, waiting: set[uuid.UUID]) -> None:
        """A laptop that learns of a removal while it holds changes of the record (a pull
        learns of every one, a push of those it sent) shows the refusal, in one sentence,
        and no longer holds the record."""
        self.may_tell[letter] |= waiting
        told = refusals(self.laptop(letter))
        for record in waiting:
            assert record in told, f"laptop {letter} did not say its changes to {record} went"
            assert "removed from the team server" in told[record], told[record]
            assert self.held(letter, record) is None, f"laptop {letter} kept removed {record}"
            self.must_tell[letter].add(record)

    @invariant()
    def changes_to_removed_records_are_noted(self) -> None:
        if hasattr(self, "world"):
            for letter in LAPTOPS:
                self.may_tell[letter] |= self.changes_of_removed(letter)

    # After a full sync

    def check_after_full_sync(self) -> None:
        world = self.world
        waiting = {letter: self.changes_of_removed(letter) for letter in LAPTOPS}
        sync_until_quiet(world.laptops.values())
        for letter in LAPTOPS:
            self.check_told(letter, waiting[letter])
        check_same_as_server(world, self.expected_scope())
        check_signatures(world)
        check_audit(world)
        self.check_no_word_lost()
        self.check_removed_nowhere()

    def expected_scope(self) -> dict[str, set[uuid.UUID]]:
        on_server = set(server_records(self.world.db))
        scope: dict[str, set[uuid.UUID]] = {letter: set() for letter in LAPTOPS}
        for record in on_server:
            typed = self.typed[record]
            in_team = WORKERS[typed.worker] == TEAM
            for letter in LAPTOPS:
                if typed.writer == letter or in_team:
                    scope[letter].add(record)
        return scope

    def check_no_word_lost(self) -> None:
        """Every word typed is in its record or a conflict, unless the record was deleted
        (then only words typed after its deletion's copy would be lost: none may be) or
        removed by retention (then every one of them goes: check_removed_nowhere)."""
        everything = server_records(self.world.db)
        conflicts = conflict_words(self.world.db, self.world.laptops.values())
        for record, typed in self.typed.items():
            typed_words = {w for words in typed.words.values() for w in words}
            if record in self.removed:
                assert record not in everything, f"removed {record} is back on the server"
                continue
            if record not in everything:
                assert typed.deleted, f"{record} vanished though nobody deleted it"
                lost = typed_words - typed.deleted_words
                assert not lost, f"words typed in deleted {record} after its deletion: {lost}"
                continue
            present = " ".join(_texts(everything[record]))
            lost = {w for w in typed_words if w not in present and w not in conflicts}
            assert not lost, f"{record}: typed words vanished: {sorted(lost)}"

    def check_removed_nowhere(self) -> None:
        """A removed record is nowhere but in its id-only tombstone: no table of the server
        or of a store holds a word typed in it, no search finds one, no laptop holds a copy,
        a base, or a change of it waiting; a laptop that held changes of it when it learnt
        of the removal shows the refusal's sentence (those that did not, nothing)."""
        if not self.removed:
            return
        words = {
            word
            for record in self.removed
            for typed in self.typed[record].words.values()
            for word in typed
        }
        held_by_server = server_text(self.world.db)
        assert not {w for w in words if w in held_by_server}, "the server keeps removed words"
        for letter, laptop in self.world.laptops.items():
            stored = laptop_text(laptop)
            kept = {w for w in words if w in stored}
            assert not kept, f"laptop {letter} keeps words of removed records: {sorted(kept)}"
            assert not found_by_search(laptop, words), f"laptop {letter}'s search finds them"
            assert not not_refused(laptop), f"laptop {letter} has changes waiting after its sync"
            for record, entries in outbox_of(laptop, self.removed).items():
                assert all(e.payload is None for e in entries), f"{letter} keeps {record}'s change"
            told = set(refusals(laptop)) & self.removed
            assert self.must_tell[letter] <= told <= self.may_tell[letter], (
                f"laptop {letter} tells of {told}, must {self.must_tell[letter]}"
            )
            for record in self.removed:
                assert self.held(letter, record) is None, f"laptop {letter} holds {record}"
                assert not sync_records_of(laptop, record), f"{letter} keeps {record}'s base"


def _told(entry: Any) -> bool:
    """A refusal kept to be shown, with nothing of the change it refused."""
    return bool(entry.state == "refused" and entry.payload is None)


def _texts(record: dict[str, Any]) -> Iterator[str]:
    from tests.support.team_world import words_in

    return words_in(record)


def test_three_laptops_agree_with_the_server_after_any_story(team_server: Server) -> None:
    TeamSync.server = team_server
    chosen = SLOW if DEEP else FAST
    if os.environ.get("OBSERVER_NO_SHRINK") == "1":
        from hypothesis import Phase

        chosen = settings(chosen, phases=[Phase.generate], report_multiple_bugs=False)
    run_state_machine_as_test(TeamSync, settings=chosen)


def test_bundles_of_a_worker_outside_the_team_leave_no_record_its_user_may_not_see(
    team_server: Server,
) -> None:
    """The story the random ones may miss: lead A's records of the other team's worker, one
    signed, carried by bundle to lead B and to the manager; after a full sync every
    invariant holds (teardown checks them)."""
    TeamSync.server = team_server
    story = TeamSync()
    try:
        worker = next(name for name, team in WORKERS.items() if team != TEAM)
        signed = story.create_draft("A", worker)
        story.create_draft("A", worker)
        story.observer_signs(signed)
        story.laptop_syncs("A")
        story.carry_a_bundle("A", "B", worker)
        story.carry_a_bundle("A", "M", worker)
        story.laptop_syncs("B")
        story.carry_a_bundle("B", "A", worker)
    finally:
        story.teardown()
