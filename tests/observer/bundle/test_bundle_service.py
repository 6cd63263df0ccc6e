"""services.bundles: an export writes the file and is audited; an import reads it back."""

from __future__ import annotations

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
    assert (event.record_type, event.detail) == ("bundle", "0 observations, encrypted, about to be written")
    result = services.bundles.import_file(target, "agreed with the office")
    assert result.describe().startswith("frameworks: ")
