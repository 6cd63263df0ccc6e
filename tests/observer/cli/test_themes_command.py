"""`observer themes`: the plan as a reader sees it, importing a new version, and a bad file
refused in one line with exit 2 and nothing changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.commands import SHIPPED, observer, one_line_error
from tests.support.themes import moved, shipped_document, write

SHIPPED_STANDARDS = 7 + 10 + 8 + 9


def _show(data_dir: Path) -> dict[str, Any]:
    done = observer(data_dir, "themes", "show", "--json")
    assert done.returncode == 0, done.stderr
    shown: dict[str, Any] = json.loads(done.stdout)
    return shown


def _history(data_dir: Path) -> list[dict[str, Any]]:
    done = observer(data_dir, "themes", "history", "--json")
    assert done.returncode == 0, done.stderr
    versions: list[dict[str, Any]] = json.loads(done.stdout)
    return versions


def test_show_lists_each_theme_with_its_standards_under_their_framework(store_dir: Path) -> None:
    done = observer(store_dir, "themes", "show")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    headings = [line.split(":")[0] for line in lines if line and not line.startswith(" ")]
    assert headings[0] == "Improvement plan (version 1)"
    assert headings[2:] == ["Practice", "Performance", "People", "Partnerships"]
    assert "Agreed actions linked to no standard in a theme count under Practice." in lines
    practice = lines.index(next(line for line in lines if line.startswith("Practice: ")))
    performance = lines.index(next(line for line in lines if line.startswith("Performance: ")))
    under_practice = lines[practice:performance]
    assert "  Direct work (direct-work-practice v1)" in under_practice
    assert "    4  The child's voice and lived experience" in under_practice
    assert "    6  Management oversight" in lines[performance:]
    assert "In no theme" not in done.stdout


def test_show_as_json_maps_every_shipped_standard_once(store_dir: Path) -> None:
    shown = _show(store_dir)

    assert [t["key"] for t in shown["themes"]] == [
        "practice",
        "performance",
        "people",
        "partnerships",
    ]
    mapped = [
        (group["framework"], group["version"], standard["code"])
        for theme in shown["themes"]
        for group in theme["standards"]
        for standard in group["standards"]
    ]
    assert len(mapped) == len(set(mapped)) == SHIPPED_STANDARDS
    assert shown["unmapped"] == []
    assert shown["unlinked_actions"] == "practice"


def test_a_new_plan_imported_is_shown_as_current_and_the_first_kept(
    store_dir: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "plan-2027.json", moved(shipped_document(), "4", 2))

    done = observer(store_dir, "themes", "import", str(path))

    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Imported Improvement plan: version 2, now current (4 themes, 34 standards).\n"
    )
    people = next(t for t in _show(store_dir)["themes"] if t["key"] == "people")
    direct_work = next(g for g in people["standards"] if g["framework"] == "direct-work-practice")
    assert direct_work["standards"] == [
        {"code": "4", "title": "The child's voice and lived experience"}
    ]
    assert [(v["version"], v["source"], v["current"]) for v in _history(store_dir)] == [
        (1, "the shipped default", False),
        (2, "plan-2027.json", True),
    ]
    audit = observer(store_dir, "audit", "list")
    assert "Imported improvement plan" in audit.stdout


def test_the_exported_plan_imported_again_changes_nothing(store_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "current.json"
    assert observer(store_dir, "themes", "export", str(target)).returncode == 0

    done = observer(store_dir, "themes", "import", str(target))

    assert done.returncode == 0, done.stderr
    assert "is the current plan already (version 1); unchanged" in done.stdout
    assert len(_history(store_dir)) == 1


def test_a_framework_version_the_plan_does_not_map_is_shown_in_no_theme(
    store_dir: Path, tmp_path: Path
) -> None:
    framework = json.loads((SHIPPED / "direct-work-practice.json").read_text(encoding="utf-8"))
    framework["version"] = 2
    path = tmp_path / "direct-work-2.json"
    path.write_text(json.dumps(framework), encoding="utf-8")
    assert observer(store_dir, "frameworks", "import", str(path)).returncode == 0

    done = observer(store_dir, "themes", "show")

    assert "In no theme" in done.stdout
    assert "  Direct work (direct-work-practice v2)" in done.stdout
    assert _show(store_dir)["unmapped"][0]["version"] == 2


def _set(document: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


def _appended(theme: int, framework: str, code: str) -> dict[str, Any]:
    document = shipped_document()
    document["themes"][theme]["standards"].append(
        {"framework": framework, "version": 1, "codes": [code]}
    )
    return document


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "an unknown standard": (
        json.dumps(
            _set(shipped_document(), ["themes", 0, "standards", 1, "codes", 0], 12)
        ).encode(),
        "observer: plan.json: themes[0].standards[1].codes[0] '12' is not a standard of "
        "kss-child-and-family-practitioners v1.",
    ),
    "a standard mapped twice": (
        json.dumps(_appended(2, "direct-work-practice", "6")).encode(),
        "observer: plan.json: themes[2].standards[3].codes[0] maps standard '6' of "
        "direct-work-practice v1, which themes[1].standards[0].codes[0] maps already "
        "(to Performance): a standard belongs to one theme.",
    ),
    "a framework version twice in one theme": (
        json.dumps(_appended(1, "kss-practice-supervisors", "2")).encode(),
        "observer: plan.json: themes[1].standards[2] names kss-practice-supervisors v1 a "
        "second time in this theme: give all its codes in one entry.",
    ),
    "an unknown framework version": (
        json.dumps(_set(shipped_document(), ["themes", 2, "standards", 0, "version"], 3)).encode(),
        "observer: plan.json: themes[2].standards[0] names kss-child-and-family-practitioners "
        "v3, which is not installed here; versions installed: 1.",
    ),
    "a duplicate theme key": (
        json.dumps(_set(shipped_document(), ["themes", 3, "key"], "people")).encode(),
        "observer: plan.json: themes[3].key 'people' is used by another theme already.",
    ),
    "a theme with no name": (
        json.dumps(_set(shipped_document(), ["themes", 1, "name"], " ")).encode(),
        "observer: plan.json: themes[1].name must not be empty.",
    ),
    "bad JSON": (
        b'{"format": 1,, }',
        "observer: plan.json is not valid JSON (line 1, column 14: Expecting property name "
        "enclosed in double quotes).",
    ),
    "a file too large": (
        b"{" + b" " * 1_000_000 + b"}",
        "observer: plan.json is larger than 1,000,000 bytes, too large to be a plan.",
    ),
    "not UTF-8": (
        b'{"format": 1, "name": "Caf\xe9"}',
        "observer: plan.json is not a UTF-8 text file, so it cannot be a plan.",
    ),
}


@pytest.mark.parametrize(("content", "sentence"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_plan_file_is_one_line_exit_2_and_changes_nothing(
    store_dir: Path, tmp_path: Path, content: bytes, sentence: str
) -> None:
    before = _show(store_dir), _history(store_dir)
    path = tmp_path / "plan.json"
    path.write_bytes(content)

    line = one_line_error(observer(store_dir, "themes", "import", str(path)))

    assert line == sentence
    assert (_show(store_dir), _history(store_dir)) == before


def test_a_plan_file_that_is_not_there_is_one_line(store_dir: Path, tmp_path: Path) -> None:
    line = one_line_error(observer(store_dir, "themes", "import", str(tmp_path / "nowhere.json")))

    assert line == "observer: nowhere.json does not exist."
