"""A signed record whose worker was merged with a duplicate here keeps its references on the
person kept when a copy from another laptop moves it on (an action done there): the import
writes it with the ids it was signed with as its content, and the store's own people."""

from __future__ import annotations

import uuid
from copy import deepcopy as copy_of
from pathlib import Path

import pytest
from sqlalchemy import select

from observer.bundle import export_bundle, import_bundle
from observer.demo.generator import generate
from observer.errors import InvalidBundle
from observer.people.directory import PersonDetails
from observer.services import Services, open_services
from observer.store.models import Action, Observation, Person
from observer.vocabulary import Role, Status
from tests.support.core import trusting
from tests.support.passphrase import STORE_PASSPHRASE


def _signed_with_open_action(services: Services) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    with services.db.session() as s:
        row = s.execute(
            select(Observation.id, Observation.observed_person_id, Action.id)
            .join(Action, Action.observation_id == Observation.id)
            .where(Observation.status == Status.SIGNED.value, Action.status == "open")
            .limit(1)
        ).one()
    return row[0], row[1], row[2]


def test_progress_from_elsewhere_keeps_a_merged_workers_signed_record_on_the_person_kept(
    services: Services, tmp_path: Path
) -> None:
    services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    generate(services, workers=3, observations=12, seed=7)
    record, worker, action = _signed_with_open_action(services)
    other = open_services(tmp_path / "other", STORE_PASSPHRASE)
    try:
        trusting(other, services)
        import_bundle(other.db, export_bundle(services.db), "T", "first.json")
        name = services.people.get_person(worker).name
        kept = services.people.add_person(PersonDetails(name, Role.SOCIAL_WORKER))
        services.duplicates.merge(kept, worker)
        other.actions.complete_action(action, "Morag Campbell")

        result = import_bundle(services.db, export_bundle(other.db), "T", "second.json")
    finally:
        other.close()

    assert result.updated.get("observations", 0) + result.merged.get("observations", 0) == 1
    signed = services.signoff.signed_record(record)
    assert signed.problem is None
    assert signed.view.observed_person_id == kept
    done = next(a for a in signed.view.actions if a.id == action)
    assert (done.status.value, done.done_by) == ("done", "Morag Campbell")
    assert services.audit.verify().ok


def test_a_copy_naming_the_person_kept_with_the_ids_it_was_signed_with_imports_as_signed(
    services: Services, tmp_path: Path
) -> None:
    """As the pull feed carries a record whose people a merge elsewhere replaced: the person
    kept in its fields, the one it was signed with in `ids_at_signing` (who need not be in
    the store). It verifies and names the person kept; an edited copy is still refused."""
    services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    generate(services, workers=3, observations=12, seed=7)
    record, worker, _ = _signed_with_open_action(services)
    data = export_bundle(services.db)
    data["observations"] = [o for o in data["observations"] if o["id"] == str(record)]
    signed_with = next(p for p in data["people"] if p["id"] == str(worker))
    kept = {**signed_with, "id": str(uuid.uuid4()), "name": "Siân Evans (as HR knows her)"}
    data["people"] = [p for p in data["people"] if p["id"] != str(worker)] + [kept]
    copy = data["observations"][0]
    copy["observed_person_id"] = kept["id"]
    copy["ids_at_signing"] = {"observed_person_id": str(worker)}
    owned = [a for a in copy["actions"] if a["owner_id"] == str(worker)]
    for action in owned:
        action["owner_id"] = kept["id"]
    assert owned  # the worker owns an action agreed on the record
    copy["ids_at_signing"]["action_owners"] = {a["id"]: str(worker) for a in owned}

    edited = copy_of(data)
    edited["observations"][0]["strengths"] += " Added later."
    wrong_ids = copy_of(data)
    wrong_ids["observations"][0]["ids_at_signing"] = {"observed_person_id": kept["id"]}
    for n, refused in enumerate((edited, wrong_ids)):
        elsewhere = open_services(tmp_path / f"refusing-{n}", STORE_PASSPHRASE)
        try:
            with pytest.raises(InvalidBundle, match="content_hash does not match the record's"):
                import_bundle(elsewhere.db, refused, "T", "edited.json")
        finally:
            elsewhere.close()

    other = open_services(tmp_path / "other", STORE_PASSPHRASE)
    try:
        trusting(other, services)
        import_bundle(other.db, data, "T", "feed.json")
        signed = other.signoff.signed_record(record)
        assert signed.problem is None
        assert signed.view.observed_person_id == uuid.UUID(kept["id"])
        with other.db.session() as s:
            assert s.get(Person, worker) is None
            assert s.get(Observation, record).ids_at_signing == copy["ids_at_signing"]  # type: ignore[union-attr]
            owners = s.scalars(select(Action.owner_id).where(Action.observation_id == record))
            assert str(worker) not in {str(owner) for owner in owners}
    finally:
        other.close()
