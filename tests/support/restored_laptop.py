"""A lead's laptop restored from its own backup after it had synced since (for the sync
tests and the window's)."""

from __future__ import annotations

import uuid
from pathlib import Path

from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.services import DataFolder, Services
from observer.store.models import Observation
from observer.vocabulary import Kind
from tests.support.core import CONSENT, WHEN
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.sync import Lead

RESTORED_SAID = (
    "This laptop was restored from a backup after it had synced: the team server has been "
    "told (both audit trails record it), and what the backup lacked came back from the server."
)


def draft_of(laptop: Services, lead: Lead, focus: str) -> uuid.UUID:
    me = laptop.profiles.current().person_id  # type: ignore[union-attr]
    return laptop.recording.create_draft(
        DraftDetails(lead.worker, me, Kind.HOME_VISIT, WHEN, focus=focus, **CONSENT)
    )


def observation(laptop: Services, record: uuid.UUID) -> Observation | None:
    with laptop.db.session() as s:
        return s.get(Observation, record)


def restore_from_backup(lead: Lead) -> tuple[Path, uuid.UUID]:
    """A backup, then a change and a new record synced, then the backup restored: returns
    the data folder and the record the restore lost."""
    backup = lead.laptop.backups.make()
    lead.laptop.recording.save(
        lead.draft, [Change("strengths", "Calm with the family.", "Calm and kind.")]
    )
    lost = draft_of(lead.laptop, lead, "Preparing for the conference.")
    assert lead.laptop.sync.sync().refused == 0
    lead.laptop.sync.sync()  # the server now holds events made after the backup
    folder = lead.laptop.data_dir
    lead.laptop.close()
    data = DataFolder(folder)
    plan = data.plan_restore(backup, STORE_PASSPHRASE)
    data.restore(backup, STORE_PASSPHRASE, plan.to_confirm)
    return folder, lost
