"""The improvement plan in bundles: every version travels; one held already changes
nothing, a different one becomes the newest version; a bad one refuses the whole bundle."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from observer.bundle import export_bundle, import_bundle
from observer.errors import InvalidBundle
from observer.paths import database_path
from observer.service.plan import shipped_plan
from observer.services import Services, open_services
from tests.support.core import store_snapshot
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.themes import moved, plan_rows, shipped_document, write


@pytest.fixture
def other(tmp_path: Path, _template_store: Path) -> Iterator[Services]:
    """A second laptop's store, new."""
    folder = tmp_path / "other"
    folder.mkdir()
    shutil.copyfile(_template_store, database_path(folder))
    opened = open_services(folder, STORE_PASSPHRASE)
    yield opened
    opened.close()


def _versions(services: Services) -> list[tuple[int, str]]:
    return [(v.version, v.content_hash) for v in services.themes.history()]


def test_a_bundle_carries_the_plan_and_its_history_to_a_new_laptop(
    services: Services, other: Services, tmp_path: Path
) -> None:
    services.themes.import_file(write(tmp_path / "ours.json", moved(shipped_document(), "1", 3)))
    target = tmp_path / "all.json"
    services.bundles.export(target, None)

    result = other.bundles.import_file(target, None)

    assert other.themes.current() == services.themes.current()
    assert _versions(other) == _versions(services)
    assert result.added["improvement plans"] == 1
    assert result.unchanged["improvement plans"] == 1  # the shipped one, held already
    assert "improvement plans: 1 added as new versions, 1 held already" in result.describe()
    source = other.themes.history()[-1].source
    assert source == "all.json (improvement_plans[1])"


def test_importing_the_same_bundle_again_changes_no_plan(
    services: Services, other: Services, tmp_path: Path
) -> None:
    services.themes.import_file(write(tmp_path / "ours.json", moved(shipped_document(), "1", 3)))
    bundle = export_bundle(services.db)
    import_bundle(other.db, bundle, "Aled Hughes", "all.json")
    before = plan_rows(other)

    again = import_bundle(other.db, bundle, "Aled Hughes", "all.json")

    assert again.added.get("improvement plans") is None
    assert again.unchanged["improvement plans"] == 2
    versions, themes, mapped, events = plan_rows(other)
    assert (versions, themes, mapped) == before[:3]
    assert events == before[3] + 1  # the bundle's import itself, and no plan's


def test_a_different_plan_from_a_bundle_becomes_the_newest_version_and_ours_is_kept(
    services: Services, other: Services, tmp_path: Path
) -> None:
    theirs = moved(shipped_document(), "1", 3)
    ours = moved(shipped_document(), "6", 2)
    services.themes.import_file(write(tmp_path / "theirs.json", theirs))
    other.themes.import_file(write(tmp_path / "ours.json", ours))
    ours_plan = other.themes.current()

    import_bundle(other.db, export_bundle(services.db), "Aled Hughes", "theirs-bundle.json")

    history = other.themes.history()
    assert [v.version for v in history] == [1, 2, 3]
    assert history[1].plan == ours_plan
    assert other.themes.current() == services.themes.current()


def test_a_workers_bundle_carries_the_plan_and_the_frameworks_it_maps(
    services: Services, other: Services, tmp_path: Path
) -> None:
    services.themes.import_file(write(tmp_path / "ours.json", moved(shipped_document(), "1", 3)))

    bundle = export_bundle(services.db, [])

    assert {(f["key"], f["version"]) for f in bundle["frameworks"]} == {
        (f, 1)
        for f in (
            "direct-work-practice",
            "kss-child-and-family-practitioners",
            "kss-practice-supervisors",
            "professional-capabilities-framework",
        )
    }
    import_bundle(other.db, bundle, "Aled Hughes", "worker.json")
    assert other.themes.current() == services.themes.current()


def _bundle_with_plan(services: Services, change: Any) -> dict[str, Any]:
    bundle = export_bundle(services.db)
    change(bundle["improvement_plans"][-1])
    return bundle


def _unknown_standard(plan: dict[str, Any]) -> None:
    plan["definition"]["themes"][0]["standards"][0]["codes"][0] = "11"
    plan.pop("content_hash")


def _wrong_hash(plan: dict[str, Any]) -> None:
    plan["definition"]["themes"][0]["name"] = "Practice quality"


def _duplicate_theme(plan: dict[str, Any]) -> None:
    plan["definition"]["themes"][1]["key"] = "practice"


BAD = {
    "an unknown standard": (
        _unknown_standard,
        "bad.json: improvement_plans[0].definition: themes[0].standards[0].codes[0] '11' is "
        "not a standard of direct-work-practice v1.",
    ),
    "a hash that does not match": (
        _wrong_hash,
        "bad.json: improvement_plans[0].content_hash does not match its definition.",
    ),
    "a duplicate theme key": (
        _duplicate_theme,
        "bad.json: improvement_plans[0].definition: themes[1].key 'practice' is used by "
        "another theme already.",
    ),
}


@pytest.mark.parametrize(("change", "sentence"), BAD.values(), ids=BAD.keys())
def test_a_bundle_with_a_bad_plan_is_refused_whole_in_one_sentence(
    services: Services, other: Services, change: Any, sentence: str
) -> None:
    bundle = _bundle_with_plan(services, change)
    before = store_snapshot(other.db), plan_rows(other)

    with pytest.raises(InvalidBundle) as refused:
        import_bundle(other.db, bundle, "Aled Hughes", "bad.json")

    assert str(refused.value) == sentence
    assert (store_snapshot(other.db), plan_rows(other)) == before


def test_a_bundle_from_before_plans_travelled_leaves_the_plan_as_it_is(
    services: Services, other: Services
) -> None:
    bundle = export_bundle(services.db)
    del bundle["improvement_plans"]
    before = _versions(other)

    result = import_bundle(other.db, bundle, "Aled Hughes", "old.json")

    assert _versions(other) == before
    assert other.themes.current() == shipped_plan()
    assert "improvement plans" not in result.describe()
