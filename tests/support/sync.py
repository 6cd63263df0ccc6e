"""Fixtures for sync tests: laptops (real encrypted stores) and a real team server, a
migrated PostgreSQL 15 of the test's own (tests/observer/server/conftest.py) served by
uvicorn on 127.0.0.1 in a thread."""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from observer.paths import database_path
from observer.people.directory import PersonDetails
from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.server import enrolment
from observer.server.app import create_app
from observer.services import Services, open_services
from observer.vocabulary import Kind, Role, SignatureRole
from tests.observer.server.conftest import postgres, server_db  # noqa: F401  (fixtures)
from tests.support.core import CONSENT, WHEN
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.postgres import free_port
from tests.support.server import ServerDatabase

ORGANISATION = "Northshire County Council"
STARTUP_S = 30

Laptop = Callable[..., Services]


class LiveServer:
    """The sync service on 127.0.0.1, as `observer-server serve` runs it."""

    def __init__(self, db: ServerDatabase) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(db.service), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + STARTUP_S
        while not self.server.started:  # uvicorn sets it once the socket listens
            if not self.thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("uvicorn did not start")
            self.thread.join(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)

    def code_for(self, name: str, role: str = "practice_lead", teams: tuple[str, ...] = ()) -> str:
        """A one-time code for that person (added to the server first if new)."""
        with self.db.owner.begin() as conn:
            try:
                enrolment.find_person(conn, name)
            except Exception:
                self.db.person(name)
        with self.db.owner.begin() as conn:
            return enrolment.enrol(conn, name, role, teams).code


@pytest.fixture
def live_server(server_db: ServerDatabase) -> Iterator[LiveServer]:  # noqa: F811
    running = LiveServer(server_db)
    yield running
    running.stop()


@pytest.fixture
def make_laptop(tmp_path: Path, _template_store: Path) -> Iterator[Laptop]:
    """Opens a new laptop (its own data folder and store), with its user set up."""
    opened: list[Services] = []

    def make(name: str = "Aled Hughes", role: Role = Role.PRACTICE_LEAD) -> Services:
        folder = tmp_path / f"laptop-{len(opened) + 1}"
        folder.mkdir()
        shutil.copyfile(_template_store, database_path(folder))
        services = open_services(folder, STORE_PASSPHRASE)
        services.profiles.set_up(name, role, ORGANISATION)
        opened.append(services)
        return services

    yield make
    for services in opened:
        services.close()


TEAM = "Children in Care"


@dataclass
class Lead:
    laptop: Services
    draft: uuid.UUID
    worker: uuid.UUID


def lead_with_a_draft(live_server: LiveServer, make_laptop: Laptop) -> Lead:
    laptop = make_laptop("Aled Hughes")
    team = laptop.people.add_team(TEAM)
    worker = laptop.people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER, team))
    me = laptop.profiles.current().person_id  # type: ignore[union-attr]
    draft = laptop.recording.create_draft(
        DraftDetails(worker, me, Kind.HOME_VISIT, WHEN, focus="Planning the review.", **CONSENT)
    )
    laptop.recording.save(draft, [Change("strengths", "", "Calm with the family.")])
    laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    return Lead(laptop, draft, worker)


def signed_in_the_room(lead: Lead) -> None:
    """The lead's draft rated, judged, and signed by the observer and the practitioner."""
    for rating in lead.laptop.recording.get(lead.draft).ratings:
        lead.laptop.recording.set_rating(
            lead.draft, rating.standard_code, level_code="good", evidence="Seen on the visit."
        )
    lead.laptop.recording.update(
        lead.draft,
        {"overall_level": "good", "overall_rationale": "Clear.", "strengths": "Calm."},
    )
    lead.laptop.signoff.sign(lead.draft, SignatureRole.OBSERVER, "Aled Hughes")
    lead.laptop.signoff.sign(lead.draft, SignatureRole.PRACTITIONER, "Siobhán Walker")
