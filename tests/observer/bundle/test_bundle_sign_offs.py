"""A bundle carries signatures and addenda only as they were made: each with its own hash,
digitally signed by the laptop where it was made, whose certificate the receiving store
knows, dated after the observation and in turn; each one taken is audited. A signed
record's copy must be the record that was signed, whatever its revision."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from observer.bundle import export_bundle, import_bundle
from observer.errors import InvalidBundle
from observer.services import Services, open_services
from observer.signing.identity import identity_info
from observer.store.models import AuditEvent
from observer.vocabulary import Role, SignatureRole
from tests.support.core import NewDraft, Staff, store_snapshot, trusting
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.signing import filled


@pytest.fixture
def signed_here(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    """A record both parties signed on this laptop, whose user is the practice lead."""
    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
    record = filled(services, new_draft, staff)
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    return record


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Services]:
    """Another laptop's store."""
    opened = open_services(tmp_path / "office", STORE_PASSPHRASE)
    yield opened
    opened.close()


def _record(bundle: dict[str, Any], record: uuid.UUID) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in bundle["observations"] if o["id"] == str(record))
    return found


def _events(services: Services) -> int:
    with services.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _refused(services: Services, bundle: dict[str, Any]) -> str:
    """Imports, expecting a refusal that leaves the store and its trail as they were."""
    before, events = store_snapshot(services.db), _events(services)
    with pytest.raises(InvalidBundle) as refused:
        import_bundle(services.db, copy.deepcopy(bundle), "Tester", "bundle.json")
    assert store_snapshot(services.db) == before
    assert _events(services) == events
    sentence = str(refused.value)
    assert "\n" not in sentence
    assert "; nothing was imported" in sentence
    assert sentence.endswith(".")
    return sentence


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _forged_countersignature(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    observer = record["signatures"][0]
    forged = {
        "id": str(uuid.uuid4()),
        "created_at": observer["created_at"],
        "updated_at": observer["created_at"],
        "revision": 1,
        "role": "manager",
        "name": "Anyone At All",
        "image_png": None,
        "signed_at": (_moment(record["observed_at"]) - timedelta(days=2)).isoformat(),
        "comment": "Approved; nothing further needed.",
        "content_hash": observer["content_hash"],
    }
    return {**forged, **changes}


def _forged_addendum(record: dict[str, Any]) -> dict[str, Any]:
    observer = record["signatures"][0]
    return {
        "id": str(uuid.uuid4()),
        "created_at": observer["created_at"],
        "updated_at": observer["created_at"],
        "revision": 1,
        "text": "I withdraw my agreement to this record.",
        "author_name": "Siobhán Walker",
        "image_png": None,
        "signed_at": datetime.now(UTC).isoformat(),
        "content_hash": observer["content_hash"],
    }


@pytest.mark.parametrize("where", ["this laptop", "a laptop that knows this one"])
def test_a_countersignature_in_anyones_name_is_not_taken_from_a_bundle(
    services: Services, signed_here: uuid.UUID, office: Services, where: str
) -> None:
    bundle = export_bundle(services.db)
    record = _record(bundle, signed_here)
    record["signatures"].append(_forged_countersignature(record))
    record["revision"] += 1
    target = services
    if where != "this laptop":
        trusting(office, services)
        target = office

    sentence = _refused(target, bundle)

    assert "(the manager's countersignature) carries no digital signature" in sentence


def test_an_addendum_in_the_practitioners_name_is_not_taken_from_a_bundle(
    services: Services, signed_here: uuid.UUID
) -> None:
    bundle = export_bundle(services.db)
    record = _record(bundle, signed_here)
    record["addenda"].append(_forged_addendum(record))
    record["revision"] += 1

    sentence = _refused(services, bundle)

    assert "addenda[0] (an addendum) carries no digital signature" in sentence


def test_a_digital_signature_copied_from_another_sign_off_does_not_hold(
    services: Services, signed_here: uuid.UUID
) -> None:
    bundle = export_bundle(services.db)
    record = _record(bundle, signed_here)
    observer = record["signatures"][0]
    forged = _forged_countersignature(
        record,
        own_hash=observer["own_hash"],
        certificate=observer["certificate"],
        digital_signature=observer["digital_signature"],
    )
    record["signatures"].append(forged)
    record["revision"] += 1

    assert "does not match its own hash" in _refused(services, bundle)


def _resigned(services: Services, record: dict[str, Any], signature: dict[str, Any]) -> None:
    """Gives a changed signature the own hash and digital signature that fit it, with this
    laptop's own key: what only a holder of the key could do."""
    import base64

    from observer.records.seals import signature_own_hash
    from observer.signing.endorsement import endorse
    from observer.signing.identity import open_endorser
    from observer.store.models import Signature

    made = Signature(
        id=uuid.UUID(signature["id"]),
        role=signature["role"],
        name=signature["name"],
        image_png=None,
        signed_at=_moment(signature["signed_at"]),
        comment=signature["comment"],
        content_hash=signature["content_hash"],
    )
    signature["own_hash"] = signature_own_hash(made, record["wording_at_signing"])
    key = open_endorser(services.data_dir, STORE_PASSPHRASE)
    signature["digital_signature"] = base64.b64encode(endorse(key, signature["own_hash"])).decode()


@pytest.mark.parametrize(
    ("when", "said"),
    [
        ("before the practitioner", "is out of turn"),
        ("before the observation", "is dated before the observation took place"),
    ],
)
def test_a_countersignature_out_of_turn_is_refused_even_when_signed_with_a_known_key(
    services: Services, signed_here: uuid.UUID, office: Services, when: str, said: str
) -> None:
    services.signoff.sign(signed_here, SignatureRole.MANAGER, "Morag Campbell")
    bundle = export_bundle(services.db)
    record = _record(bundle, signed_here)
    manager = next(g for g in record["signatures"] if g["role"] == "manager")
    practitioner = next(g for g in record["signatures"] if g["role"] == "practitioner")
    moved = (
        _moment(practitioner["signed_at"]) - timedelta(minutes=1)
        if when == "before the practitioner"
        else _moment(record["observed_at"]) - timedelta(days=1)
    )
    manager["signed_at"] = moved.isoformat()
    _resigned(services, record, manager)
    trusting(office, services)

    sentence = _refused(office, bundle)

    assert f"(the manager's countersignature) {said}" in sentence


def test_sign_offs_from_a_laptop_not_known_here_are_taken_once_it_is_trusted_and_audited(
    services: Services, signed_here: uuid.UUID, office: Services
) -> None:
    services.signoff.add_addendum(signed_here, "The visit was on Tuesday.", "Aled Hughes")
    bundle = export_bundle(services.db)

    sentence = _refused(office, bundle)
    fingerprint = identity_info(services.data_dir, STORE_PASSPHRASE).fingerprint
    assert (
        "(the observer's signature) was signed with a certificate this laptop does not know "
        in (sentence)
    )
    # In full and in pairs, as `identity show` and `certificates list` show it, with what to do.
    assert sentence.endswith(
        f"(SHA-256 fingerprint {fingerprint}); nothing was imported: to take it, on the laptop "
        "that signed it run `observer identity export-cert -o FILE`, then here `observer "
        "certificates trust FILE --fingerprint` with the fingerprint above (compare it with "
        "that laptop's) and import again."
    )

    trusting(office, services)
    import_bundle(office.db, copy.deepcopy(bundle), "Tester", "bundle.json")

    with office.db.session() as s:
        imported = list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.record_id == signed_here)
                .order_by(AuditEvent.sequence)
            )
        )
    assert imported == ["import_signature", "import_signature", "import_addendum"]
    assert office.audit.verify().ok
    assert office.signoff.signed_record(signed_here).problem is None
    # Nothing new the second time: the same bundle again changes nothing and records nothing.
    events = _events(office)
    import_bundle(office.db, copy.deepcopy(bundle), "Tester", "bundle.json")
    assert _events(office) == events + 1  # only the "import" of the bundle itself


@pytest.mark.parametrize("revision", ["the same revision", "an earlier revision"])
def test_an_edited_copy_of_a_signed_record_is_refused_whatever_its_revision(
    services: Services, signed_here: uuid.UUID, revision: str
) -> None:
    from observer.records.canonical import content_hash

    bundle = export_bundle(services.db)
    record = _record(bundle, signed_here)
    record["strengths"] = "Rewritten in the bundle after signing."
    if revision == "an earlier revision":
        record["revision"] -= 1
    digest = content_hash(record)
    for signature in record["signatures"]:
        signature["content_hash"] = digest

    sentence = _refused(services, bundle)

    assert "the bundle's copy of it differs from what was signed" in sentence


def test_an_unchanged_copy_of_a_signed_record_is_left_as_it_is(
    services: Services, signed_here: uuid.UUID
) -> None:
    bundle = export_bundle(services.db)
    before = store_snapshot(services.db)

    result = import_bundle(services.db, copy.deepcopy(bundle), "Tester", "bundle.json")

    assert result.unchanged.get("observations") == 1
    assert store_snapshot(services.db) == before
