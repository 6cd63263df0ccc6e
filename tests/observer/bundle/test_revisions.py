"""Revisions travel: a bundle may carry any revision a store can hold, so a record that
arrived at a high revision and was edited since still goes on to the next store; a
revision no store can hold is refused in one sentence, and a record at the largest one
cannot change again (rather than be written with a revision nobody can read)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from observer.bundle import export_bundle, import_bundle
from observer.errors import InvalidBundle, ObserverError
from observer.services import Services, open_services
from tests.support.core import NewDraft
from tests.support.passphrase import STORE_PASSPHRASE

LARGEST = 2**63 - 1  # SQLite's INTEGER


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    office, home = (open_services(tmp_path / name, STORE_PASSPHRASE) for name in ("o", "h"))
    yield office, home
    office.close()
    home.close()


def _at_revision(services: Services, record: uuid.UUID, revision: int) -> dict[str, Any]:
    bundle = export_bundle(services.db)
    for o in bundle["observations"]:
        if o["id"] == str(record):
            o["revision"] = revision
    return bundle


def _revision(services: Services, record: uuid.UUID) -> int:
    return services.recording.get(record).revision


@pytest.mark.parametrize("revision", [2**31, 2**31 + 5, 2**53])
def test_a_record_that_arrived_at_a_high_revision_is_edited_and_still_travels(
    services: Services,
    new_draft: NewDraft,
    laptops: tuple[Services, Services],
    revision: int,
) -> None:
    office, home = laptops
    record = new_draft()
    import_bundle(office.db, _at_revision(services, record, revision), "T", "first.json")

    office.recording.update(record, {"strengths": "Edited after it arrived."})
    import_bundle(home.db, export_bundle(office.db), "T", "second.json")
    office.recording.update(record, {"strengths": "Edited again."})
    import_bundle(home.db, export_bundle(office.db), "T", "third.json")

    assert _revision(home, record) == revision + 2
    assert home.recording.get(record).strengths == "Edited again."


def test_a_revision_no_store_can_hold_is_refused_in_one_sentence(
    services: Services, new_draft: NewDraft, laptops: tuple[Services, Services]
) -> None:
    office, _ = laptops
    record = new_draft()

    with pytest.raises(InvalidBundle) as refused:
        import_bundle(office.db, _at_revision(services, record, LARGEST + 1), "T", "b.json")

    assert str(refused.value) == (
        f"b.json: observations[0].revision must be between 1 and {LARGEST}, not {LARGEST + 1}."
    )
    assert office.recording.list() == []


def test_a_record_at_the_largest_revision_cannot_change_but_still_travels(
    services: Services, new_draft: NewDraft, laptops: tuple[Services, Services]
) -> None:
    office, home = laptops
    record = new_draft()
    import_bundle(office.db, _at_revision(services, record, LARGEST), "T", "b.json")

    with pytest.raises(ObserverError) as refused:
        office.recording.update(record, {"strengths": "One more change."})

    assert str(refused.value).startswith("This record has been changed more times than")
    assert _revision(office, record) == LARGEST
    import_bundle(home.db, copy.deepcopy(export_bundle(office.db)), "T", "again.json")
    assert _revision(home, record) == LARGEST
