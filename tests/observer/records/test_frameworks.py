"""Frameworks of practice standards: the shipped four, the file format, import and versions."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from observer.errors import InvalidFramework
from observer.paths import FRAMEWORKS_DIR
from observer.records.frameworks import FrameworkDefinition, parse_framework, shipped_frameworks
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind
from tests.support.core import WHEN, NewDraft, RunCli, Staff
from tests.support.fuzz import json_paths, spoil

SHIPPED_STANDARDS = {
    "direct-work-practice": 7,
    "kss-child-and-family-practitioners": 10,
    "kss-practice-supervisors": 8,
    "professional-capabilities-framework": 9,
}
DEFAULT_LABELS = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]


def minimal() -> dict[str, Any]:
    return {
        "format": 1,
        "key": "team-practice",
        "version": 1,
        "name": "Team practice",
        "in_force_from": "2024-04-01",
        "in_force_until": None,
        "default_for": {"kinds": ["direct_work"], "roles": ["asye"]},
        "standards": [
            {"code": "1", "title": "Relationships", "prompts": ["Did the child feel heard?"]},
            {"code": "2", "title": "Analysis", "prompts": ["Was risk weighed?"]},
        ],
    }


def with_scale(levels: list[dict[str, Any]]) -> dict[str, Any]:
    data = minimal()
    data["scale"] = {"levels": levels}
    return data


def changed(path: Sequence[str | int], value: Any) -> dict[str, Any]:
    data = minimal()
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


def without(name: str) -> dict[str, Any]:
    data = minimal()
    del data[name]
    return data


def shipped_json(key: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FRAMEWORKS_DIR / f"{key}.json").read_text("utf-8"))
    return loaded


# The shipped frameworks


def test_the_four_shipped_frameworks_are_installed_with_their_standards(
    services: Services,
) -> None:
    installed = {f.key: f.standards for f in services.recording.frameworks()}
    assert installed == SHIPPED_STANDARDS
    assert {d.key: len(d.standards) for d in shipped_frameworks()} == SHIPPED_STANDARDS


def test_kss_for_child_and_family_practitioners_ends_on_31_march_2027(
    services: Services,
) -> None:
    kss = next(
        f for f in services.recording.frameworks() if f.key == "kss-child-and-family-practitioners"
    )
    assert kss.in_force_until == date(2027, 3, 31)
    assert kss.in_force_on(date(2027, 3, 31))
    assert not kss.in_force_on(date(2027, 4, 1))


@pytest.mark.parametrize("definition", shipped_frameworks(), ids=lambda d: d.key)
def test_every_shipped_standard_has_guidance_prompts(definition: FrameworkDefinition) -> None:
    for standard in definition.standards:
        assert standard.prompts, f"{definition.key} standard {standard.code} has no prompts"
        assert all(prompt.strip() for prompt in standard.prompts)


def test_a_framework_without_a_scale_gets_the_ofsted_style_scale() -> None:
    definition = parse_framework(minimal(), "team.json")
    assert [level.label for level in definition.levels] == DEFAULT_LABELS
    assert definition.not_observed is not None
    assert definition.not_observed.label == "Not observed"


def test_the_editor_offers_the_default_scale_best_first_with_not_observed_unscored(
    new_draft: NewDraft, services: Services
) -> None:
    view = services.recording.get(new_draft())
    assert [(lv.label, lv.score) for lv in view.levels] == [
        ("Outstanding", 4),
        ("Good", 3),
        ("Requires improvement to be good", 2),
        ("Inadequate", 1),
        ("Not observed", None),
    ]


# The file format


@pytest.mark.parametrize(
    ("data", "field", "word"),
    [
        pytest.param(without("key"), "key", "missing", id="missing-key"),
        pytest.param(changed(["key"], "Team Practice"), "key", "lower-case", id="bad-key"),
        pytest.param(changed(["version"], 0), "version", "whole", id="version-0"),
        pytest.param(changed(["version"], True), "version", "whole", id="version-bool"),
        pytest.param(
            changed(["standards", 1, "code"], "1"), "standards[1].code", "twice", id="dup-code"
        ),
        pytest.param(
            with_scale([{"code": "met", "label": "Met"}]), "scale.levels", "between", id="1-level"
        ),
        pytest.param(
            changed(["default_for", "kinds"], ["coffee_morning"]),
            "default_for.kinds[0]",
            "not one of",
            id="unknown-kind",
        ),
        pytest.param(
            changed(["in_force_until"], "2024-03-31"), "in_force_until", "before", id="until<from"
        ),
        pytest.param(
            changed(["in_force_from"], "1st April"), "in_force_from", "date", id="bad-date"
        ),
        pytest.param(
            changed(["standards", 0, "prompts"], [42]),
            "standards[0].prompts[0]",
            "text",
            id="prompt-not-text",
        ),
        pytest.param(["not", "an", "object"], "(top level)", "object", id="top-level-list"),
        pytest.param(changed(["format"], 2), "format", "must be 1", id="wrong-format"),
        pytest.param(changed(["standards"], []), "standards", "between", id="no-standards"),
        pytest.param(
            changed(["standards", 0, "title"], "  "), "standards[0].title", "empty", id="no-title"
        ),
    ],
)
def test_a_malformed_framework_is_rejected_naming_field_and_reason(
    data: Any, field: str, word: str
) -> None:
    with pytest.raises(InvalidFramework) as caught:
        parse_framework(data, "team.json")
    assert caught.value.field == field
    assert word in caught.value.reason
    assert str(caught.value).startswith(f"team.json: {field} ")
    assert str(caught.value).endswith(".")


@pytest.mark.parametrize("kind", [["direct_work"], {"kind": "direct_work"}])
def test_a_default_kind_that_is_not_text_is_rejected_naming_the_field(kind: Any) -> None:
    with pytest.raises(InvalidFramework) as caught:
        parse_framework(changed(["default_for", "kinds"], [kind]), "team.json")
    assert caught.value.field == "default_for.kinds[0]"


JSON_KEYS = st.sampled_from(
    [
        "format",
        "key",
        "version",
        "name",
        "scale",
        "levels",
        "not_observed",
        "standards",
        "code",
        "label",
        "title",
        "prompts",
        "default_for",
        "kinds",
        "roles",
        "in_force_from",
        "in_force_until",
    ]
) | st.text(max_size=8)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from([1, "team-practice", "direct_work", "asye", "2024-04-01", "good"])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(JSON_KEYS, children, max_size=6)
    ),
    max_leaves=25,
)


def _parses_or_explains(data: Any) -> None:
    try:
        result = parse_framework(data, "fuzz.json")
    except InvalidFramework as exc:
        explained = bool(exc.field and exc.reason)
    else:
        explained = isinstance(result, FrameworkDefinition)
    assert explained


@settings(max_examples=100, deadline=None, database=None)
@given(JSON_VALUES)
def test_any_json_value_gives_a_framework_or_a_clear_error(data: Any) -> None:
    _parses_or_explains(data)


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # explain mis-replays st.data()
)
@given(st.data())
def test_a_valid_framework_with_one_field_spoilt_gives_a_framework_or_a_clear_error(
    data: st.DataObject,
) -> None:
    document = with_scale(
        [
            {"code": "met", "label": "Met", "description": "Meets the standard."},
            {"code": "not_met", "label": "Not met"},
        ]
    )
    document["scale"]["not_observed"] = {"code": "unseen", "label": "Not seen"}
    path = data.draw(st.sampled_from(json_paths(document)), label="path")
    spoil(data, document, path, JSON_VALUES)
    _parses_or_explains(document)


# Importing framework files


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _installed(services: Services) -> list[tuple[str, int, str, int]]:
    return [(f.key, f.version, f.name, f.standards) for f in services.recording.frameworks()]


def test_importing_a_malformed_framework_file_installs_nothing(
    services: Services, data_dir: Path, tmp_path: Path, run_cli: RunCli, capsys: Any
) -> None:
    before = _installed(services)
    broken = minimal()
    broken["standards"].append({"code": "3", "title": "Outcomes", "prompts": "Did it help?"})
    path = _write(tmp_path / "team-practice.json", broken)

    assert run_cli(["--data-dir", str(data_dir), "frameworks", "import", str(path)]) == 2

    err = capsys.readouterr().err
    assert "team-practice.json" in err
    assert "standards[2].prompts" in err
    assert _installed(services) == before


def test_importing_a_new_framework_installs_it(
    services: Services, data_dir: Path, tmp_path: Path, run_cli: RunCli, capsys: Any
) -> None:
    path = _write(tmp_path / "team-practice.json", minimal())
    assert run_cli(["--data-dir", str(data_dir), "frameworks", "import", str(path)]) == 0
    assert capsys.readouterr().out.startswith("Installed Team practice (team-practice v1)")
    assert ("team-practice", 1, "Team practice", 2) in _installed(services)


def test_reimporting_a_shipped_framework_unchanged_is_already_installed(
    services: Services, data_dir: Path, tmp_path: Path, run_cli: RunCli, capsys: Any
) -> None:
    before = _installed(services)
    path = _write(tmp_path / "copy.json", shipped_json("direct-work-practice"))
    assert run_cli(["--data-dir", str(data_dir), "frameworks", "import", str(path)]) == 0
    assert capsys.readouterr().out.startswith("Already installed:")
    assert _installed(services) == before


def test_same_key_and_version_with_different_content_is_refused(
    services: Services, data_dir: Path, tmp_path: Path, run_cli: RunCli, capsys: Any
) -> None:
    before = _installed(services)
    edited = shipped_json("direct-work-practice")
    edited["standards"][0]["title"] = "Something else entirely"
    path = _write(tmp_path / "edited.json", edited)

    assert run_cli(["--data-dir", str(data_dir), "frameworks", "import", str(path)]) == 2

    assert "different content" in capsys.readouterr().err
    assert _installed(services) == before


def test_a_framework_version_used_by_an_observation_never_changes(
    services: Services,
    staff: Staff,
    new_draft: NewDraft,
    data_dir: Path,
    tmp_path: Path,
    run_cli: RunCli,
) -> None:
    draft = new_draft(Kind.HOME_VISIT)
    original = services.recording.get(draft)
    assert original.framework.key == "direct-work-practice"

    same_version = shipped_json("direct-work-practice")
    same_version["standards"][0]["title"] = "Renamed heading"
    same_version["standards"].pop()
    path = _write(tmp_path / "same-version.json", same_version)
    assert run_cli(["--data-dir", str(data_dir), "frameworks", "import", str(path)]) == 2

    next_version = copy.deepcopy(same_version)
    next_version["version"] = 2
    path = _write(tmp_path / "next-version.json", next_version)
    assert run_cli(["--data-dir", str(data_dir), "frameworks", "import", str(path)]) == 0

    kept = services.recording.get(draft)
    assert kept.framework == original.framework
    assert kept.ratings == original.ratings
    assert kept.ratings[0].title != "Renamed heading"

    newer = services.recording.get(new_draft(Kind.HOME_VISIT))
    assert (newer.framework.key, newer.framework.version) == ("direct-work-practice", 2)
    assert newer.ratings[0].title == "Renamed heading"
    assert len(newer.ratings) == 6


def test_an_explicitly_chosen_framework_is_used_for_the_draft(
    services: Services, staff: Staff
) -> None:
    kss = next(
        f for f in services.recording.frameworks() if f.key == "kss-child-and-family-practitioners"
    )
    draft = services.recording.create_draft(
        DraftDetails(
            observed_person_id=staff.worker,
            observer_id=staff.lead,
            kind=Kind.HOME_VISIT,
            observed_at=WHEN,
            framework_id=kss.id,
        )
    )
    assert len(services.recording.get(draft).ratings) == 10
