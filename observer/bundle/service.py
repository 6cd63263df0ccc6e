"""Bundles as a service: export some or all records to a file, and import one, each
recorded in the audit trail (the command line's export-json and import)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from observer.bundle.export import bundle_file, export_bundle
from observer.bundle.importer import ImportResult, import_bundle, read_bundle
from observer.bundle.sealed import check_bundle_passphrase
from observer.errors import InvalidInput
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
        `passphrase` or, with None, as readable JSON, readable by its owner only. The audit
        event is committed first and the file put in place after it, so a store too busy
        to record the export leaves no file behind."""
        from observer.signing.files import write_recorded

        if target.is_dir():
            raise InvalidInput(f"{target} is a folder; give a file name for the bundle.")
        if passphrase is not None:
            check_bundle_passphrase(passphrase)
        bundle = export_bundle(
            self._db, None if person_ids is None else tuple(person_ids), exported_by=self._actor()
        )
        done = Exported(
            observations=len(bundle["observations"]),
            people=len(bundle["people"]),
            teams=len(bundle["teams"]),
            encrypted=passphrase is not None,
        )
        sealing = "encrypted" if done.encrypted else "not encrypted"
        write_recorded(
            target,
            bundle_file(bundle, passphrase),
            lambda: self._audit(
                f"{done.observations} observations, {sealing}, about to be written"
            ),
            what="bundle",
            not_completed=lambda: self._audit(
                f"{done.observations} observations, {sealing}: not written after all "
                "(the file could not be put in place)"
            ),
        )
        return done

    def _audit(self, detail: str) -> None:
        with self._db.session() as s, s.begin():
            record_event(
                s,
                actor=self._actor(),
                action="export",
                record_type="bundle",
                record_id=None,
                detail=detail,
            )

    def import_file(self, path: Path, passphrase: str | None) -> ImportResult:
        """Reads a bundle and imports it, all or nothing."""
        return import_bundle(self._db, read_bundle(path, passphrase), self._actor(), path.name)
