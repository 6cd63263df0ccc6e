"""Seeding what the Service section reads: narrative sections, actions linked to standards."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select

from observer.services import Services
from observer.store.models import Standard, action_standards
from observer.vocabulary import Status
from tests.support.core import force_status


def write_sections(services: Services, observation: uuid.UUID, **sections: str) -> None:
    """Writes narrative sections (child_voice, family_feedback...) into a finished record."""
    status = services.recording.get(observation).status
    force_status(services.db, observation, Status.DRAFT)
    services.recording.update(observation, sections)
    force_status(services.db, observation, status)


def link_standards(
    services: Services, action: uuid.UUID, framework: uuid.UUID, *codes: str
) -> None:
    """Links an agreed action to standards of a framework version (no editor does yet)."""
    with services.db.session() as s, s.begin():
        for code in codes:
            standard = s.scalars(
                select(Standard.id).where(Standard.framework_id == framework, Standard.code == code)
            ).one()
            s.execute(insert(action_standards).values(action_id=action, standard_id=standard))
