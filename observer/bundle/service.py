"""Bundles as a service: export some or all records to a file, and import one, each
recorded in the audit trail (the command line's export-json and import)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from observer.bundle.export import export_bundle, write_bundle
from observer.bundle.importer import ImportResult, import_bundle, read_bundle
from observer.governance.audit import record_event
from observer.store.db import Database


@dataclass(frozen=True)
class Exported:
    observations: int
    people: int
    teams: int
    encrypted: bool


class Bundles:
    def __init__(self, db: Database, actor: Callable[[], str]) -> None:
        self._db = db
        self._actor = actor

    def export(
        self, target: Path, passphrase: str | None, person_ids: Iterable[uuid.UUID] | None = None
    ) -> Exported:
        """Writes the records (of `person_ids`, else everyone's) to `target`, sealed with
        `passphrase` or, with None, as readable JSON; the export is audited."""
        bundle = export_bundle(self._db, None if person_ids is None else tuple(person_ids))
        write_bundle(bundle, target, passphrase)
        done = Exported(
            observations=len(bundle["observations"]),
            people=len(bundle["people"]),
            teams=len(bundle["teams"]),
            encrypted=passphrase is not None,
        )
        with self._db.session() as s, s.begin():
            record_event(
                s,
                actor=self._actor(),
                action="export",
                record_type="bundle",
                record_id=None,
                detail=f"{done.observations} observations, "
                f"{'encrypted' if done.encrypted else 'not encrypted'}",
            )
        return done

    def import_file(self, path: Path, passphrase: str | None) -> ImportResult:
        """Reads a bundle and imports it, all or nothing."""
        return import_bundle(self._db, read_bundle(path, passphrase), self._actor(), path.name)
