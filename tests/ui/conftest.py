"""Fixtures for the interface tests: a recording stand-in for prompts, people in the store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool

from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind, Role
from tests.support.prompts import FakePrompts
from ui.export_process import end_export_processes

# The offscreen platform cannot pass window size hints on and says so for every window.
OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)$"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path) -> None:
    """QSettings computes its folders once per process; point them at this test's folder."""
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(tmp_path / "settings"))
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(tmp_path / "settings"))


@pytest.fixture
def lead_is_this_laptops_user() -> bool:
    """The main window and its panels act as this laptop's user: `staff`'s practice lead."""
    return True


@pytest.fixture
def prompts() -> FakePrompts:
    return FakePrompts()


@dataclass(frozen=True)
class Cast:
    observer: uuid.UUID
    worker: uuid.UUID
    team: uuid.UUID


@pytest.fixture
def cast(services: Services) -> Cast:
    """A practice lead, a social worker with a non-ASCII name, and their team."""
    team = services.people.add_team("Assessment North")
    lead = services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire County Council")
    worker = services.people.add_person(
        PersonDetails("Zoë Łukasiewicz", Role.SOCIAL_WORKER, team_id=team, staff_reference="SW-17")
    )
    return Cast(lead.person_id, worker, team)


@pytest.fixture
def observation(services: Services, cast: Cast) -> uuid.UUID:
    """A draft home visit of the worker, with one overdue action and one due next month."""
    observation_id = services.recording.create_draft(
        DraftDetails(
            observed_person_id=cast.worker,
            observer_id=cast.observer,
            kind=Kind.HOME_VISIT,
            observed_at=datetime(2025, 3, 14, 10, 30, tzinfo=UTC),
        )
    )
    services.recording.add_action(
        observation_id,
        "Use the three houses tool with the younger child",
        owner_id=cast.worker,
        due_date=date.today() - timedelta(days=7),
    )
    services.recording.add_action(
        observation_id,
        "Read the chronology before the next visit",
        owner_id=cast.worker,
        due_date=date.today() + timedelta(days=30),
    )
    return observation_id


@pytest.fixture(autouse=True)
def _background_work_ends_with_the_test() -> Iterator[None]:
    """Work a test left on the thread pool (a search, say), or an export process, finishes
    before the next test."""
    yield
    QThreadPool.globalInstance().waitForDone()
    end_export_processes()
