"""A signed record whose worker was merged with a duplicate here keeps its references on the
person kept when a copy from another laptop moves it on (an action done there): the import
writes it with the ids it was signed with as its content, and the store's own people."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from observer.bundle import export_bundle, import_bundle
from observer.demo.generator import generate
from observer.people.directory import PersonDetails
from observer.services import Services, open_services
from observer.store.models import Action, Observation
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
