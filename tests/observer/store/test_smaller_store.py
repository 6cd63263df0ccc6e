"""Migration 0011 makes a store smaller without changing anything a signed record shows or
any hash over it: signatures, seals, the audit chain and summaries signed before the upgrade
still verify after it, and search still finds the records."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

from observer.demo.generator import generate
from observer.paths import database_path
from observer.search.service import search
from observer.services import Services, open_services
from observer.store import encryption
from observer.store.db import SCHEMA_HEAD
from observer.store.models import Observation, SigningWording
from tests.support.passphrase import STORE_PASSPHRASE

FIXTURE_0010 = Path(__file__).resolve().parents[2] / "fixtures" / "schema-0010"
SUMMARY_RECORD = uuid.UUID("92f66106-20d7-4b5c-bc35-cbec65485faf")


def _data_folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_0010, data)
    return data


def _raw_rows(data: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows as the store's file holds them, read past the ORM and its types."""
    path = database_path(data)
    connection = encryption.connect(path, encryption.key_for(path, STORE_PASSPHRASE))
    try:
        return list(connection.execute(sql).fetchall())
    finally:
        connection.close()


def _wordings_as_0010_kept_them(data: Path) -> dict[uuid.UUID, str]:
    """Each signed record's wording at signing as the 0010 store held it, as JSON with its
    keys in their stored order."""
    rows = _raw_rows(
        data, "SELECT id, wording_at_signing FROM observations WHERE wording_at_signing IS NOT NULL"
    )
    return {uuid.UUID(hex=i): json.dumps(json.loads(w), ensure_ascii=False) for i, w in rows}


def _as_kept(value: dict[str, Any] | None) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_records_signed_before_the_upgrade_still_verify_and_are_found_after_it(
    tmp_path: Path,
) -> None:
    data = _data_folder(tmp_path)
    wordings = _wordings_as_0010_kept_them(data)
    assert len(wordings) == 8

    services = open_services(data, STORE_PASSPHRASE)
    try:
        assert services.db.upgraded is not None
        assert services.db.upgraded.from_revision == "0010"
        assert services.db.schema_revision() == SCHEMA_HEAD

        verification = services.summaries.verify(FIXTURE_0010 / "summary.pdf")
        assert verification.intact
        assert verification.signer_known
        assert verification.record_id == SUMMARY_RECORD
        assert verification.hash_matches is True

        assert services.audit.verify().ok
        for record, wording in wordings.items():
            signed = services.signoff.signed_record(record)
            assert signed.problem is None, signed.problem
            signatures = services.signoff.signatures(record)
            assert {g.content_hash for g in signatures} == {services.signoff.current_hash(record)}
            # A summary is exported only when every hash and seal of the record still holds.
            services.summaries.export(record, tmp_path / f"{record}.pdf")
            with services.db.session() as s:
                observation = s.get(Observation, record)
                assert observation is not None
                assert _as_kept(observation.wording_at_signing) == wording

            # Found by its own words, as before the upgrade.
            word = max(_words(services, record), key=len)
            found = search(services.db, word, 50)
            assert record in {hit.observation_id for hit in found}, word
    finally:
        services.close()


def _words(services: Any, record: uuid.UUID) -> list[str]:
    with services.db.session() as s:
        observation = s.get(Observation, record)
        assert observation is not None
        text = observation.strengths or observation.focus
    return [word for word in text.split() if word.isalpha()]


def test_the_framework_wording_is_kept_once_however_many_records_show_it(
    tmp_path: Path,
) -> None:
    data = _data_folder(tmp_path)
    services = open_services(data, STORE_PASSPHRASE)
    try:
        with services.db.session() as s:
            records = s.query(Observation).filter(Observation.wording_digest.is_not(None)).all()
            frameworks = {o.framework_id for o in records}
            kept = s.query(SigningWording).count()
            names_kept_apart = [o.id for o in records if o.wording_names is not None]
        assert len(records) == 8
        assert kept == len(frameworks) < len(records)
        assert names_kept_apart == []  # each record's names are its shown_at_signing
    finally:
        services.close()


def _kinds_of_ids(data: Path) -> set[tuple[str, int]]:
    rows = _raw_rows(
        data,
        "SELECT typeof(id), length(id) FROM observations UNION "
        "SELECT typeof(observation_id), length(observation_id) FROM ratings UNION "
        "SELECT typeof(record_id), length(record_id) FROM audit_events "
        "WHERE record_id IS NOT NULL UNION "
        "SELECT typeof(observation_id), length(observation_id) FROM search_rows",
    )
    return {(kind, length) for kind, length in rows}


def _kinds_of_times(data: Path) -> set[tuple[str, str]]:
    rows = _raw_rows(
        data,
        "SELECT typeof(observed_at), typeof(updated_at) FROM observations UNION "
        "SELECT typeof(signed_at), typeof(created_at) FROM signatures UNION "
        "SELECT typeof(occurred_at), typeof(created_at) FROM audit_events",
    )
    return {(a, b) for a, b in rows}


def test_ids_take_16_bytes_and_times_8_in_an_upgraded_store(tmp_path: Path) -> None:
    upgraded = _data_folder(tmp_path)
    assert _kinds_of_ids(upgraded) == {("text", 32)}
    assert _kinds_of_times(upgraded) == {("text", "text")}
    open_services(upgraded, STORE_PASSPHRASE).close()
    assert _kinds_of_ids(upgraded) == {("blob", 16)}
    assert _kinds_of_times(upgraded) == {("integer", "integer")}


def test_ids_take_16_bytes_and_times_8_in_a_new_store(services: Services) -> None:
    generate(services, workers=2, observations=4, seed=3)
    search(services.db, "child", 50)
    assert _kinds_of_ids(services.data_dir) == {("blob", 16)}
    assert _kinds_of_times(services.data_dir) == {("integer", "integer")}


def test_a_wording_that_took_its_names_from_shown_at_signing_keeps_them_if_that_changes(
    tmp_path: Path,
) -> None:
    data = _data_folder(tmp_path)
    services = open_services(data, STORE_PASSPHRASE)
    try:
        with services.db.session() as s:
            observation = s.get(Observation, SUMMARY_RECORD)
            assert observation is not None
            assert observation.wording_names is None
            before = _as_kept(observation.wording_at_signing)
        with services.db.session() as s, s.begin():
            observation = s.get(Observation, SUMMARY_RECORD)
            assert observation is not None
            observation.shown_at_signing = {**(observation.shown_at_signing or {}), "observer": "X"}
        with services.db.session() as s:
            observation = s.get(Observation, SUMMARY_RECORD)
            assert observation is not None
            assert observation.shown_at_signing is not None
            assert observation.shown_at_signing["observer"] == "X"
            assert _as_kept(observation.wording_at_signing) == before
    finally:
        services.close()


# Ids and times no hash covers, as 0010 held them (32 hex digits, naive UTC text) and as
# 0011 must give them back (uuid.UUID, aware UTC datetime), to the microsecond.
UNHASHED = {
    "people": ("team_id", "merged_into_id", "created_at", "updated_at"),
    "teams": ("manager_id", "created_at", "updated_at"),
    "observations": ("observed_person_id", "observer_id", "overall_level_id", "created_at"),
    "actions": ("observation_id", "owner_id", "done_at", "created_at", "updated_at"),
    "signatures": ("observation_id", "signed_at", "created_at"),
    "audit_events": ("record_id", "occurred_at", "created_at"),
}


def _as_0010_value(text: Any) -> Any:
    from datetime import UTC, datetime

    if text is None:
        return None
    if len(text) == 32 and all(c in "0123456789abcdef" for c in text):
        return uuid.UUID(hex=text)
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_every_id_and_time_reads_back_as_it_was_before_the_upgrade(tmp_path: Path) -> None:
    from sqlalchemy import select

    from observer.store.models import Base

    data = _data_folder(tmp_path)
    before = {
        (table, row[0]): [_as_0010_value(v) for v in row[1:]]
        for table, columns in UNHASHED.items()
        for row in _raw_rows(data, f"SELECT id, {', '.join(columns)} FROM {table}")
    }
    assert any(v is not None for values in before.values() for v in values)

    services = open_services(data, STORE_PASSPHRASE)
    try:
        with services.db.session() as s:
            after = {}
            for table, columns in UNHASHED.items():
                model = Base.metadata.tables[table]
                query = select(model.c.id, *(model.c[name] for name in columns))
                for row in s.execute(query):
                    after[(table, row[0].hex)] = list(row[1:])
    finally:
        services.close()
    assert {key: after.get(key) for key in before} == before  # the upgrade adds one event
    done = [v for (table, _), values in after.items() if table == "actions" for v in values[2:3]]
    assert any(v is not None for v in done)  # an action done, with its time, is among them
