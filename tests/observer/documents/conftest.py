"""Fixtures for the summary tests: a folder to write into and a record both parties signed."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from observer.services import Services
from observer.vocabulary import Role, SignatureRole
from tests.support.core import NewDraft, Staff
from tests.support.signing import filled


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def signed_record(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
    record = filled(services, new_draft, staff)
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    return record
