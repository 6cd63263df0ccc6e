"""Push, then pull, between real laptops through a real team server: a record written on
one reaches the other; a push retried after the connection dropped once the server had
committed is applied once; a draft deleted on one laptop and edited on another comes back;
a laptop whose clock is two days out does not win by it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from observer.people.directory import PersonDetails
from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.server import schema
from observer.services import Services
from observer.store.models import AuditEvent, Observation, Signature
from observer.store.sync_tables import SENT, sync_outbox
from observer.sync.client import Client, SyncFailed
from observer.sync.push import _next_request, push_all
from observer.sync.service import QUIET
from observer.sync.state import enrolment
from observer.vocabulary import Kind, Role, SignatureRole
from tests.support.core import CONSENT, WHEN
from tests.support.sync import Laptop, LiveServer, lead_with_a_draft

TEAM = "Children in Care"


def second_laptop_of_the_lead(live_server: LiveServer, make_laptop: Laptop) -> Services:
    laptop = make_laptop("Aled Hughes")
    laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    laptop.sync.sync()
    return laptop


def observation(laptop: Services, record: uuid.UUID) -> Observation | None:
    with laptop.db.session() as s:
        return s.get(Observation, record)


def test_a_draft_pushed_from_one_laptop_reaches_the_teams_manager(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    pushed = lead.laptop.sync.sync()
    assert pushed.refused == 0, lead.laptop.sync.status().refused
    assert pushed.pushed >= 5  # framework, team, people, the draft
    assert lead.laptop.sync.status().waiting == 0

    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    manager.sync.join(
        live_server.url, live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    )
    manager.sync.sync()
    found = observation(manager, lead.draft)
    assert found is not None
    assert found.strengths == "Calm with the family."

    lead.laptop.recording.save(
        lead.draft, [Change("strengths", "Calm with the family.", "Calm and kind.")]
    )
    assert lead.laptop.sync.sync().pushed == 1
    manager.sync.sync()
    assert observation(manager, lead.draft).strengths == "Calm and kind."  # type: ignore[union-attr]
    status = lead.laptop.sync.status()
    assert status.last_synced_at is not None
    assert status.waiting == 0


class DropsAnswers(httpx.BaseTransport):
    """Sends each push to the server, then loses the answer, as a dropped connection
    would after the server had committed."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.real.handle_request(request)
        if request.url.path.endswith("/push"):
            response.read()
            response.close()
            raise httpx.ReadError("connection dropped", request=request)
        return response

    def close(self) -> None:
        self.real.close()


def test_a_push_retried_after_a_lost_answer_is_applied_once(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    with lead.laptop.db.session() as s:
        joined = enrolment(s)
    assert joined is not None
    dropping = Client(joined.server, joined.token, transport=DropsAnswers())
    with dropping, pytest.raises(SyncFailed):
        push_all(lead.laptop.db, dropping)
    with lead.laptop.db.session() as s:
        sent = s.execute(select(sync_outbox).where(sync_outbox.c.state == SENT)).all()
    assert sent, "what was sent is kept, with its change id"
    assert all(row.payload["change_id"] == str(row.change_id) for row in sent)

    result = lead.laptop.sync.sync()
    assert result.refused == 0
    assert lead.laptop.sync.status().waiting == 0
    with live_server.db.owner.begin() as conn:
        copies = conn.scalar(select(func.count()).where(schema.observations.c.id == lead.draft))
        applied = conn.scalar(select(func.count()).select_from(schema.applied_changes))
    assert copies == 1
    assert applied == len(sent), "each change applied once, under its one change id"


def test_a_draft_deleted_on_one_laptop_and_edited_on_another_comes_back(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    other = second_laptop_of_the_lead(live_server, make_laptop)
    assert observation(other, lead.draft) is not None

    lead.laptop.recording.delete_draft(lead.draft)
    other.recording.save(
        lead.draft, [Change("strengths", "Calm with the family.", "Edited on the other one.")]
    )
    lead.laptop.sync.sync()  # the delete: the server's copy had not moved on
    with live_server.db.owner.begin() as conn:
        assert conn.scalar(select(func.count()).where(schema.observations.c.id == lead.draft)) == 0
    other.sync.sync()  # the edit brings it back
    lead.laptop.sync.sync()
    back = observation(lead.laptop, lead.draft)
    assert back is not None
    assert back.strengths == "Edited on the other one."


def test_a_laptop_whose_clock_is_two_days_ahead_does_not_win_by_it(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    ahead = second_laptop_of_the_lead(live_server, make_laptop)
    ahead.recording.save(lead.draft, [Change("duration_minutes", None, 45)])
    with ahead.db.session() as s, s.begin():  # its clock stamped the change two days out
        s.execute(
            update(Observation)
            .where(Observation.id == lead.draft)
            .values(updated_at=datetime.now(UTC) + timedelta(days=2))
        )
    ahead.sync.sync()
    lead.laptop.recording.save(lead.draft, [Change("duration_minutes", None, 60)])
    lead.laptop.sync.sync()  # arrives later: it wins, whatever the clocks said
    ahead.sync.sync()
    for laptop in (lead.laptop, ahead):
        assert observation(laptop, lead.draft).duration_minutes == 60  # type: ignore[union-attr]


def test_the_same_words_changed_on_two_laptops_are_a_conflict_on_both(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    other = second_laptop_of_the_lead(live_server, make_laptop)
    base = "Calm with the family."
    lead.laptop.recording.save(lead.draft, [Change("strengths", base, "Calm and warm.")])
    other.recording.save(lead.draft, [Change("strengths", base, "Calm, clear and kind.")])
    lead.laptop.sync.sync()
    assert other.sync.sync().conflicts >= 1
    lead.laptop.sync.sync()
    for laptop in (lead.laptop, other):
        kept = observation(laptop, lead.draft).strengths  # type: ignore[union-attr]
        assert "Calm and warm." in kept
        assert "Calm, clear and kind." in kept
        assert [c.observation_id for c in laptop.sync.conflicts()] == [lead.draft]
        assert laptop.sync.status().open_conflicts == 1
    with lead.laptop.db.session() as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.sequence)).all()
    assert actions.count("sync") == 3


def test_quiet_syncs_leave_both_audit_trails_as_they_were(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """The window syncs every five minutes: one that moved nothing is not audited. Before,
    each wrote an event here that the next pushed and the server receipted, so the two
    trails grew by hundreds of empty events a day a laptop."""
    lead = lead_with_a_draft(live_server, make_laptop)
    laptop = lead.laptop
    laptop.sync.sync()
    laptop.sync.sync()  # sends the first sync's event (only audit: nothing else moved)

    def trails() -> tuple[list[str], int]:
        with laptop.db.session() as s:
            here = s.scalars(select(AuditEvent.action).order_by(AuditEvent.sequence)).all()
        with live_server.db.owner.connect() as conn:
            there = conn.scalar(select(func.count()).select_from(schema.audit_events))
        return list(here), int(there or 0)

    before = trails()
    for _ in range(3):
        assert laptop.sync.sync() == QUIET
    assert trails() == before
    assert laptop.sync.status().last_synced_at is not None

    laptop.recording.save(lead.draft, [Change("duration_minutes", None, 45)])
    assert laptop.sync.sync().pushed == 1
    here, _ = trails()
    assert here[len(before[0]) :] == ["sync"]  # a sync that moved something is audited


class Counting(httpx.BaseTransport):
    """Passes requests on, keeping each push's body."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.pushes: list[dict[str, object]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/push"):
            self.pushes.append(json.loads(request.read()))
        return self.real.handle_request(request)

    def close(self) -> None:
        self.real.close()


def test_a_long_outbox_goes_in_requests_of_at_most_100_changes(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    me = lead.laptop.profiles.current().person_id  # type: ignore[union-attr]
    for day in range(120):
        lead.laptop.recording.create_draft(
            DraftDetails(lead.worker, me, Kind.SUPERVISION_INDIVIDUAL, WHEN + timedelta(days=day))
        )
    with lead.laptop.db.session() as s:
        joined = enrolment(s)
    assert joined is not None
    counting = Counting()
    with Client(joined.server, joined.token, transport=counting) as client:
        pushed = push_all(lead.laptop.db, client)
    assert pushed.refused == 0, lead.laptop.sync.status().refused[:1]
    assert pushed.sent >= 125
    sizes = [len(body["changes"]) for body in counting.pushes]  # type: ignore[arg-type]
    assert max(sizes) == 100
    assert all(len(json.dumps(body).encode()) <= 1024 * 1024 for body in counting.pushes)
    for body in counting.pushes:
        records = [c["record"]["id"] for c in body["changes"] if c["record"]]  # type: ignore[attr-defined,index]
        assert len(records) == len(set(records))


def test_a_record_signed_on_a_colleagues_laptop_arrives_and_its_certificate_is_learnt(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    for rating in lead.laptop.recording.get(lead.draft).ratings:
        lead.laptop.recording.set_rating(
            lead.draft, rating.standard_code, level_code="good", evidence="Seen on the visit."
        )
    lead.laptop.recording.update(
        lead.draft,
        {"overall_level": "good", "overall_rationale": "Clear.", "strengths": "Calm."},
    )
    lead.laptop.signoff.sign(lead.draft, SignatureRole.OBSERVER, "Aled Hughes")
    lead.laptop.signoff.sign(lead.draft, SignatureRole.PRACTITIONER, "Siobhán Walker")
    assert lead.laptop.sync.sync().refused == 0

    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    manager.sync.join(
        live_server.url, live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    )
    manager.sync.sync()  # no certificate trusted by hand beforehand

    found = observation(manager, lead.draft)
    assert found is not None
    assert found.status == "signed"
    learnt = [c for c in manager.known_certificates.known() if "team server" in c.reason]
    assert len(learnt) == 1
    assert any(e.action_code == "trust_certificate" for e in manager.audit.events())


def test_a_draft_made_and_deleted_between_two_syncs_is_never_sent(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    me = lead.laptop.profiles.current().person_id  # type: ignore[union-attr]
    brief = lead.laptop.recording.create_draft(
        DraftDetails(lead.worker, me, Kind.HOME_VISIT, WHEN, **CONSENT)
    )
    lead.laptop.recording.delete_draft(brief)

    result = lead.laptop.sync.sync()  # the server once failed (500) on a delete with no id

    assert result.refused == 0
    assert lead.laptop.sync.status().waiting == 0
    with live_server.db.owner.begin() as conn:
        assert conn.scalar(select(func.count()).where(schema.observations.c.id == brief)) == 0
    assert observation(lead.laptop, lead.draft) is not None


def test_a_laptops_teams_with_managers_can_be_pushed(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    laptop = make_laptop("Aled Hughes")
    laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    team = laptop.people.add_team("Children in Care")
    manager = laptop.people.add_person(PersonDetails("Morag Campbell", Role.TEAM_MANAGER, team))
    laptop.people.update_team(team, "Children in Care", manager)

    result = laptop.sync.sync()

    assert laptop.sync.status().refused == ()
    assert result.refused == 0
    with live_server.db.owner.begin() as conn:
        held = conn.execute(
            select(schema.teams.c.manager_id).where(schema.teams.c.id == team)
        ).scalar_one()
    assert held == manager  # the manager arrived after the team, and was made its manager
    laptop.sync.sync()
    assert [t.manager_id for t in laptop.people.list_teams() if t.id == team] == [manager]


def test_a_refused_change_whose_answer_was_lost_stays_refused_when_retried(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """The server answers a retried change `already_applied`, with the first answer's
    sentence: a change it refused the first time is kept aside as refused, not dropped
    from the outbox as if it had been taken."""
    lead = lead_with_a_draft(live_server, make_laptop)
    assert lead.laptop.sync.sync().refused == 0
    team = lead.laptop.people.team_named(TEAM).id
    # Only a service role may change a person the server holds: the server refuses it.
    lead.laptop.people.update_person(
        lead.worker, PersonDetails("Siobhán Walker-Jones", Role.SOCIAL_WORKER, team)
    )
    with lead.laptop.db.session() as s:
        joined = enrolment(s)
    assert joined is not None
    dropping = Client(joined.server, joined.token, transport=DropsAnswers())
    with dropping, pytest.raises(SyncFailed):
        push_all(lead.laptop.db, dropping)

    result = lead.laptop.sync.sync()
    assert result.refused == 1
    status = lead.laptop.sync.status()
    assert status.waiting == 0
    assert [r.record_id for r in status.refused] == [lead.worker]
    assert "Only a service role may change a person" in status.refused[0].message


def test_a_signature_no_laptop_could_take_is_refused_and_colleagues_still_sync(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """A sign-off without a digital signature (made before a laptop had a signing identity,
    or sent by hand) is refused by the server as every laptop's import would refuse it,
    instead of being served to colleagues whose every pull then stops at it."""
    lead = lead_with_a_draft(live_server, make_laptop)
    for rating in lead.laptop.recording.get(lead.draft).ratings:
        lead.laptop.recording.set_rating(
            lead.draft, rating.standard_code, level_code="good", evidence="Seen on the visit."
        )
    lead.laptop.recording.update(
        lead.draft,
        {"overall_level": "good", "overall_rationale": "Clear.", "strengths": "Calm."},
    )
    lead.laptop.signoff.sign(lead.draft, SignatureRole.OBSERVER, "Aled Hughes")
    lead.laptop.signoff.sign(lead.draft, SignatureRole.PRACTITIONER, "Siobhán Walker")
    with lead.laptop.db.session() as s, s.begin():
        s.execute(
            update(Signature)
            .where(Signature.observation_id == lead.draft)
            .values(certificate=None, digital_signature=None)
        )
    pushed = lead.laptop.sync.sync()
    assert pushed.refused == 1
    (refused,) = lead.laptop.sync.status().refused
    assert refused.record_id == lead.draft
    assert "digital signature" in refused.message

    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    manager.sync.join(
        live_server.url, live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    )
    manager.sync.sync()
    assert observation(manager, lead.draft) is None


def test_a_signature_changed_after_it_was_made_is_refused_and_colleagues_still_sync(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """A sign-off whose fields no longer match its own hash (its digital signature still
    holding for that hash) is refused by the server as every laptop's import refuses it."""
    lead = lead_with_a_draft(live_server, make_laptop)
    for rating in lead.laptop.recording.get(lead.draft).ratings:
        lead.laptop.recording.set_rating(
            lead.draft, rating.standard_code, level_code="good", evidence="Seen on the visit."
        )
    lead.laptop.recording.update(
        lead.draft,
        {"overall_level": "good", "overall_rationale": "Clear.", "strengths": "Calm."},
    )
    lead.laptop.signoff.sign(lead.draft, SignatureRole.OBSERVER, "Aled Hughes")
    lead.laptop.signoff.sign(lead.draft, SignatureRole.PRACTITIONER, "Siobhán Walker")
    with lead.laptop.db.session() as s, s.begin():
        s.execute(
            update(Signature)
            .where(Signature.observation_id == lead.draft, Signature.role == "practitioner")
            .values(name="Someone Else")
        )
    assert lead.laptop.sync.sync().refused == 1
    (refused,) = lead.laptop.sync.status().refused
    assert refused.record_id == lead.draft

    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    manager.sync.join(
        live_server.url, live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    )
    manager.sync.sync()
    assert observation(manager, lead.draft) is None


def _sent(change_id: object, kind: str, filler: str) -> dict[str, object]:
    return {
        "change_id": str(change_id),
        "record_type": kind,
        "operations": ["edit"],
        "base_revision": 1,
        "base": None,
        "record": {"filler": filler},
    }


def test_a_retry_that_waits_for_room_is_not_overtaken_by_a_later_edit_of_its_record(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """A sent change too big for this request waits for the next; a later edit of the same
    record must wait behind it, or the older change would arrive last and win."""
    lead = lead_with_a_draft(live_server, make_laptop)
    db = lead.laptop.db
    with db.session() as s, s.begin():
        person = (
            s.execute(select(sync_outbox.c.change_id).where(sync_outbox.c.record_type == "person"))
            .scalars()
            .first()
        )
        draft = s.execute(
            select(sync_outbox.c.change_id).where(sync_outbox.c.record_id == lead.draft)
        ).scalar_one()
        s.execute(  # sent before, and retried now: they fill most of a request
            update(sync_outbox)
            .where(sync_outbox.c.change_id == person)
            .values(state=SENT, payload=_sent(person, "person", "x" * 300_000))
        )
        s.execute(
            update(sync_outbox)
            .where(sync_outbox.c.change_id == draft)
            .values(state=SENT, payload=_sent(draft, "observation", "y" * 900_000))
        )
    lead.laptop.recording.save(lead.draft, [Change("strengths", "Calm with the family.", "Calm.")])
    with db.session() as s:
        later = s.execute(
            select(sync_outbox.c.change_id).where(
                sync_outbox.c.record_id == lead.draft, sync_outbox.c.change_id != draft
            )
        ).scalar_one()

    body = _next_request(db)

    assert body is not None
    sent = {change.get("change_id") for change in body["changes"]}
    assert str(later) not in sent
