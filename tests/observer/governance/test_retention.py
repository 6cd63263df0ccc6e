"""Retention: who is due for removal, removing exactly that, and the audit trail of it."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from observer.errors import InvalidInput, StaleRecord
from observer.governance import retention
from observer.governance.retention import RetentionPolicy
from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.store.models import (
    Action,
    Addendum,
    AuditEvent,
    Observation,
    Person,
    Rating,
    Signature,
    action_standards,
)
from observer.store.sync_tables import JOINED_KEY, sync_outbox
from observer.sync import state
from observer.vocabulary import Kind, Role, SignatureRole
from tests.support.core import WHEN, NewDraft, RunCli, Staff

TODAY = date(2031, 6, 1)
CODES = ["1", "2", "3", "4", "5", "6", "7"]  # the direct-work framework of a home visit
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def signed_record(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    """A signed home visit of `staff.worker`, with an action linked to a standard and an
    addendum: everything that hangs off an observation."""
    record = new_draft()
    recording = services.recording
    recording.update(record, {"overall_level": "good", "overall_rationale": "Warm, clear."})
    for code in CODES:
        recording.set_rating(record, code, level_code="good", evidence=f"Seen in part {code}.")
    action = recording.add_action(record, "Read the chronology", staff.worker, date(2025, 5, 1))
    with services.db.session() as s, s.begin():
        standard = s.scalars(select(Rating.standard_id).where(Rating.observation_id == record))
        s.execute(
            insert(action_standards).values(action_id=action, standard_id=next(iter(standard)))
        )
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes", drawing_png=PNG)
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    services.signoff.add_addendum(record, "The visit lasted 45 minutes.", "Aled Hughes")
    return record


def leave(services: Services, person_id: uuid.UUID, left_on: date | None) -> None:
    person = services.people.get_person(person_id)
    services.people.update_person(
        person_id,
        PersonDetails(
            person.name, person.role, person.team_id, person.staff_reference, False, left_on
        ),
    )


@dataclass(frozen=True)
class Store:
    signed: uuid.UUID  # the worker's, due
    draft: uuid.UUID  # the worker's, due
    observed_by_worker: uuid.UUID  # the manager's, observed by the worker: kept
    asye: uuid.UUID  # left within the six years: kept
    senior: uuid.UUID  # inactive with no leaving date: kept
    lead: uuid.UUID  # still works here: kept


@pytest.fixture
def store(services: Services, staff: Staff, new_draft: NewDraft) -> Store:
    made = Store(
        signed=signed_record(services, new_draft, staff),
        draft=new_draft(Kind.DIRECT_WORK),
        observed_by_worker=services.recording.create_draft(
            DraftDetails(staff.manager, staff.worker, Kind.SUPERVISION_INDIVIDUAL, WHEN)
        ),
        asye=new_draft(person=staff.asye),
        senior=new_draft(person=staff.senior),
        lead=services.recording.create_draft(
            DraftDetails(staff.lead, staff.manager, Kind.SUPERVISION_INDIVIDUAL, WHEN)
        ),
    )
    services.recording.add_action(made.observed_by_worker, "Plan the rota", staff.worker)
    leave(services, staff.worker, date(2025, 4, 30))  # due on 30 April 2031
    leave(services, staff.asye, date(2025, 6, 2))  # due on 2 June 2031: tomorrow
    leave(services, staff.senior, None)
    retention.set_policy(services.db, RetentionPolicy(6), "Priya Shah")
    return made


def observation_ids(services: Services) -> set[uuid.UUID]:
    with services.db.session() as s:
        return set(s.scalars(select(Observation.id)))


def rows_of(services: Services, observation_id: uuid.UUID) -> dict[str, int]:
    with services.db.session() as s:
        counts = {
            model.__tablename__: s.scalar(
                select(func.count())
                .select_from(model)
                .where(model.observation_id == observation_id)
            )
            for model in (Rating, Action, Signature, Addendum)
        }
        counts["action_standards"] = s.scalar(
            select(func.count())
            .select_from(action_standards.join(Action))
            .where(Action.observation_id == observation_id)
        )
        return counts


def retention_events(services: Services) -> list[AuditEvent]:
    with services.db.session() as s:
        return list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.action == "retention").order_by(AuditEvent.id)
            )
        )


def test_the_default_policy_keeps_everything(services: Services) -> None:
    assert retention.get_policy(services.db) == RetentionPolicy(None)
    preview = retention.preview(services.db, TODAY)
    assert preview.due == ()
    assert preview.totals() == "The policy keeps everything, so nothing is due for removal."


def test_the_preview_lists_exactly_the_people_due(
    services: Services, staff: Staff, store: Store
) -> None:
    preview = retention.preview(services.db, TODAY)

    assert [
        (p.person_id, p.left_on, p.observations, p.signed, p.due_since) for p in preview.due
    ] == [(staff.worker, date(2025, 4, 30), 2, 1, date(2031, 4, 30))]
    assert preview.due[0].name == "Siobhán Walker"
    assert [(k.person_id, k.observations, k.reason) for k in preview.no_leaving_date] == [
        (staff.senior, 1, "no leaving date recorded")
    ]
    assert (preview.people, preview.observations, preview.signed) == (1, 2, 1)
    assert preview.totals() == "2 observations of 1 person are due for removal, 1 of them signed."
    assert "no leaving date recorded" in preview.kept_without_date()


def test_someone_becomes_due_on_the_anniversary_of_leaving(
    services: Services, staff: Staff, store: Store
) -> None:
    due_today = {p.person_id for p in retention.preview(services.db, date(2031, 6, 2)).due}
    assert due_today == {staff.worker, staff.asye}
    assert retention.preview(services.db, date(2031, 4, 29)).due == ()


def test_someone_who_left_on_29_february_is_due_on_1_march() -> None:
    assert retention.add_years(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert retention.add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_reactivating_someone_clears_their_leaving_date(
    services: Services, staff: Staff, store: Store
) -> None:
    person = services.people.get_person(staff.worker)
    assert person.left_on == date(2025, 4, 30)
    services.people.update_person(
        staff.worker, PersonDetails(person.name, person.role, person.team_id, active=True)
    )

    assert services.people.get_person(staff.worker).left_on is None
    assert retention.preview(services.db, TODAY).due == ()


def test_apply_removes_their_observations_signed_ones_and_all_that_hangs_off_them(
    services: Services, staff: Staff, store: Store
) -> None:
    assert rows_of(services, store.signed) == {
        "ratings": 7, "actions": 1, "signatures": 2, "addenda": 1, "action_standards": 1,
    }  # fmt: skip
    before = observation_ids(services)

    removed = retention.apply(
        services.db, TODAY, "Priya Shah", retention.preview(services.db, TODAY)
    )

    assert (removed.observations, removed.signed) == (2, 1)
    assert observation_ids(services) == before - {store.signed, store.draft}
    assert set(rows_of(services, store.signed).values()) == {0}
    assert rows_of(services, store.observed_by_worker)["actions"] == 1
    assert services.people.get_person(staff.worker).name == "Siobhán Walker"
    assert retention.preview(services.db, TODAY).due == ()


def test_apply_writes_one_audit_entry_per_person_with_counts_and_no_names(
    services: Services, staff: Staff, store: Store
) -> None:
    retention.apply(services.db, TODAY, "Priya Shah", retention.preview(services.db, TODAY))

    (event,) = retention_events(services)
    assert (event.actor, event.record_type, event.record_id) == (
        "Priya Shah",
        "person",
        staff.worker,
    )
    assert event.detail == (
        "removed 2 observations (1 signed) under the policy of 6 years after leaving"
    )
    assert "Siobhán" not in event.detail


def test_apply_logs_ids_and_counts_never_names(
    services: Services, staff: Staff, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="observer.governance.retention"):
        retention.apply(services.db, TODAY, "Priya Shah", retention.preview(services.db, TODAY))

    logged = caplog.text
    assert str(staff.worker) in logged
    assert "Siobhán" not in logged
    assert "Walker" not in logged


@pytest.mark.parametrize(
    "change",
    ["new observation", "another person due", "policy changed", "signed count differs"],
)
def test_apply_refuses_when_the_store_changed_since_the_preview(
    services: Services, staff: Staff, store: Store, new_draft: NewDraft, change: str
) -> None:
    preview = retention.preview(services.db, TODAY)
    if change == "new observation":
        new_draft()
    elif change == "another person due":
        leave(services, staff.asye, date(2020, 1, 1))
    elif change == "policy changed":
        retention.set_policy(services.db, RetentionPolicy(5), "Priya Shah")
    else:
        preview = replace(preview, due=(replace(preview.due[0], signed=0),))
    before = observation_ids(services)

    with pytest.raises(StaleRecord, match="changed since the preview"):
        retention.apply(services.db, TODAY, "Priya Shah", preview)

    assert observation_ids(services) == before
    assert retention_events(services) == []


@pytest.mark.parametrize("years", [0, -1, 101, 2.5, "6", True, None])
def test_invalid_policy_values_are_refused_in_one_sentence(years: Any) -> None:
    with pytest.raises(InvalidInput, match=r"^Records are kept for a whole number of years"):
        retention.check_years(years)
    if years is not None:
        with pytest.raises(InvalidInput):
            RetentionPolicy(years)


def test_a_damaged_stored_policy_keeps_everything(services: Services) -> None:
    from observer.store.models import Setting

    with services.db.session() as s, s.begin():
        s.add(Setting(key=retention.POLICY_SETTING, value={"years_after_leaving": "forever"}))
    assert retention.get_policy(services.db).keeps_everything


def test_setting_the_policy_is_in_the_audit_trail(services: Services) -> None:
    retention.set_policy(services.db, RetentionPolicy(7), "Priya Shah")
    retention.set_policy(services.db, RetentionPolicy(7), "Priya Shah")  # no change, no entry
    retention.set_policy(services.db, RetentionPolicy(None), "Priya Shah")

    with services.db.session() as s:
        details = list(
            s.scalars(
                select(AuditEvent.detail)
                .where(AuditEvent.action == "retention_policy")
                .order_by(AuditEvent.occurred_at)
            )
        )
    assert details == ["policy set to 7 years after leaving", "policy set to keep everything"]
    assert retention.get_policy(services.db).keeps_everything


def test_the_preview_is_one_grouped_query_over_many_observations(
    services: Services, staff: Staff
) -> None:
    """Many leavers with many observations: one query, so the dialog opens at once."""
    from sqlalchemy import event

    with services.db.session() as s, s.begin():
        framework = s.scalar(select(Observation.framework_id).limit(1))
        if framework is None:
            from observer.store.models import Framework

            framework = s.scalar(select(Framework.id).limit(1))
        leavers = [
            Person(name=f"Leaver {n}", role=Role.SOCIAL_WORKER.value, active=False,
                   left_on=date(2020, 1, 1))
            for n in range(50)
        ]  # fmt: skip
        s.add_all(leavers)
        s.flush()
        s.execute(
            insert(Observation),
            [
                {"id": uuid.uuid4(), "observed_person_id": leavers[n % 50].id,
                 "observer_id": staff.lead, "framework_id": framework,
                 "kind": Kind.HOME_VISIT.value, "observed_at": WHEN,
                 "status": "signed" if n % 4 == 0 else "draft"}
                for n in range(5000)
            ],
        )  # fmt: skip
    retention.set_policy(services.db, RetentionPolicy(3), "Priya Shah")

    statements: list[str] = []
    engine = services.db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        preview = retention.preview(services.db, TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", listener)

    assert (preview.people, preview.observations, preview.signed) == (50, 5000, 1250)
    assert sum("observations" in sql for sql in statements) == 1


# The command line


def cli(run_cli: RunCli, data_dir: Path, *args: str) -> int:
    return run_cli(["--data-dir", str(data_dir), "retention", *args])


def test_cli_sets_and_shows_the_policy(
    services: Services, data_dir: Path, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(run_cli, data_dir, "show") == 0
    assert "Everything is kept" in capsys.readouterr().out
    assert cli(run_cli, data_dir, "set", "--years", "6") == 0
    assert cli(run_cli, data_dir, "show") == 0
    assert "removed 6 whole years after the date they left" in capsys.readouterr().out
    assert cli(run_cli, data_dir, "set", "--keep-everything") == 0
    assert retention.get_policy(services.db).keeps_everything


@pytest.mark.parametrize("years", ["0", "101"])
def test_cli_refuses_a_bad_number_of_years_in_one_line_with_exit_2(
    services: Services, data_dir: Path, run_cli: RunCli, capsys: pytest.CaptureFixture[str],
    years: str,
) -> None:  # fmt: skip
    assert cli(run_cli, data_dir, "set", "--years", years) == 2

    error = capsys.readouterr().err
    assert error.startswith("observer: Records are kept for a whole number of years")
    assert error.count("\n") == 1
    assert retention.get_policy(services.db).keeps_everything


def test_cli_refuses_years_that_are_not_a_number_as_a_usage_error(
    data_dir: Path, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        cli(run_cli, data_dir, "set", "--years", "six")
    assert raised.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


def test_cli_preview_json_says_who_is_due(
    services: Services, staff: Staff, store: Store, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _today_is(monkeypatch, TODAY)
    assert cli(run_cli, data_dir, "preview", "--json") == 0

    shown = json.loads(capsys.readouterr().out)
    assert shown["policy"] == {"years_after_leaving": 6}
    assert [
        (p["person_id"], p["observations"], p["signed"], p["due_since"]) for p in shown["due"]
    ] == [(str(staff.worker), 2, 1, "2031-04-30")]
    assert [k["reason"] for k in shown["kept"]] == ["no leaving date recorded"]
    assert shown["totals"] == {"people": 1, "observations": 2, "signed": 1}


def test_cli_apply_without_yes_shows_the_preview_removes_nothing_and_exits_2(
    services: Services, store: Store, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _today_is(monkeypatch, TODAY)
    before = observation_ids(services)

    assert cli(run_cli, data_dir, "apply") == 2

    out, err = capsys.readouterr()
    assert "Siobhán Walker" in out
    assert "2 observations of 1 person are due for removal, 1 of them signed." in out
    assert "add --yes" in err
    assert observation_ids(services) == before


def test_cli_apply_with_yes_removes_and_says_how_many(
    services: Services, store: Store, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _today_is(monkeypatch, TODAY)

    assert cli(run_cli, data_dir, "apply", "--yes") == 0

    assert "Removed 2 observations (1 signed) of 1 person." in capsys.readouterr().out
    assert store.signed not in observation_ids(services)
    assert len(retention_events(services)) == 1
    assert cli(run_cli, data_dir, "apply") == 0  # nothing left to confirm
    assert "Nothing is due for removal." in capsys.readouterr().out


def _today_is(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    import observer.cli.retention as module

    class Today(date):
        @classmethod
        def today(cls) -> Today:
            return cls(day.year, day.month, day.day)

    monkeypatch.setattr(module, "date", Today)


# Once the laptop has joined a team server

JOINED_SENTENCE = (
    "This laptop has joined the team server at https://observer.example.org, whose "
    "administrator sets retention: the laptop removes nothing itself, and each sync removes "
    "here what the server removed."
)


def join(services: Services) -> None:
    """As joining leaves the store (observer/sync/joining.py), without a server."""
    with services.db.session() as s, s.begin():
        state.put(
            s,
            **{state.SERVER: "https://observer.example.org", state.TOKEN: "t"},
            **{state.PERSON: str(uuid.uuid4()), state.ROLE: "practice_lead"},
            **{JOINED_KEY: str(uuid.uuid4())},
        )


def test_once_joined_the_laptops_own_retention_removes_nothing_and_says_whose_it_is(
    services: Services, store: Store, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _today_is(monkeypatch, TODAY)
    join(services)
    before = observation_ids(services)

    for command in ("show", "preview"):
        assert cli(run_cli, data_dir, command) == 0
        assert capsys.readouterr().out == JOINED_SENTENCE + "\n"
    assert cli(run_cli, data_dir, "preview", "--json") == 0
    assert json.loads(capsys.readouterr().out)["message"] == JOINED_SENTENCE
    assert cli(run_cli, data_dir, "apply", "--yes") == 2
    assert capsys.readouterr().err == f"observer: {JOINED_SENTENCE}\n"
    assert cli(run_cli, data_dir, "set", "--keep-everything") == 2
    assert capsys.readouterr().err == f"observer: {JOINED_SENTENCE}\n"

    assert observation_ids(services) == before
    assert retention_events(services) == []
    assert services.retention.preview(TODAY).due == ()  # a restore applies nothing either
    with pytest.raises(retention.RetentionOnServer):
        services.retention.apply(TODAY, replace(services.retention.preview(TODAY)))
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(sync_outbox)) == 0, "no delete queued"
