"""services.bundles: an export writes the file and is audited; an import reads it back."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.vocabulary import Role


def test_an_export_is_audited_and_imports_elsewhere(services: Services, tmp_path: Path) -> None:
    zoe = services.people.add_person(PersonDetails("Zoë Łukasiewicz", Role.SOCIAL_WORKER))
    target = tmp_path / "zoe.bundle"

    done = services.bundles.export(target, "agreed with the office", [zoe])

    assert (done.people, done.observations, done.encrypted) == (1, 0, True)
    (event,) = [e for e in services.audit.events() if e.record_type == "bundle"]
    assert (event.record_type, event.detail) == (
        "bundle",
        "0 observations, encrypted, about to be written",
    )
    result = services.bundles.import_file(target, "agreed with the office")
    assert result.describe().startswith("frameworks: ")


def test_a_plain_bundle_is_readable_by_its_owner_only(services: Services, tmp_path: Path) -> None:
    services.people.add_person(PersonDetails("Zoë Łukasiewicz", Role.SOCIAL_WORKER))
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "plain.json"
    umask = os.umask(0o022)
    try:
        done = services.bundles.export(target, None)
    finally:
        os.umask(umask)

    assert not done.encrypted
    assert "Zoë Łukasiewicz" in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["plain.json"]
