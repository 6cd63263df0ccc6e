"""Moderation records and the Board's commentary travel in a bundle: exported and imported all
or nothing, idempotent, a moderation taken only as its moderator signed it, and a bad one
refused in one sentence leaving the store unchanged (all names fictional)."""

from __future__ import annotations

import base64
import copy
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observer.bundle import export_bundle, import_bundle
from observer.demo.generator import generate
from observer.errors import InvalidBundle, ObserverError
from observer.review.team_overview import Period
from observer.services import Services, open_services
from observer.signing.endorsement import Endorser, endorse
from observer.store.commentary import ALL_TEAMS
from observer.store.models import Observation, RatingLevel
from observer.vocabulary import Role
from tests.support.core import audit_trail, store_snapshot, trusting_bundle
from tests.support.fuzz import json_paths
from tests.support.hostile import CHANGES, FUZZ, Change, one_sentence
from tests.support.passphrase import STORE_PASSPHRASE

QA_LEAD = "Priya Raman"
QUARTER = Period(date(2020, 1, 1), date(2030, 12, 31))
QUALITY = ("moderation_samples", "moderations", "board_commentaries")


def _moderate(source: Services, observation_id: uuid.UUID, disagree: bool) -> uuid.UUID:
    """A moderation giving the observer's overall judgement throughout, or (`disagree`) the
    other end of the scale from it, so that it can be raised with them."""
    blind = source.moderation.blind_record(observation_id)
    scored = [level.code for level in blind.scale if level.score is not None]
    with source.db.session() as s:
        record = s.get_one(Observation, observation_id)
        theirs = s.get_one(RatingLevel, record.overall_level_id).code
    level = (scored[-1] if theirs == scored[0] else scored[0]) if disagree else theirs
    ratings = dict.fromkeys((standard.code for standard in blind.standards), level)
    return source.moderation.moderate(observation_id, ratings, level, "Looked again.", QA_LEAD).id


def make_quality_source(folder: Path) -> dict[str, Any]:
    """A store where the QA lead drew a sample, moderated two signed records (one raised with
    its observer) and wrote the Board's commentary; its bundle."""
    source = open_services(folder, STORE_PASSPHRASE)
    try:
        source.profiles.set_up(QA_LEAD, Role.QA_LEAD, "Northshire County Council")
        generate(source, workers=3, observations=8, seed=6)
        signed = [row for row in source.recording.list() if row.status.value == "signed"]
        days = sorted(row.observed_at.date() for row in signed)
        source.moderation.draw_sample(days[0], days[-1], 50, seed=7)
        raised = _moderate(source, signed[0].id, disagree=True)
        _moderate(source, signed[1].id, disagree=False)
        source.moderation.raise_with_observer(raised, "Please look at the risk evidence again.")
        source.commentaries.save(QUARTER, None, "Practice is improving.", based_on=0, actor=QA_LEAD)
        assert source.moderation.verify() == []
        return export_bundle(source.db, exported_by=QA_LEAD)
    finally:
        source.close()


@pytest.fixture(scope="module")
def quality_bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    bundle = make_quality_source(tmp_path_factory.mktemp("quality-source"))
    assert len(bundle["moderations"]) == 2
    assert sum(len(m["notes"]) for m in bundle["moderations"]) == 1
    assert len(bundle["moderation_samples"]) == 1
    assert len(bundle["board_commentaries"]) == 1
    return bundle


def _target(folder: Path, bundle: dict[str, Any]) -> Services:
    target = open_services(folder, STORE_PASSPHRASE)
    trusting_bundle(target, bundle)
    for m in bundle["moderations"]:
        target.known_certificates.add(
            base64.b64decode(m["certificate"]), "the moderator's laptop", "Tester"
        )
    return target


@pytest.fixture
def target(tmp_path: Path, quality_bundle: dict[str, Any]) -> Iterator[Services]:
    opened = _target(tmp_path / "target", quality_bundle)
    yield opened
    opened.close()


def test_moderations_samples_notes_and_commentary_round_trip_and_verify(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    result = import_bundle(target.db, copy.deepcopy(quality_bundle), "Tester", "quality.json")
    assert result.added["moderations"] == 2
    assert result.added["moderation notes"] == 1
    assert result.added["moderation samples"] == 1
    assert result.added["commentaries"] == 1
    assert "moderations: 2 added" in result.describe()
    # What the moderators signed, as they signed it: the store finds every one sound.
    assert target.moderation.verify() == []
    exported = export_bundle(target.db)
    for name in QUALITY:
        assert exported[name] == quality_bundle[name], name
    assert target.commentaries.read(QUARTER).text == "Practice is improving."
    first = uuid.UUID(quality_bundle["moderations"][0]["id"])
    assert audit_trail(target.db, first) == ["import_moderation", "import_moderation_raised"]
    [view] = [
        v
        for v in target.moderation.moderations_of(
            uuid.UUID(quality_bundle["moderations"][0]["observation_id"])
        )
        if v.id == first
    ]
    assert view.notes[0].text == "Please look at the risk evidence again."


def test_the_same_bundle_twice_changes_nothing(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    import_bundle(target.db, copy.deepcopy(quality_bundle), "Tester", "quality.json")
    before = store_snapshot(target.db)
    again = import_bundle(target.db, copy.deepcopy(quality_bundle), "Tester", "quality.json")
    assert store_snapshot(target.db) == before
    assert again.unchanged["moderations"] == 2
    assert "moderations" not in again.added


def _refused(target: Services, bundle: dict[str, Any], match: str) -> str:
    before = store_snapshot(target.db)
    with pytest.raises(InvalidBundle, match=match) as refused:
        import_bundle(target.db, bundle, "Tester", "quality.json")
    assert store_snapshot(target.db) == before
    return one_sentence(refused.value)


def test_a_moderation_changed_after_it_was_signed_is_refused_and_nothing_imported(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(quality_bundle)
    bundle["moderations"][0]["comment"] = "Nothing to add."
    _refused(target, bundle, r"moderations\[0\]\.content_hash does not match")


def test_a_moderation_rewritten_with_its_hash_made_again_is_refused_by_its_signature(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(quality_bundle)
    bundle["moderations"][0]["content_hash"] = "0" * 64
    _refused(target, bundle, r"digital signature that does not hold")


def _stranger() -> Endorser:
    """A laptop's signing identity no store here knows."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Another laptop")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return Endorser(key, certificate.public_bytes(serialization.Encoding.DER))


def test_a_moderation_signed_by_a_laptop_this_one_does_not_know_is_refused(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(quality_bundle)
    moderation = bundle["moderations"][0]
    other = _stranger()
    moderation["certificate"] = base64.b64encode(other.certificate).decode()
    moderation["digital_signature"] = base64.b64encode(
        endorse(other, moderation["content_hash"])
    ).decode()
    message = _refused(target, bundle, r"certificate this laptop does not know")
    assert "fingerprint" in message


def test_a_moderation_without_its_digital_signature_is_refused(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(quality_bundle)
    bundle["moderations"][1]["digital_signature"] = None
    _refused(target, bundle, r"carries no digital signature")


def test_a_held_moderation_is_never_rewritten(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    import_bundle(target.db, copy.deepcopy(quality_bundle), "Tester", "quality.json")
    bundle = copy.deepcopy(quality_bundle)
    bundle["moderations"][0]["notes"][0]["text"] = "Nothing to see."
    _refused(target, bundle, r"a note this store holds, and the bundle's copy rewrites it")
    bundle = copy.deepcopy(quality_bundle)
    bundle["moderations"][0]["signed_at"] = "2031-01-01T00:00:00+00:00"
    _refused(target, bundle, r"a moderation this store holds, and the bundle's copy rewrites")


def test_a_moderation_of_a_record_nowhere_is_refused(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(quality_bundle)
    moderated = bundle["moderations"][0]["observation_id"]
    bundle["observations"] = [o for o in bundle["observations"] if o["id"] != moderated]
    _refused(target, bundle, r"neither in the bundle nor in this store")


def test_a_sample_not_as_drawn_is_refused(target: Services, quality_bundle: dict[str, Any]) -> None:
    bundle = copy.deepcopy(quality_bundle)
    bundle["moderation_samples"][0]["seed"] += 1
    _refused(target, bundle, r"not the sample that was drawn")


def test_commentaries_written_on_two_laptops_keep_both_words_and_a_later_revision_wins(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    target.commentaries.save(QUARTER, None, "Supervision is better.", based_on=0, actor="Sam")
    import_bundle(target.db, copy.deepcopy(quality_bundle), "Tester", "quality.json")
    text = target.commentaries.read(QUARTER).text
    assert "Supervision is better." in text
    assert "Practice is improving." in text
    before = store_snapshot(target.db)
    import_bundle(target.db, copy.deepcopy(quality_bundle), "Tester", "quality.json")
    assert store_snapshot(target.db) == before
    # A later revision of the commentary here replaces it.
    held = export_bundle(target.db)["board_commentaries"][0]
    bundle = copy.deepcopy(quality_bundle)
    bundle["board_commentaries"] = [
        dict(held, text="Rewritten for the Board.", revision=held["revision"] + 1)
    ]
    import_bundle(target.db, bundle, "Tester", "quality.json")
    assert target.commentaries.read(QUARTER).text == "Rewritten for the Board."


def test_a_commentary_of_another_team_scope_is_refused_in_one_sentence(
    target: Services, quality_bundle: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(quality_bundle)
    bundle["board_commentaries"][0]["scope"] = "the blue team"
    _refused(target, bundle, r"board_commentaries\[0\]\.scope must be 'all'")
    assert ALL_TEAMS == "all"


def test_one_worker_s_bundle_takes_only_their_moderations(
    tmp_path: Path, quality_bundle: dict[str, Any]
) -> None:
    target = _target(tmp_path / "whole", quality_bundle)
    try:
        import_bundle(target.db, copy.deepcopy(quality_bundle), "Tester", "quality.json")
        moderated = uuid.UUID(quality_bundle["moderations"][0]["observation_id"])
        worker = target.recording.get(moderated).observed_person_id
        part = export_bundle(target.db, [worker])
    finally:
        target.close()
    ids = {o["id"] for o in part["observations"]}
    assert part["moderations"]
    assert {m["observation_id"] for m in part["moderations"]} <= ids
    assert "moderation_samples" not in part
    assert "board_commentaries" not in part


# Fuzz: one hostile change to one of the records above


class Stores:
    def __init__(self, template: Path, scratch: Path) -> None:
        self.template = template
        self.scratch = scratch
        self._open: Services | None = None

    def current(self) -> Services:
        if self._open is None:
            folder = Path(tempfile.mkdtemp(dir=self.scratch))
            shutil.copytree(self.template, folder, dirs_exist_ok=True)
            self._open = open_services(folder, STORE_PASSPHRASE)
        return self._open

    def discard(self) -> None:
        if self._open is not None:
            self._open.close()
            shutil.rmtree(self._open.data_dir)
            self._open = None


@pytest.fixture(scope="module")
def stores(
    tmp_path_factory: pytest.TempPathFactory, quality_bundle: dict[str, Any]
) -> Iterator[Stores]:
    """Stores that trust the moderator and hold the bundle's records but not its moderation
    records, so that each fuzzed bundle brings those in new."""
    template = tmp_path_factory.mktemp("quality-template")
    held = _target(template, quality_bundle)
    try:
        plain = copy.deepcopy(quality_bundle)
        for name in QUALITY:
            plain[name] = []
        import_bundle(held.db, plain, "Tester", "plain.json")
    finally:
        held.close()
    made = Stores(template, tmp_path_factory.mktemp("quality-stores"))
    yield made
    made.discard()


@settings(max_examples=60, **FUZZ)
@given(collection=st.sampled_from(QUALITY), which=st.integers(0, 10), change=CHANGES)
def test_a_bundle_with_a_hostile_moderation_record_imports_or_is_refused_cleanly(
    stores: Stores,
    quality_bundle: dict[str, Any],
    collection: str,
    which: int,
    change: Change,
) -> None:
    bundle = copy.deepcopy(quality_bundle)
    records = bundle[collection]
    change.apply(records[which % len(records)])
    services = stores.current()
    before = store_snapshot(services.db)
    try:
        import_bundle(services.db, bundle, "Tester", "fuzz.json")
    except ObserverError as refused:
        one_sentence(refused)
        assert store_snapshot(services.db) == before
        return
    try:
        # Whatever was taken is sound, and taking it again changes nothing.
        assert services.moderation.verify() == []
        after = store_snapshot(services.db)
        import_bundle(services.db, export_bundle(services.db), "Tester", "again.json")
        assert store_snapshot(services.db) == after
    finally:
        stores.discard()


def test_fuzz_paths_reach_every_field_of_a_moderation(quality_bundle: dict[str, Any]) -> None:
    """The fuzz test's changes can land on any field, the notes' and ratings' too."""
    paths = {p[-1] for p in json_paths(quality_bundle["moderations"], ("moderations",))}
    assert {"content_hash", "digital_signature", "level", "text", "written_at"} <= paths


def test_a_sample_whose_observation_retention_removed_still_verifies_and_travels(
    target: Services, tmp_path: Path, quality_bundle: dict[str, Any]
) -> None:
    """The sample keeps the ids it chose (its hash covers them): removing a sampled record
    under the retention policy leaves it as drawn, here and in a bundle from here."""
    from observer.governance.retention import remove_observations

    import_bundle(target.db, copy.deepcopy(quality_bundle), "Tester", "quality.json")
    sampled = quality_bundle["moderation_samples"][0]["observations"][0]["observation_id"]
    worker = target.recording.get(uuid.UUID(sampled)).observed_person_id
    with target.db.session() as s, s.begin():
        assert remove_observations(s, [worker]) >= 1
    assert target.moderation.verify() == []
    sample = target.moderation.samples()[0]
    assert uuid.UUID(sampled) not in {o.observation_id for o in sample.observations}
    onward = _target(tmp_path / "onward", quality_bundle)
    try:
        result = import_bundle(onward.db, export_bundle(target.db), "Tester", "onward.json")
        assert result.added["moderation samples"] == 1
        assert onward.moderation.verify() == []
    finally:
        onward.close()
