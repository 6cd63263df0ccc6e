"""The audit trail: an append-only hash chain that says what was altered or removed."""

from __future__ import annotations

import importlib
import json
import shutil
import sqlite3
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from observer.documents.summaries import export_summary, verify_summary
from observer.governance import audit
from observer.governance.audit import (
    HEAD_SETTING,
    event_hash,
    events,
    record_event,
    record_failed_unlocks,
    verify_chain,
)
from observer.paths import database_path
from observer.records.merge import Change
from observer.records.recording import Recording
from observer.services import Services, open_services
from observer.store.db import Database
from observer.store.models import AuditEvent, Setting
from observer.vocabulary import Role
from tests.support.core import NewDraft, RunCli
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.paths import FIXTURES

FIXTURE_0002 = FIXTURES / "schema-0002.sqlite"
LEAD = "Priya Shah"


@pytest.fixture
def trail(services: Services, new_draft: NewDraft) -> uuid.UUID:
    """Five events by the practice lead: create, edit, an action done, create, delete."""
    services.profiles.set_up(LEAD, Role.PRACTICE_LEAD, "Northshire County Council")
    draft = new_draft()
    services.recording.update(draft, {"strengths": "Warm and curious with both children."})
    action = services.recording.add_action(draft, "Read the chronology before the next visit")
    services.actions.complete_action(action, LEAD)
    services.recording.delete_draft(new_draft())
    return draft


def tamper(db: Database, statement: str, **values: Any) -> None:
    """Someone with direct access to the file: the guards first, then the change."""
    with db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        conn.execute(text(statement), values)


def check_command(run_cli: RunCli, data_dir: Path, capsys: Any) -> tuple[int, list[str]]:
    code = run_cli(["--data-dir", str(data_dir), "audit", "verify"])
    return code, capsys.readouterr().out.splitlines()


def frozen_migration() -> ModuleType:
    """Migration 0004 as shipped; its file name starts with a digit, so it is imported by
    its dotted name rather than with an import statement."""
    return importlib.import_module(
        "observer.store.migrations.versions.0004_audit_chain_and_leaving"
    )


def test_what_people_do_is_chained_and_the_chain_checks_out(
    services: Services, trail: uuid.UUID, data_dir: Path, run_cli: RunCli, capsys: Any
) -> None:
    entries = events(services.db)
    report = verify_chain(services.db)

    assert [(e.sequence, e.action) for e in entries] == [
        (5, "Deleted"),
        (4, "Created"),
        (3, "Marked an action done"),
        (2, "Edited"),
        (1, "Created"),
    ]
    assert {e.actor for e in entries} == {LEAD}
    assert report.ok
    assert report.checked == 5
    assert report.sentence() == (
        "The audit trail is intact: all 5 events checked, none altered or removed."
    )
    assert check_command(run_cli, data_dir, capsys) == (0, [report.sentence()])


def test_a_records_own_trail_includes_its_actions_and_nothing_else(
    services: Services, trail: uuid.UUID, data_dir: Path, run_cli: RunCli, capsys: Any
) -> None:
    assert [e.action for e in events(services.db, record_id=trail)] == [
        "Marked an action done",
        "Edited",
        "Created",
    ]
    assert [e.action for e in events(services.db, record_id=trail, limit=1)] == [
        "Marked an action done"
    ]

    argv = ["--data-dir", str(data_dir), "audit", "list", "--record", str(trail), "--json"]
    assert run_cli(argv) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(e["sequence"], e["action"], e["actor"]) for e in listed] == [
        (3, "complete_action", LEAD),
        (2, "edit", LEAD),
        (1, "create", LEAD),
    ]
    assert listed[-1]["record_id"] == str(trail)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        pytest.param("actor", "Someone Else", id="actor"),
        pytest.param("content_hash", "0" * 64, id="content-hash"),
        pytest.param("action", "delete", id="action"),
        pytest.param("occurred_at", "2020-01-01 00:00:00.000000", id="time"),
    ],
)
def test_an_event_altered_behind_the_apps_back_is_named_and_the_check_fails(
    services: Services,
    trail: uuid.UUID,
    data_dir: Path,
    run_cli: RunCli,
    capsys: Any,
    column: str,
    value: str,
) -> None:
    tamper(
        services.db, f"UPDATE audit_events SET {column} = :value WHERE sequence = 2", value=value
    )

    report = verify_chain(services.db)

    assert report.problems == ("Event 2 was altered.",)
    assert report.sentence() == "The audit trail is not intact: event 2 was altered."
    assert check_command(run_cli, data_dir, capsys) == (1, ["Event 2 was altered."])


def test_an_altered_event_given_a_fresh_hash_breaks_the_link_to_the_next(
    services: Services, trail: uuid.UUID
) -> None:
    with services.db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.sequence == 2)).one()
        forged = event_hash(
            sequence=2,
            event_id=event.id,
            occurred_at=event.occurred_at,
            actor="Someone Else",
            action=event.action,
            record_type=event.record_type,
            record_id=event.record_id,
            content_hash=event.content_hash,
            detail=event.detail,
            previous_hash=event.previous_hash,
        )
    tamper(
        services.db,
        "UPDATE audit_events SET actor = 'Someone Else', event_hash = :forged WHERE sequence = 2",
        forged=forged,
    )

    assert verify_chain(services.db).problems == (
        "Event 3 does not follow on from event 2: the link between them was broken.",
    )


def test_an_event_taken_out_of_the_middle_is_missed(
    services: Services, trail: uuid.UUID, data_dir: Path, run_cli: RunCli, capsys: Any
) -> None:
    tamper(services.db, "DELETE FROM audit_events WHERE sequence = 3")

    problem = "Event 3 is missing (the chain jumps from 2 to 4)."
    assert verify_chain(services.db).problems == (problem,)
    assert check_command(run_cli, data_dir, capsys) == (1, [problem])


def test_several_events_taken_out_are_named_together(services: Services, trail: uuid.UUID) -> None:
    tamper(services.db, "DELETE FROM audit_events WHERE sequence IN (1, 3, 4)")

    assert verify_chain(services.db).problems == (
        "Event 1 is missing (the chain starts at 2).",
        "Events 3 to 4 are missing (the chain jumps from 2 to 5).",
    )


def test_events_cut_from_the_end_are_missed(
    services: Services, trail: uuid.UUID, data_dir: Path, run_cli: RunCli, capsys: Any
) -> None:
    tamper(services.db, "DELETE FROM audit_events WHERE sequence = 5")

    problem = "The last event was removed (the trail ends at 4; it had 5)."
    assert verify_chain(services.db).problems == (problem,)
    assert check_command(run_cli, data_dir, capsys) == (1, [problem])

    tamper(services.db, "DELETE FROM audit_events WHERE sequence >= 3")
    assert verify_chain(services.db).problems == (
        "The last 3 events were removed (the trail ends at 2; it had 5).",
    )
    tamper(services.db, "DELETE FROM audit_events")
    assert verify_chain(services.db).problems == (
        "All 5 events were removed (the trail is empty; it had 5).",
    )


def test_the_next_event_after_a_cut_still_shows_the_cut(
    services: Services, trail: uuid.UUID
) -> None:
    tamper(services.db, "DELETE FROM audit_events WHERE sequence = 5")
    with services.db.session() as s, s.begin():
        record_event(s, actor=LEAD, action="export", record_type="bundle", record_id=None)

    assert verify_chain(services.db).problems == (
        "Event 5 does not follow on from event 4: the link between them was broken.",
    )


def test_a_replaced_last_event_or_a_lost_head_is_reported(
    services: Services, trail: uuid.UUID
) -> None:
    tamper(services.db, "UPDATE audit_events SET event_hash = :h WHERE sequence = 5", h="1" * 64)
    assert verify_chain(services.db).problems == (
        "Event 5 was altered.",
        "Event 5 is not the event the trail recorded as its last: it was replaced, "
        "or that record was altered.",
    )

    with services.db.session() as s, s.begin():
        s.delete(s.get(Setting, HEAD_SETTING))
    assert verify_chain(services.db).problems[-1] == (
        "The record of the trail's last event is missing, so events removed from the end "
        "would go unnoticed."
    )


def test_an_event_slipped_in_without_a_place_in_the_chain_is_reported(
    services: Services, trail: uuid.UUID
) -> None:
    with services.db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_events (id, occurred_at, actor, action, record_type, "
                "content_hash, created_at, updated_at, revision) VALUES (:id, "
                "'2025-03-12 10:30:00.000000', 'Someone Else', 'create', 'observation', '', "
                "'2025-03-12 10:30:00.000000', '2025-03-12 10:30:00.000000', 1)"
            ),
            {"id": uuid.uuid4().hex},
        )

    report = verify_chain(services.db)

    assert report.checked == 6
    assert report.problems == (
        "An event of 2025-03-12 10:30:00 UTC (created) has no sequence number, "
        "so it is outside the chain.",
    )


def test_the_store_refuses_to_change_or_delete_an_event(
    services: Services, trail: uuid.UUID
) -> None:
    for statement in (
        "UPDATE audit_events SET actor = 'Someone Else' WHERE sequence = 2",
        "DELETE FROM audit_events WHERE sequence = 5",
    ):
        with pytest.raises(DatabaseError, match="append-only"), services.db.engine.begin() as c:
            c.execute(text(statement))

    assert verify_chain(services.db).ok
    assert len(events(services.db)) == 5


def test_a_long_trail_is_checked_a_batch_at_a_time(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "STREAM_BATCH", 7)
    with services.db.session() as s, s.begin():
        for _ in range(30):
            record_event(s, actor=LEAD, action="export", record_type="bundle", record_id=None)
    tamper(services.db, "DELETE FROM audit_events WHERE sequence BETWEEN 14 AND 16")
    tamper(services.db, "UPDATE audit_events SET detail = 'x' WHERE sequence = 22")

    report = verify_chain(services.db)

    assert report.checked == 27
    assert report.problems == (
        "Events 14 to 16 are missing (the chain jumps from 13 to 17).",
        "Event 22 was altered.",
    )


def test_two_windows_writing_at_once_keep_one_unbroken_chain(
    services: Services, data_dir: Path
) -> None:
    other = open_services(data_dir, STORE_PASSPHRASE)
    failures: list[Exception] = []

    def export_often(window: Services, who: str) -> None:
        try:
            for _ in range(40):
                with window.db.session() as s, s.begin():
                    record_event(
                        s, actor=who, action="export", record_type="bundle", record_id=None
                    )
        except Exception as error:
            failures.append(error)

    try:
        writers = [
            threading.Thread(target=export_often, args=(services, LEAD)),
            threading.Thread(target=export_often, args=(other, "Morag Campbell")),
        ]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
    finally:
        other.close()

    assert failures == []
    assert verify_chain(services.db) == audit.ChainReport(80)


@given(
    sequence=st.integers(min_value=1, max_value=2**31),
    occurred_at=st.datetimes(timezones=st.just(UTC)) | st.datetimes(),
    actor=st.text(max_size=40),
    action=st.text(max_size=40),
    record_type=st.text(max_size=20),
    record_id=st.none() | st.uuids(),
    content_hash=st.text(alphabet="0123456789abcdef", max_size=64),
    detail=st.text(max_size=60),
    previous_hash=st.text(alphabet="0123456789abcdef", max_size=64),
)
def test_the_app_hashes_events_exactly_as_the_migration_chained_them(**fields: Any) -> None:
    frozen = frozen_migration()._event_hash
    event_id = uuid.uuid4()

    assert event_hash(event_id=event_id, **fields) == frozen(event_id=event_id, **fields)


def test_a_store_from_before_the_chain_is_chained_on_upgrade(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    path = database_path(data)
    shutil.copy(FIXTURE_0002, path)
    record = "00000000000000000000000000001111"
    old = sqlite3.connect(path)
    with old:
        for n, action in enumerate(["create", "sign:observer", "sign:practitioner"]):
            when = f"2025-03-04 1{n}:00:00.000000"
            old.execute(
                "INSERT INTO audit_events VALUES (?, 'Aled Hughes', ?, 'observation', ?, ?, ?, "
                "?, ?, 1)",
                (when, action, record, "ab" * 32 if n else "", uuid.uuid4().hex, when, when),
            )
    old.close()

    services = open_services(data, STORE_PASSPHRASE)
    try:
        # The three events, the upgrade to 0008's record of the two signatures it kept, then
        # the encryption and the upgrade themselves.
        assert verify_chain(services.db).checked == 7
        assert verify_chain(services.db).ok
        assert [e.action for e in events(services.db)] == [
            "Upgraded the store",
            "Encrypted the store",
            "Kept a signature made before schema 0008",
            "Kept a signature made before schema 0008",
            "Signed as practitioner",
            "Signed as observer",
            "Created",
        ]
        with services.db.session() as s, s.begin():
            record_event(s, actor=LEAD, action="export", record_type="bundle", record_id=None)
        assert verify_chain(services.db).checked == 8
        assert verify_chain(services.db).ok
        assert events(services.db, limit=1)[0].sequence == 8
    finally:
        services.close()


def edits(services: Services, record: uuid.UUID) -> list[str]:
    return [e.actor for e in events(services.db, record_id=record) if e.action_code == "edit"]


def test_autosaves_while_typing_are_one_edit_per_person_per_ten_minutes(
    services: Services, new_draft: NewDraft, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.profiles.set_up(LEAD, Role.PRACTICE_LEAD, "Northshire County Council")
    draft = new_draft()
    colleague = Recording(services.db, actor=lambda: "Morag Campbell")
    typed = ["Warm", "Warm and", "Warm and curious", "Warm and curious with both"]
    for before, after in zip(["", *typed[:-1]], typed, strict=True):
        services.recording.save(draft, [Change("strengths", before, after)])
    assert edits(services, draft) == [LEAD]

    colleague.save(draft, [Change("focus", "", "Direct work with the younger child")])
    services.recording.set_rating(draft, "1", evidence="Seen in the kitchen.")
    assert edits(services, draft) == [LEAD, "Morag Campbell", LEAD]

    later = datetime.now(UTC) + timedelta(minutes=11)
    monkeypatch.setattr(audit, "utc_now", lambda: later)
    services.recording.save(draft, [Change("strengths", typed[-1], "Warm.")])
    assert edits(services, draft) == [LEAD, LEAD, "Morag Campbell", LEAD]
    assert verify_chain(services.db).ok


def test_a_save_that_changes_nothing_records_no_edit(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    services.recording.save(draft, [])
    assert edits(services, draft) == []


def test_failed_unlocks_are_recorded_once_the_store_is_open(services: Services) -> None:
    tries = [datetime(2026, 1, 5, 9, 1, 7, tzinfo=UTC), datetime(2026, 1, 5, 9, 0, 2, tzinfo=UTC)]

    assert record_failed_unlocks(services.db, "unknown (wrong passphrase)", tries) == 2

    assert [(e.action, e.detail) for e in events(services.db)] == [
        ("Wrong passphrase given", "attempted at 2026-01-05T09:01:07+00:00"),
        ("Wrong passphrase given", "attempted at 2026-01-05T09:00:02+00:00"),
    ]
    assert verify_chain(services.db).ok
    assert record_failed_unlocks(services.db, "unknown", []) == 0


def test_the_head_always_names_the_last_event(services: Services, trail: uuid.UUID) -> None:
    with services.db.session() as s:
        head = s.get(Setting, HEAD_SETTING)
        last = s.scalar(select(func.max(AuditEvent.sequence)))
        newest = s.scalars(select(AuditEvent).where(AuditEvent.sequence == last)).one()
        assert head is not None
        assert head.value == {"sequence": 5, "hash": newest.event_hash}


def test_listing_with_a_bad_record_id_or_limit_is_one_line(
    services: Services, data_dir: Path, run_cli: RunCli, capsys: Any
) -> None:
    assert run_cli(["--data-dir", str(data_dir), "audit", "list", "--record", "nope"]) == 2
    assert capsys.readouterr().err == "observer: 'nope' is not a record id.\n"
    assert run_cli(["--data-dir", str(data_dir), "audit", "list", "--limit", "0"]) == 2
    assert capsys.readouterr().err == "observer: --limit must be at least 1.\n"


def test_checking_a_summary_is_recorded_with_its_result_and_no_names(
    services: Services, new_draft: NewDraft, tmp_path: Path
) -> None:
    draft = new_draft()
    pdf = tmp_path / "summary.pdf"
    exported = export_summary(services, draft, pdf, passphrase=None)

    verify_summary(services, pdf)

    newest = events(services.db, record_id=draft)[0]
    assert (newest.action, newest.detail, newest.content_hash) == (
        "Checked a summary PDF",
        "not signed",
        exported.content_hash,
    )
