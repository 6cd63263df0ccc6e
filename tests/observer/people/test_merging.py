"""Merging duplicates of a person: their records move to the person kept, and signed
records stay exactly as signed (hash, signatures, audit check)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from observer.demo.generator import generate
from observer.errors import InvalidInput
from observer.people.directory import PersonDetails
from observer.records.recording import ObservationFilter
from observer.services import Services
from observer.store.models import Observation
from observer.vocabulary import Role, Status


def _signed_worker(services: Services) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A sample worker with signed records, and those records."""
    with services.db.session() as s:
        rows = s.execute(
            select(Observation.observed_person_id, Observation.id).where(
                Observation.status == Status.SIGNED.value
            )
        ).all()
    worker = rows[0][0]
    return worker, [oid for pid, oid in rows if pid == worker]


def test_a_merge_moves_signed_records_and_they_still_verify(services: Services) -> None:
    services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    generate(services, workers=3, observations=12, seed=7)
    worker, signed = _signed_worker(services)
    name = services.people.get_person(worker).name
    before = {o: services.signoff.signed_record(o).content_hash for o in signed}
    duplicate = services.people.add_person(PersonDetails(name, Role.SOCIAL_WORKER))

    report = services.duplicates.merge(duplicate, worker)

    assert report.signed == len(signed)
    assert report.observations >= len(signed)
    for o in signed:
        record = services.signoff.signed_record(o)
        assert record.content_hash == before[o]
        assert record.problem is None
        assert {g.content_hash for g in record.signatures} == {before[o]}
        assert record.view.observed_person_id == duplicate
    assert services.audit.verify().ok
    assert services.recording.count(ObservationFilter(person_ids=(worker,))) == 0
    assert (
        services.recording.count(ObservationFilter(person_ids=(duplicate,))) == report.observations
    )
    listed = [p.id for p in services.people.list_people()]
    assert worker not in listed
    assert duplicate in listed
    assert any(e.action_code == "merge_people" for e in services.audit.events(worker))


def test_a_bundle_of_a_merged_worker_carries_the_person_its_records_were_signed_for(
    services: Services,
) -> None:
    from observer.bundle.export import export_bundle

    services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    generate(services, workers=3, observations=12, seed=7)
    worker, _signed = _signed_worker(services)
    duplicate = services.people.add_person(PersonDetails("Copy Of Them", Role.SOCIAL_WORKER))
    services.duplicates.merge(duplicate, worker)

    bundle = export_bundle(services.db, [duplicate])

    assert bundle["sample_data"] is True
    people = {p["id"] for p in bundle["people"]}
    assert str(worker) in people  # the signed records still name the id they were signed with


def test_a_person_cannot_be_merged_into_themselves_or_twice(services: Services) -> None:
    one = services.people.add_person(PersonDetails("Jo Bloggs", Role.SOCIAL_WORKER))
    two = services.people.add_person(PersonDetails("Jo Bloggs", Role.SOCIAL_WORKER))
    with pytest.raises(InvalidInput):
        services.duplicates.merge(one, one)
    services.duplicates.merge(one, two)
    with pytest.raises(InvalidInput):
        services.duplicates.merge(one, two)


def test_merging_the_laptops_user_moves_the_profile(services: Services) -> None:
    me = services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    other = services.people.add_person(PersonDetails("Ayaan Hughes", Role.PRACTICE_LEAD))

    services.duplicates.merge(other, me.person_id)

    current = services.profiles.current()
    assert current is not None
    assert current.person_id == other
