"""Framework files with hostile values: stored or refused in one sentence, never a dump
of the value; a file too large is not read, and a Windows editor's byte order mark is fine."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from observer.errors import InvalidFramework, ObserverError
from observer.paths import FRAMEWORKS_DIR
from observer.records.frameworks import (
    MAX_FILE_BYTES,
    load_framework_file,
    parse_framework,
    store_framework,
)
from observer.services import Services
from tests.support.hostile import CHANGES, FUZZ, Change, framework_document, one_sentence


def test_a_file_larger_than_any_framework_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as out:  # sparse: no disk used, but stat says it is large
        out.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InvalidFramework, match="too large to be a framework"):
        load_framework_file(path)


def test_a_byte_order_mark_from_a_windows_editor_is_allowed(tmp_path: Path) -> None:
    shipped = (FRAMEWORKS_DIR / "direct-work-practice.json").read_text(encoding="utf-8")
    path = tmp_path / "saved-in-notepad.json"
    path.write_text(shipped, encoding="utf-8-sig")
    assert load_framework_file(path).key == "direct-work-practice"


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture], **FUZZ)
@given(change=CHANGES)
def test_a_framework_with_a_hostile_value_is_stored_or_refused_in_one_sentence(
    services: Services, change: Change
) -> None:
    """Storing too: a value can pass the checks and still break the hash or the store."""
    document = framework_document()
    change.apply(document)
    try:
        definition = parse_framework(document, "ours.json")
        with services.db.session() as s:
            store_framework(s, definition, source="ours.json")
            s.rollback()
    except ObserverError as refused:
        one_sentence(refused)


def test_a_framework_prompt_that_is_not_valid_text_is_refused_before_storing(
    services: Services,
) -> None:
    document = framework_document()
    document["standards"][0]["prompts"][0] = "Did the child feel heard?\ud800"
    with pytest.raises(InvalidFramework, match=r"standards\[0\]\.prompts\[0\] holds characters"):
        parse_framework(document, "ours.json")


def test_a_dump_of_a_value_never_becomes_the_message() -> None:
    document = framework_document()
    document["format"] = {"kinds": list(range(100_000))}
    document["default_for"] = {"kinds": [list(range(100_000))]}
    with pytest.raises(InvalidFramework) as refused:
        parse_framework(document, "ours.json")
    assert one_sentence(refused.value) == "ours.json: format must be 1, not an object."
    del document["format"]
    document["format"] = 1
    with pytest.raises(InvalidFramework) as refused:
        parse_framework(document, "ours.json")
    assert one_sentence(refused.value).startswith("ours.json: default_for.kinds[0] must be one of ")
