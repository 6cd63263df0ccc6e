"""Core-test fixtures: a small staff list, drafts, and the command line run in-process."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from core_helpers import WHEN, NewDraft, RunCli, Staff

from observer.cli.main import main as cli_main
from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind, Role


@pytest.fixture
def staff(services: Services) -> Staff:
    people = services.people
    team = people.add_team("Children in Care")
    manager = people.add_person(PersonDetails("Morag Campbell", Role.TEAM_MANAGER, team))
    people.update_team(team, "Children in Care", manager)
    return Staff(
        team=team,
        manager=manager,
        lead=people.add_person(PersonDetails("Aled Hughes", Role.PRACTICE_LEAD)),
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
def run_cli() -> Iterator[RunCli]:
    """Runs `observer ...` in this process; closes the log files it opens afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield lambda argv: cli_main(list(argv))
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
