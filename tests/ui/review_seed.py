"""Seeding a manager's review through the services, with the core tests' own helpers.

tests/observer/review_helpers.py (and core_helpers.py, which it imports) are on sys.path
only when the core tests run; they are loaded from their files here, once.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.vocabulary import Role


def _core_test_module(name: str) -> ModuleType:
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    path = Path(__file__).parents[1] / "observer" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


core_helpers = _core_test_module("core_helpers")
review_helpers = _core_test_module("review_helpers")
Staff = core_helpers.Staff
Recorder = review_helpers.Recorder
added_on = review_helpers.added_on
framework_id = review_helpers.framework_id
noon = review_helpers.noon
second_version = review_helpers.second_version
start_asye = review_helpers.start_asye


def make_staff(services: Services) -> Staff:
    """The core tests' staff list, with the practice lead as this laptop's user."""
    people = services.people
    team = people.add_team("Children in Care")
    manager = people.add_person(PersonDetails("Morag Campbell", Role.TEAM_MANAGER, team))
    people.update_team(team, "Children in Care", manager)
    lead = services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire County Council")
    return Staff(
        team=team,
        manager=manager,
        lead=lead.person_id,
        worker=people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER, team)),
        asye=people.add_person(PersonDetails("Łukasz Nowak", Role.ASYE, team)),
        senior=people.add_person(PersonDetails("Zoë Green", Role.SENIOR_PRACTITIONER, team)),
    )
