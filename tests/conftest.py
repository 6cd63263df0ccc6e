"""Shared fixtures: every test gets its own data dir under tmp_path, never the real home;
one staff list and one way to seed observations, for the core and the interface tests alike."""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from observer.paths import database_path
from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services, open_services
from observer.store import encryption
from observer.vocabulary import Kind, Role
from tests.support.core import WHEN, NewDraft, Staff
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.review import Recorder

# Property tests draw the same examples on every run, so a landing never hangs on luck.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.load_profile("repeatable")

_derive_key = encryption.derive_key


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user data dir."""
    monkeypatch.setenv("OBSERVER_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("OBSERVER_PASSPHRASE", STORE_PASSPHRASE)


@pytest.fixture(autouse=True, scope="session")
def _each_key_derived_once() -> Iterator[None]:
    """The real key derivation runs once per passphrase and salt in this process: hundreds
    of test stores would otherwise spend minutes re-deriving the same key."""
    encryption.derive_key = functools.cache(_derive_key)  # type: ignore[assignment]
    yield
    encryption.derive_key = _derive_key


@pytest.fixture(scope="session")
def _template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new, migrated store; each test's store starts as a copy (same salt, same key)."""
    folder = tmp_path_factory.mktemp("template-store")
    open_services(folder, STORE_PASSPHRASE).close()
    return database_path(folder)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store_dir(data_dir: Path, _template_store: Path) -> Path:
    """A data folder holding a new store (under STORE_PASSPHRASE), for commands that need
    one: only `setup`, `demo` and `import` make a store where there is none."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template_store, database_path(data_dir))
    return data_dir


@pytest.fixture
def services(data_dir: Path, _template_store: Path) -> Iterator[Services]:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template_store, database_path(data_dir))
    opened = open_services(data_dir, STORE_PASSPHRASE)
    yield opened
    opened.close()


@pytest.fixture
def lead_is_this_laptops_user() -> bool:
    """Whether `staff`'s practice lead is recorded as this laptop's user. The interface tests
    say yes (tests/ui/conftest.py), as after the first run; the core tests set up their own
    user where it matters."""
    return False


@pytest.fixture
def staff(services: Services, lead_is_this_laptops_user: bool) -> Staff:
    """A practice lead, and a team with its manager, a social worker, an ASYE and a senior
    practitioner."""
    people = services.people
    team = people.add_team("Children in Care")
    manager = people.add_person(PersonDetails("Morag Campbell", Role.TEAM_MANAGER, team))
    people.update_team(team, "Children in Care", manager)
    if lead_is_this_laptops_user:
        profile = services.profiles.set_up(
            "Aled Hughes", Role.PRACTICE_LEAD, "Northshire County Council"
        )
        lead = profile.person_id
    else:
        lead = people.add_person(PersonDetails("Aled Hughes", Role.PRACTICE_LEAD))
    return Staff(
        team=team,
        manager=manager,
        lead=lead,
        worker=people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER, team)),
        asye=people.add_person(PersonDetails("Łukasz Nowak", Role.ASYE, team)),
        senior=people.add_person(PersonDetails("Zoë Green", Role.SENIOR_PRACTITIONER, team)),
    )


@pytest.fixture
def new_draft(services: Services, staff: Staff) -> NewDraft:
    """Creates a draft of `staff.worker`, observed by `staff.lead`, unless told otherwise."""

    def make(
        kind: Kind = Kind.HOME_VISIT,
        person: uuid.UUID | None = None,
        when: datetime = WHEN,
        **extra: Any,
    ) -> uuid.UUID:
        if kind.involves_family and "family_present" not in extra:
            # A home visit has the family there, so a finished record says who consented.
            extra.setdefault("consent_given_by", "The child's mother")
            extra.setdefault("consent_how", "Verbally, at the start of the visit")
        return services.recording.create_draft(
            DraftDetails(
                observed_person_id=person or staff.worker,
                observer_id=staff.lead,
                kind=kind,
                observed_at=when,
                **extra,
            )
        )

    return make


@pytest.fixture
def record(services: Services, staff: Staff) -> Recorder:
    """Seeds observations as a manager's review sees them: dated, rated, finished or not."""
    return Recorder(services, staff)


@pytest.fixture
def other_laptop_window(data_dir: Path, services: Services) -> Iterator[Services]:
    """A second app process on the same store: its own engine and sessions."""
    second = open_services(data_dir, STORE_PASSPHRASE)
    yield second
    second.close()
