"""Sign-off in the room: who signs when, what each signature holds, and the lock after."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError

from observer.bundle import export_bundle, import_bundle
from observer.errors import (
    InvalidBundle,
    InvalidInput,
    ObserverError,
    RecordLocked,
    StaleRecord,
)
from observer.people.directory import PersonDetails
from observer.records.canonical import content_hash, observation_document
from observer.records.merge import Change
from observer.records.readiness import NotReady
from observer.records.sign_off import WrongSigner
from observer.services import Services
from observer.store.models import AuditEvent, Observation, Signature
from observer.vocabulary import Role, SignatureRole, Status
from tests.support.core import NewDraft, Staff
from tests.support.signing import filled

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def record(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    return filled(services, new_draft, staff)


def sign_both(services: Services, record: uuid.UUID) -> None:
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes", drawing_png=PNG)
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker", comment="Fair.")


def test_the_observer_signs_then_the_practitioner_and_the_record_locks(
    services: Services, record: uuid.UUID
) -> None:
    before = services.signoff.current_hash(record)

    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes", drawing_png=PNG)
    assert services.recording.get(record).status is Status.READY
    assert services.signoff.next_role(record) is SignatureRole.PRACTITIONER
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker", comment="Fair.")

    signatures = services.signoff.signatures(record)
    assert [(g.role, g.name, g.comment) for g in signatures] == [
        (SignatureRole.OBSERVER, "Aled Hughes", ""),
        (SignatureRole.PRACTITIONER, "Siobhán Walker", "Fair."),
    ]
    assert signatures[0].drawing_png == PNG
    assert {g.content_hash for g in signatures} == {before}
    assert services.recording.get(record).status is Status.SIGNED
    assert services.signoff.next_role(record) is SignatureRole.MANAGER


def test_an_incomplete_record_cannot_be_signed(services: Services, new_draft: NewDraft) -> None:
    draft = new_draft()

    with pytest.raises(NotReady):
        services.signoff.sign(draft, SignatureRole.OBSERVER, "Aled Hughes")

    assert services.signoff.signatures(draft) == []


@pytest.mark.parametrize(
    ("first", "then", "message"),
    [
        ([], SignatureRole.PRACTITIONER, "observer signs first"),
        ([], SignatureRole.MANAGER, "countersigns once"),
        ([SignatureRole.OBSERVER], SignatureRole.OBSERVER, "already signed"),
    ],
)
def test_signatures_come_in_order_and_once(
    services: Services,
    record: uuid.UUID,
    first: list[SignatureRole],
    then: SignatureRole,
    message: str,
) -> None:
    for role in first:
        services.signoff.sign(record, role, "Aled Hughes")

    with pytest.raises(InvalidInput, match=message):
        services.signoff.sign(record, then, "Morag Campbell")


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_signature_needs_a_typed_name(services: Services, record: uuid.UUID, name: str) -> None:
    with pytest.raises(InvalidInput):
        services.signoff.sign(record, SignatureRole.OBSERVER, name)
    assert services.signoff.signatures(record) == []


def test_a_drawing_must_be_a_png(services: Services, record: uuid.UUID) -> None:
    with pytest.raises(InvalidInput, match="PNG"):
        services.signoff.sign(record, SignatureRole.OBSERVER, "Aled", drawing_png=b"GIF89a")


def test_a_manager_countersigns_a_locked_record(services: Services, record: uuid.UUID) -> None:
    sign_both(services, record)

    services.signoff.sign(record, SignatureRole.MANAGER, "Morag Campbell")

    assert [g.role for g in services.signoff.signatures(record)][-1] is SignatureRole.MANAGER
    assert services.signoff.next_role(record) is None


# Who signs


def sign_events(services: Services, record: uuid.UUID) -> list[str]:
    with services.db.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.record_id == record))
        return [a for a in actions if a.startswith("sign:")]


def test_only_the_records_observer_signs_as_the_observer(
    services: Services, record: uuid.UUID
) -> None:
    for someone_else in ("Wrong Person", "Siobhán Walker", "Morag Campbell"):
        with pytest.raises(WrongSigner) as refused:
            services.signoff.sign(record, SignatureRole.OBSERVER, someone_else)
        assert str(refused.value) == (
            "Only Aled Hughes, the record's observer, can sign as the observer; nothing was signed."
        )
    assert isinstance(refused.value, ObserverError)
    assert services.signoff.signatures(record) == []
    assert sign_events(services, record) == []
    assert services.recording.get(record).status is not Status.READY


def test_only_the_person_observed_signs_as_the_practitioner(
    services: Services, record: uuid.UUID
) -> None:
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    for someone_else in ("Someone Else", "Aled Hughes", "Zoë Green"):
        with pytest.raises(WrongSigner) as refused:
            services.signoff.sign(record, SignatureRole.PRACTITIONER, someone_else)
        assert str(refused.value) == (
            "Only Siobhán Walker, the person observed, can sign as the practitioner; "
            "nothing was signed."
        )
    assert [g.role for g in services.signoff.signatures(record)] == [SignatureRole.OBSERVER]
    assert sign_events(services, record) == ["sign:observer"]
    assert services.recording.get(record).status is not Status.SIGNED


def test_case_accents_and_spacing_do_not_matter_and_the_name_kept_is_the_one_typed(
    services: Services, record: uuid.UUID
) -> None:
    services.signoff.sign(record, SignatureRole.OBSERVER, "  aled   HUGHES ")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhan walker")
    services.signoff.sign(record, SignatureRole.MANAGER, "MORAG  campbell")

    assert [g.name for g in services.signoff.signatures(record)] == [
        "aled HUGHES",
        "Siobhan walker",
        "MORAG campbell",
    ]


def test_a_renamed_practitioner_signs_with_the_name_the_record_shows_or_their_new_one(
    services: Services, record: uuid.UUID, staff: Staff
) -> None:
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    worker = services.people.get_person(staff.worker)
    services.people.update_person(
        staff.worker, PersonDetails("Siobhán Jones", worker.role, worker.team_id)
    )

    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Jones")

    assert services.signoff.signed_record(record).view.observed_person_name == "Siobhán Walker"


@pytest.mark.parametrize(
    "name",
    [
        "Aled Hughes",  # a practice lead, not a team manager
        "Siobhán Walker",  # the practitioner
        "Nobody Here",  # no one in the store
    ],
)
def test_only_a_team_manager_in_the_store_countersigns(
    services: Services, record: uuid.UUID, name: str
) -> None:
    sign_both(services, record)

    with pytest.raises(WrongSigner) as refused:
        services.signoff.sign(record, SignatureRole.MANAGER, name)

    assert str(refused.value) == (
        "Only a team manager in this store can countersign, and none is called that; "
        "nothing was signed."
    )
    assert SignatureRole.MANAGER not in {g.role for g in services.signoff.signatures(record)}
    assert sign_events(services, record) == ["sign:observer", "sign:practitioner"]


def test_a_team_manager_who_has_left_cannot_countersign(
    services: Services, record: uuid.UUID, staff: Staff
) -> None:
    sign_both(services, record)
    manager = services.people.get_person(staff.manager)
    services.people.update_person(
        staff.manager,
        PersonDetails("Morag Campbell", Role.TEAM_MANAGER, manager.team_id, active=False),
    )

    with pytest.raises(WrongSigner):
        services.signoff.sign(record, SignatureRole.MANAGER, "Morag Campbell")


def every_change(services: Services, record: uuid.UUID) -> dict[str, Callable[[], object]]:
    """Every way the services can change an observation's content."""
    recording = services.recording
    action = recording.get(record).actions[0].id
    return {
        "update": lambda: recording.update(record, {"strengths": "Changed."}),
        "set_rating": lambda: recording.set_rating(record, "1", level_code="outstanding"),
        "evidence": lambda: recording.set_rating(record, "1", evidence="Changed."),
        "add_action": lambda: recording.add_action(record, "Another action"),
        "update_action": lambda: recording.update_action(action, description="Changed."),
        "remove_action": lambda: recording.remove_action(action),
        "save": lambda: recording.save(record, [Change("strengths", "", "Changed.")]),
        "mark_ready": lambda: recording.mark_ready(record),
        "return_to_draft": lambda: recording.return_to_draft(record),
        "delete_draft": lambda: recording.delete_draft(record),
        "sign_again": lambda: services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes"),
    }


CHANGES = [
    "update",
    "set_rating",
    "evidence",
    "add_action",
    "update_action",
    "remove_action",
    "save",
    "mark_ready",
    "return_to_draft",
    "delete_draft",
    "sign_again",
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_locked_record_refuses_every_change(
    services: Services, record: uuid.UUID, change: str
) -> None:
    sign_both(services, record)
    before = services.recording.get(record)
    digest = services.signoff.current_hash(record)

    with pytest.raises((RecordLocked, InvalidInput)) as refused:
        every_change(services, record)[change]()

    assert str(refused.value).endswith(".")
    assert services.recording.get(record) == before
    assert services.signoff.current_hash(record) == digest


@pytest.mark.parametrize("change", [c for c in CHANGES if c not in ("sign_again",)])
def test_once_the_observer_has_signed_the_content_is_frozen(
    services: Services, record: uuid.UUID, change: str
) -> None:
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    digest = services.signoff.current_hash(record)

    with pytest.raises(ObserverError):
        every_change(services, record)[change]()

    assert services.signoff.current_hash(record) == digest
    assert services.signoff.signatures(record)[0].content_hash == digest


def test_action_progress_on_a_locked_record_is_not_a_change_to_what_was_signed(
    services: Services, record: uuid.UUID
) -> None:
    sign_both(services, record)
    digest = services.signoff.current_hash(record)
    action = services.recording.get(record).actions[0].id

    services.actions.complete_action(action, by="Siobhán Walker")

    assert services.signoff.current_hash(record) == digest


def test_an_addendum_corrects_a_locked_record_without_changing_it(
    services: Services, record: uuid.UUID
) -> None:
    sign_both(services, record)
    digest = services.signoff.current_hash(record)

    added = services.signoff.add_addendum(
        record, "The visit lasted 45 minutes, not 60.", "Aled Hughes", drawing_png=PNG
    )

    assert services.signoff.addenda(record) == [added]
    assert (added.author_name, added.content_hash) == ("Aled Hughes", digest)
    assert services.signoff.current_hash(record) == digest


def test_addenda_are_only_for_signed_records(services: Services, record: uuid.UUID) -> None:
    with pytest.raises(InvalidInput, match="signed records"):
        services.signoff.add_addendum(record, "Too early.", "Aled Hughes")
    assert services.signoff.addenda(record) == []


def test_each_signature_is_in_the_audit_trail_with_the_hash(
    services: Services, record: uuid.UUID
) -> None:
    digest = services.signoff.current_hash(record)
    sign_both(services, record)

    with services.db.session() as s:
        events = s.execute(
            select(AuditEvent.action, AuditEvent.content_hash)
            .where(AuditEvent.record_id == record, AuditEvent.action.like("sign:%"))
            .order_by(AuditEvent.occurred_at)
        ).all()
    assert [tuple(e) for e in events] == [
        ("sign:observer", digest),
        ("sign:practitioner", digest),
    ]


def test_a_bundle_cannot_change_what_the_observer_alone_has_signed(
    services: Services, record: uuid.UUID
) -> None:
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    bundle = export_bundle(services.db)
    (changed,) = [o for o in bundle["observations"] if o["id"] == str(record)]
    changed["strengths"] = "Rewritten after signing."
    changed["revision"] += 1
    before = services.recording.get(record)

    with pytest.raises(InvalidBundle, match="content"):
        import_bundle(services.db, bundle, actor="Aled Hughes", source="other-laptop.json")

    assert services.recording.get(record) == before


def _bundle_record(services: Services, record: uuid.UUID) -> tuple[dict, dict]:
    bundle = export_bundle(services.db)
    (item,) = [o for o in bundle["observations"] if o["id"] == str(record)]
    item["revision"] += 1
    return bundle, item


def test_a_bundle_cannot_rewrite_an_addendum(services: Services, record: uuid.UUID) -> None:
    sign_both(services, record)
    services.signoff.add_addendum(record, "The visit lasted 45 minutes.", "Aled Hughes")
    bundle, item = _bundle_record(services, record)
    item["addenda"][0]["text"] = "The visit never happened."

    with pytest.raises(InvalidBundle, match="rewrite some of its addenda"):
        import_bundle(services.db, bundle, actor="Aled Hughes", source="other.json")

    assert services.signoff.addenda(record)[0].text == "The visit lasted 45 minutes."


def _second_copy(item: dict) -> dict:
    """The observer's signature again, under a new id."""
    return {**item["signatures"][0], "id": str(uuid.uuid4())}


@pytest.mark.parametrize(
    ("tamper", "refusal"),
    [
        (lambda item: item["signatures"].pop(), "have not both signed"),
        (
            lambda item: item["signatures"].append(
                {**item["signatures"][0], "id": str(uuid.uuid4())}
            ),
            "used twice",
        ),
        (lambda item: item.update(status="ready"), "is not signed, but"),
    ],
)
def test_a_bundle_whose_status_and_signatures_disagree_is_refused(
    services: Services, record: uuid.UUID, tamper: Callable[[dict], object], refusal: str
) -> None:
    sign_both(services, record)
    bundle, item = _bundle_record(services, record)
    tamper(item)
    before = services.recording.get(record)

    with pytest.raises(InvalidBundle, match=refusal):
        import_bundle(services.db, bundle, actor="Aled Hughes", source="other.json")

    assert services.recording.get(record) == before


def test_a_record_changed_since_the_signer_read_it_is_not_signed(
    services: Services, record: uuid.UUID
) -> None:
    read = services.signoff.current_hash(record)
    services.recording.update(record, {"strengths": "Added by another window."})

    with pytest.raises(StaleRecord, match="changed after you began reading"):
        services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes", expected_hash=read)

    assert services.signoff.signatures(record) == []
    fresh = services.signoff.current_hash(record)
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes", expected_hash=fresh)


def test_a_signed_record_keeps_the_names_it_showed_when_signed(
    services: Services, record: uuid.UUID, staff: Staff
) -> None:
    sign_both(services, record)
    digest = services.signoff.current_hash(record)
    details = services.people.get_person(staff.worker)

    services.people.update_person(
        staff.worker,
        PersonDetails("Siobhán Okafor", details.role, details.team_id),
        expected_revision=details.revision,
    )

    view = services.recording.get(record)
    assert view.observed_person_name == "Siobhán Walker"
    assert view.actions[0].owner_name == "Siobhán Walker"
    assert services.signoff.current_hash(record) == digest
    assert {g.content_hash for g in services.signoff.signatures(record)} == {digest}


def test_a_record_not_yet_signed_shows_names_as_they_are(
    services: Services, record: uuid.UUID, staff: Staff
) -> None:
    before = services.signoff.current_hash(record)
    details = services.people.get_person(staff.worker)

    services.people.update_person(
        staff.worker,
        PersonDetails("Siobhán Okafor", details.role, details.team_id),
        expected_revision=details.revision,
    )

    assert services.recording.get(record).observed_person_name == "Siobhán Okafor"
    assert services.signoff.current_hash(record) != before


def test_a_bundle_of_a_signed_record_must_carry_what_it_showed(
    services: Services, record: uuid.UUID
) -> None:
    sign_both(services, record)
    bundle, item = _bundle_record(services, record)
    item["shown_at_signing"] = None

    with pytest.raises(InvalidBundle, match="does not match the record's content"):
        import_bundle(services.db, bundle, actor="Aled Hughes", source="other.json")


def test_a_record_signed_before_names_were_kept_still_matches_its_signatures(
    services: Services, record: uuid.UUID
) -> None:
    """As schema 0002 left it: no names kept, signatures on the content without them."""
    sign_both(services, record)
    with services.db.session() as s, s.begin():
        observation = s.get(Observation, record)
        assert observation is not None
        observation.shown_at_signing = None
        s.flush()
        old_hash = content_hash(observation_document(observation))
        s.execute(sa_update(Signature).values(content_hash=old_hash))

    assert services.signoff.current_hash(record) == old_hash


def test_the_store_itself_refuses_a_second_signature_in_one_role(
    services: Services, record: uuid.UUID
) -> None:
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    first = services.signoff.signatures(record)[0]

    with pytest.raises(IntegrityError), services.db.session() as s, s.begin():
        s.add(
            Signature(
                observation_id=record,
                role="observer",
                name="Someone Else",
                signed_at=first.signed_at,
                comment="",
                content_hash=first.content_hash,
            )
        )

    assert len(services.signoff.signatures(record)) == 1
