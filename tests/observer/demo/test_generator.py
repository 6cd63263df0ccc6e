"""The sample data a newcomer sees: varied, realistic and internally consistent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from observer.demo import generator
from observer.demo.generator import generate
from observer.records.canonical import (
    OBSERVATION_LOAD_OPTIONS,
    content_hash,
    observation_document,
)
from observer.records.readiness import missing_for_sign_off
from observer.records.recording import ObservationSummary
from observer.records.sections import FAMILY_SECTIONS, shown
from observer.review.worker_history import worker_history
from observer.services import Services, open_services
from observer.store.models import Observation, Signature
from observer.vocabulary import ActionStatus, Kind, Role, Status
from tests.support.core import Staff
from tests.support.passphrase import STORE_PASSPHRASE


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = open_services(tmp_path_factory.mktemp("demo"), STORE_PASSPHRASE)
    summary = generate(services, workers=8, observations=150, seed=21)
    assert summary.observations == 150
    yield services
    services.close()


@pytest.fixture(scope="module")
def rows(demo: Services) -> list[ObservationSummary]:
    return demo.recording.list()


def test_the_summary_matches_what_was_stored(
    demo: Services, rows: list[ObservationSummary]
) -> None:
    assert len(rows) == demo.recording.count() == 150
    assert len(demo.people.list_people()) >= 8 + 3 + 2  # workers, team managers, leads


def test_every_kind_of_observation_appears(rows: list[ObservationSummary]) -> None:
    assert {row.kind for row in rows} == set(Kind)


def test_every_status_appears(rows: list[ObservationSummary]) -> None:
    assert {row.status for row in rows} == set(Status)


def test_there_are_open_done_and_overdue_actions(demo: Services) -> None:
    today = datetime.now(UTC).date()
    actions = demo.actions.actions()
    assert {a.status for a in actions} == set(ActionStatus)
    overdue = [a for a in actions if a.is_overdue(today)]
    assert overdue
    assert all(a.status is ActionStatus.OPEN and a.due_date < today for a in overdue)  # type: ignore[operator]
    assert any(a.status is ActionStatus.OPEN and not a.is_overdue(today) for a in actions)


def test_records_ready_or_signed_meet_the_sign_off_checklist(
    demo: Services, rows: list[ObservationSummary]
) -> None:
    """Consent where the kind implies a child or family, and no action due before its
    observation: the rules the editor holds a new record to hold in the sample too."""
    finished = [row for row in rows if row.status is not Status.DRAFT]
    assert finished
    for row in finished:
        view = demo.recording.get(row.id)
        assert missing_for_sign_off(view) == [], (row.kind, row.status)
        assert view.family_present or not view.kind.involves_family


def test_supervision_records_have_no_family_sections_and_name_the_supervisee(
    demo: Services, rows: list[ObservationSummary]
) -> None:
    supervision = [demo.recording.get(r.id) for r in rows if r.kind.is_supervision]
    assert supervision
    for view in supervision:
        assert not any(shown(view, section) for section in FAMILY_SECTIONS)
        assert not view.family_present
        assert "supervis" in view.others_present


def test_consent_in_direct_work_is_given_by_the_family_never_by_a_supervisee(
    demo: Services, rows: list[ObservationSummary]
) -> None:
    with_family = [v for v in map(demo.recording.get, (r.id for r in rows)) if v.family_present]
    assert with_family
    for view in with_family:
        assert view.consent_given_by
        assert "supervis" not in view.consent_given_by.lower()


def test_names_include_accented_letters(demo: Services) -> None:
    names = [p.name for p in demo.people.list_people()]
    assert any(not name.isascii() for name in names)
    assert len(set(names)) == len(names)


def test_there_are_several_teams_each_with_a_manager_and_members(demo: Services) -> None:
    teams = demo.people.list_teams()
    assert len(teams) >= 3
    assert all(team.manager_name for team in teams)
    assert sum(team.members for team in teams) >= 8


def test_observations_span_about_two_years_and_none_is_in_the_future(
    rows: list[ObservationSummary],
) -> None:
    now = datetime.now(UTC)
    oldest = min(row.observed_at for row in rows)
    assert now - oldest > timedelta(days=600)
    assert now - oldest <= timedelta(days=740)
    assert all(row.observed_at <= now for row in rows)
    assert all(row.observed_at.weekday() < 5 for row in rows)  # observed on working days


def test_signed_records_are_complete_with_narrative(
    demo: Services, rows: list[ObservationSummary]
) -> None:
    signed = [demo.recording.get(row.id) for row in rows if row.status is Status.SIGNED]
    assert len(signed) > 50
    for view in signed:
        for section in ("strengths", "development_areas", "child_voice", "reflection"):
            if shown(view, section):
                assert getattr(view, section).strip(), f"{view.id} has no {section}"
            else:
                assert view.kind.is_supervision
        assert view.overall_level_code is not None
        assert view.overall_rationale.strip()
        assert all(r.level_code is not None for r in view.ratings)
        if view.family_present:
            assert view.family_feedback.strip()
    assert any(view.family_feedback for view in signed)


def test_signed_records_carry_two_signatures_over_their_content(demo: Services) -> None:
    with demo.db.session() as s:
        observations = list(
            s.scalars(select(Observation).options(*OBSERVATION_LOAD_OPTIONS)).unique()
        )
        signed = [o for o in observations if o.status == Status.SIGNED.value]
        assert signed
        for o in signed:
            digest = content_hash(observation_document(o))
            assert sorted(sig.role for sig in o.signatures) == ["observer", "practitioner"]
            assert {sig.content_hash for sig in o.signatures} == {digest}
            names = {sig.role: sig.name for sig in o.signatures}
            assert names == {"observer": o.observer.name, "practitioner": o.observed_person.name}
        assert all(not o.signatures for o in observations if o.status != Status.SIGNED.value)


def test_a_changed_record_no_longer_matches_its_signatures(demo: Services) -> None:
    """The hash covers what was judged: the check above would notice an edit."""
    with demo.db.session() as s:
        o = next(
            o
            for o in s.scalars(select(Observation).options(*OBSERVATION_LOAD_OPTIONS)).unique()
            if o.signatures
        )
        document = observation_document(o)
    document["strengths"] += " (edited)"
    assert content_hash(document) != o.signatures[0].content_hash


def test_the_same_seed_gives_the_same_people(tmp_path_factory: pytest.TempPathFactory) -> None:
    def names(seed: int) -> list[str]:
        services = open_services(tmp_path_factory.mktemp("seeded"), STORE_PASSPHRASE)
        try:
            generate(services, workers=3, observations=2, seed=seed)
            return [p.name for p in services.people.list_people()]
        finally:
            services.close()

    assert names(4) == names(4)
    assert names(4) != names(5)


def test_demo_data_can_be_added_twice_without_clashing_names(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    services = open_services(tmp_path_factory.mktemp("twice"), STORE_PASSPHRASE)
    try:
        generate(services, workers=3, observations=4, seed=1)
        generate(services, workers=3, observations=4, seed=1)
        names = [p.name for p in services.people.list_people()]
        assert len(names) == len(set(names))
        assert services.recording.count() == 8
        assert len({t.name for t in services.people.list_teams()}) == len(
            services.people.list_teams()
        )
    finally:
        services.close()


def test_newly_qualified_workers_began_their_asye_year_within_the_last_year(
    demo: Services,
) -> None:
    today = datetime.now(UTC).date()
    newly_qualified = [p for p in demo.people.list_people() if p.role is Role.ASYE]
    assert newly_qualified
    for person in newly_qualified:
        assert person.asye_started_on is not None
        assert today - timedelta(days=366) < person.asye_started_on < today
        tracker = worker_history(demo.db, person.id).asye
        assert tracker is not None
        assert tracker.started_on == person.asye_started_on


def test_some_workers_have_recurring_development_areas_with_their_evidence(
    demo: Services,
) -> None:
    areas = [
        area
        for person in demo.people.list_people()
        for area in worker_history(demo.db, person.id).recurring_areas
    ]
    assert areas
    assert all(len(area.below_good) >= 2 for area in areas)
    assert all(rating.evidence for area in areas for rating in area.below_good)


def test_one_worker_can_be_made_busy_for_the_review_benchmark(
    services: Services, staff: Staff
) -> None:
    from observer.demo.generator import add_observations_for
    from observer.records.recording import ObservationFilter

    assert add_observations_for(services, staff.worker, 12, seed=4) == 12

    mine = services.recording.list(ObservationFilter(person_ids=(staff.worker,)))
    assert len(mine) == services.recording.count() == 12
    assert {o.observer for o in mine} <= {"Aled Hughes", "Morag Campbell"}


def test_every_demo_sign_off_is_in_the_audit_trail_and_the_check_passes(
    demo: Services,
) -> None:
    """Sample data signs as sign-off in the room does: each signature has its event with the
    record's content hash, so `audit verify` on a demo store is intact and complete."""
    from observer.store.models import AuditEvent, Signature

    with demo.db.session() as s:
        signatures = {
            (row.observation_id, f"sign:{row.role}", row.content_hash)
            for row in s.execute(
                select(Signature.observation_id, Signature.role, Signature.content_hash)
            )
        }
        events = {
            (row.record_id, row.action, row.content_hash)
            for row in s.execute(
                select(AuditEvent.record_id, AuditEvent.action, AuditEvent.content_hash).where(
                    AuditEvent.action.like("sign:%")
                )
            )
        }

    assert signatures
    assert events == signatures
    report = demo.audit.verify()
    assert report.ok, report.problems
    assert all(demo.signoff.signed_record(row[0]).problem is None for row in list(signatures)[:5])


def test_nothing_in_the_sample_data_is_dated_after_it_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Records dated in the future count as changed after every backup made meanwhile, so a
    # restore would name them as lost when nothing had changed. A Wednesday noon, and a
    # history of two days, put every observation near the time the data is made.
    made = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(generator, "utc_now", lambda: made)
    monkeypatch.setattr(generator, "HISTORY_DAYS", 2)
    services = open_services(tmp_path, STORE_PASSPHRASE)
    try:
        generate(services, workers=4, observations=40, seed=3)
        with services.db.session() as s:
            stamps = s.execute(select(Observation.created_at, Observation.updated_at)).all()
            signed = s.scalars(select(Signature.signed_at)).all()
    finally:
        services.close()
    assert stamps
    assert max(created for created, _ in stamps) <= made
    assert max(signed, default=made) <= made
