"""Improvement themes as data: the shipped plan, which theme a standard and an agreed action
count under, importing a new plan as a new version, and that no signed record changes."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from observer.paths import database_path
from observer.records.frameworks import shipped_frameworks
from observer.service.plan import (
    ImprovementPlan,
    InvalidPlan,
    parse_plan,
    shipped_plan,
)
from observer.service.themes import newest_version
from observer.services import Services, open_services
from observer.store.models import AuditEvent, Framework, Signature, Standard, action_standards
from observer.store.plans import ImprovementPlanVersion, ImprovementTheme, theme_standards
from observer.vocabulary import SignatureRole
from tests.support.core import NewDraft, Staff
from tests.support.fuzz import json_paths, spoil
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.paths import FIXTURES
from tests.support.signing import filled
from tests.support.themes import moved, plan_rows, shipped_document, write

THEMES = ["Practice", "Performance", "People", "Partnerships"]


# The shipped plan


def test_the_shipped_plan_puts_every_standard_of_every_shipped_framework_in_one_theme() -> None:
    plan = shipped_plan()

    assert [t.name for t in plan.themes] == THEMES
    assert all(t.description for t in plan.themes)
    for framework in shipped_frameworks():
        for standard in framework.standards:
            theme = plan.theme_of_standard(framework.key, framework.version, standard.code)
            assert theme is not None, (framework.key, standard.code)
    shipped = {(f.key, f.version, s.code) for f in shipped_frameworks() for s in f.standards}
    assert {ref for ref, _ in plan.standards} == shipped
    assert len(plan.standards) == len(shipped)  # each once


def test_the_shipped_plan_files_standards_where_a_qa_lead_would() -> None:
    plan = shipped_plan()

    def theme(key: str, code: str) -> str | None:
        found = plan.theme_of_standard(key, 1, code)
        return found.name if found else None

    assert theme("direct-work-practice", "4") == "Practice"  # the child's voice
    assert theme("direct-work-practice", "2") == "Practice"  # risk
    assert theme("direct-work-practice", "5") == "Practice"  # plans
    assert theme("direct-work-practice", "6") == "Performance"  # management oversight
    assert theme("kss-practice-supervisors", "8") == "Performance"  # performance management
    assert theme("kss-practice-supervisors", "7") == "People"  # supervision
    assert theme("kss-child-and-family-practitioners", "9") == "People"  # supervision
    assert theme("kss-child-and-family-practitioners", "8") == "Partnerships"  # courts, YJ
    assert theme("direct-work-practice", "99") is None
    assert theme("no-such-framework", "1") is None


def test_a_new_store_holds_the_shipped_plan_as_its_first_version(services: Services) -> None:
    plan = services.themes.current()

    assert plan == shipped_plan()
    assert plan.version == 1
    assert [(v.version, v.current) for v in services.themes.history()] == [(1, True)]


# Agreed actions


def test_an_action_belongs_to_the_themes_of_its_standards_else_to_the_unlinked_theme() -> None:
    plan = shipped_plan()

    def names(*refs: tuple[str, int, str]) -> list[str]:
        return [t.name for t in plan.themes_of_action(refs)]

    assert names(("direct-work-practice", 1, "6"), ("direct-work-practice", 1, "4")) == [
        "Practice",
        "Performance",
    ]
    assert names(("direct-work-practice", 1, "4"), ("direct-work-practice", 1, "2")) == ["Practice"]
    assert names() == ["Practice"]
    assert names(("direct-work-practice", 2, "4")) == ["Practice"]  # a version it leaves out


def test_the_plan_names_the_theme_for_unlinked_actions() -> None:
    document = shipped_document()
    document["unlinked_actions"] = "people"

    plan = parse_plan(document, "ours.json")

    assert [t.name for t in plan.themes_of_action([])] == ["People"]


def test_the_store_gives_each_actions_themes_from_the_standards_it_is_linked_to(
    services: Services, new_draft: NewDraft, staff: Staff, tmp_path: Path
) -> None:
    record = filled(services, new_draft, staff)
    linked = services.recording.add_action(record, "Visit the school", staff.worker)
    unlinked = services.recording.get(record).actions[0].id
    with services.db.session() as s, s.begin():
        oversight = s.scalars(
            select(Standard.id)
            .join(Framework)
            .where(Framework.key == "direct-work-practice", Standard.code == "6")
        ).one()
        s.execute(insert(action_standards).values(action_id=linked, standard_id=oversight))

    def themes() -> dict[uuid.UUID, list[str]]:
        found = services.themes.themes_of_actions([linked, unlinked, uuid.uuid4()])
        return {k: [t.name for t in v] for k, v in found.items()}

    assert themes() == {linked: ["Performance"], unlinked: ["Practice"]}

    services.themes.import_file(write(tmp_path / "plan.json", moved(shipped_document(), "6", 2)))

    assert themes() == {linked: ["People"], unlinked: ["Practice"]}


# Importing a plan


def test_an_imported_plan_becomes_current_and_the_one_before_is_kept(
    services: Services, tmp_path: Path
) -> None:
    path = write(tmp_path / "plan-2027.json", moved(shipped_document(), "1", 3))

    imported = services.themes.import_file(path)

    assert imported.added
    current = services.themes.current()
    assert current.version == 2
    assert current.theme_of_standard("direct-work-practice", 1, "1").name == "Partnerships"  # type: ignore[union-attr]
    history = services.themes.history()
    assert [(v.version, v.source, v.current) for v in history] == [
        (1, "the shipped default", False),
        (2, "plan-2027.json", True),
    ]
    assert history[0].plan == shipped_plan()
    with services.db.session() as s:
        events = s.execute(
            select(AuditEvent.action, AuditEvent.record_type, AuditEvent.content_hash).where(
                AuditEvent.record_id
                == s.scalars(
                    select(ImprovementPlanVersion.id).where(ImprovementPlanVersion.version == 2)
                ).one()
            )
        ).all()
    assert events == [("import_plan", "improvement_plan", current.content_hash())]


def test_importing_the_current_plan_again_changes_nothing(
    services: Services, tmp_path: Path
) -> None:
    before = plan_rows(services)

    imported = services.themes.import_file(write(tmp_path / "same.json", shipped_document()))

    assert not imported.added
    assert plan_rows(services) == before


def test_the_order_a_theme_lists_its_standards_in_makes_no_new_plan(
    services: Services, tmp_path: Path
) -> None:
    document = shipped_document()
    for theme in document["themes"]:
        theme["standards"].reverse()
        for group in theme["standards"]:
            group["codes"].reverse()

    assert not services.themes.import_file(write(tmp_path / "reordered.json", document)).added
    assert len(services.themes.history()) == 1


def test_an_earlier_plan_imported_again_becomes_current_as_a_new_version(
    services: Services, tmp_path: Path
) -> None:
    services.themes.import_file(write(tmp_path / "a.json", moved(shipped_document(), "1", 3)))

    services.themes.import_file(write(tmp_path / "b.json", shipped_document()))

    assert [v.version for v in services.themes.history()] == [1, 2, 3]
    assert services.themes.current() == shipped_plan()


def test_the_exported_plan_imports_as_the_same_plan(services: Services, tmp_path: Path) -> None:
    services.themes.import_file(write(tmp_path / "a.json", moved(shipped_document(), "1", 3)))

    exported = services.themes.export_json()

    assert parse_plan(exported, "exported.json") == services.themes.current()
    before = plan_rows(services)
    assert not services.themes.import_file(write(tmp_path / "again.json", exported)).added
    assert plan_rows(services) == before


def test_changing_the_plan_changes_no_signed_record(
    services: Services, new_draft: NewDraft, staff: Staff, tmp_path: Path
) -> None:
    record = filled(services, new_draft, staff)
    action = services.recording.get(record).actions[0].id
    with services.db.session() as s, s.begin():
        child_voice = s.scalars(
            select(Standard.id)
            .join(Framework)
            .where(Framework.key == "direct-work-practice", Standard.code == "4")
        ).one()
        s.execute(insert(action_standards).values(action_id=action, standard_id=child_voice))
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")

    def signed() -> tuple[str, list[tuple[str, str]], list[str]]:
        signatures = services.signoff.signatures(record)
        with services.db.session() as s:
            own = sorted(
                s.scalars(select(Signature.own_hash).where(Signature.observation_id == record))
            )
        return (
            services.signoff.current_hash(record),
            [(g.role.value, g.content_hash) for g in signatures],
            own,
        )

    before = signed()
    before_themes = services.themes.themes_of_actions([action])

    services.themes.import_file(write(tmp_path / "plan.json", moved(shipped_document(), "4", 2)))

    assert signed() == before
    assert {g.content_hash for g in services.signoff.signatures(record)} == {before[0]}
    assert services.audit.verify().ok
    # Only the theme it counts under moved.
    assert [t.name for t in before_themes[action]] == ["Practice"]
    assert [t.name for t in services.themes.themes_of_actions([action])[action]] == ["People"]


# Bad plans: one sentence each, and nothing written


def _mapping_twice() -> dict[str, Any]:
    document = shipped_document()
    document["themes"][3]["standards"].append(
        {"framework": "direct-work-practice", "version": 1, "codes": ["4"]}
    )
    return document


def _changed(path: list[Any], value: Any) -> dict[str, Any]:
    document = shipped_document()
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


BAD_PLANS: dict[str, tuple[dict[str, Any], str]] = {
    "an unknown standard": (
        _changed(["themes", 0, "standards", 0, "codes", 0], "11"),
        "plan.json: themes[0].standards[0].codes[0] '11' is not a standard of "
        "direct-work-practice v1.",
    ),
    "an unknown framework version": (
        _changed(["themes", 1, "standards", 0, "version"], 2),
        "plan.json: themes[1].standards[0] names direct-work-practice v2, which is not "
        "installed here; versions installed: 1.",
    ),
    "an unknown framework": (
        _changed(["themes", 1, "standards", 0, "framework"], "our-own-standards"),
        "plan.json: themes[1].standards[0] names our-own-standards v1, which is not "
        "installed here.",
    ),
    "a standard mapped twice": (
        _mapping_twice(),
        "plan.json: themes[3].standards[3].codes[0] maps standard '4' of "
        "direct-work-practice v1, which themes[0].standards[0].codes[3] maps already "
        "(to Practice): a standard belongs to one theme.",
    ),
    "a duplicate theme key": (
        _changed(["themes", 2, "key"], "practice"),
        "plan.json: themes[2].key 'practice' is used by another theme already.",
    ),
    "a duplicate theme name": (
        _changed(["themes", 2, "name"], "PRACTICE"),
        "plan.json: themes[2].name 'PRACTICE' is the name of another theme.",
    ),
    "an unknown theme for unlinked actions": (
        _changed(["unlinked_actions"], "quality"),
        "plan.json: unlinked_actions 'quality' is not the key of a theme "
        "(practice, performance, people, partnerships).",
    ),
    "a theme name that rewrites the terminal": (
        _changed(["themes", 1, "name"], "Performance\x1b[2J"),
        "plan.json: themes[1].name must be one line of text.",
    ),
    "no themes": (
        _changed(["themes"], []),
        "plan.json: themes must hold between 1 and 12 entries, not 0.",
    ),
    "another format": (
        _changed(["format"], 2),
        "plan.json: format must be 1, not 2.",
    ),
    "a misspelt field": (
        _changed(["theme"], []),
        "plan.json: (top level) 'theme' is not a field of an improvement plan.",
    ),
}


@pytest.mark.parametrize(("document", "sentence"), BAD_PLANS.values(), ids=BAD_PLANS.keys())
def test_a_bad_plan_is_refused_in_one_sentence_and_nothing_changes(
    services: Services, tmp_path: Path, document: dict[str, Any], sentence: str
) -> None:
    before = plan_rows(services)

    with pytest.raises(InvalidPlan) as refused:
        services.themes.import_file(write(tmp_path / "plan.json", document))

    assert str(refused.value) == sentence
    assert plan_rows(services) == before
    assert services.themes.current() == shipped_plan()


NOT_A_PLAN: dict[str, tuple[bytes, str]] = {
    "not JSON": (b"{themes: []}", "plan.json is not valid JSON (line 1, column 2"),
    "a repeated key": (
        b'{"format": 1, "format": 1}',
        "plan.json names 'format' twice in one object",
    ),
    "too large": (
        b" " * 1_000_001,
        "plan.json is larger than 1,000,000 bytes, too large to be a plan",
    ),
    "a list": (b"[]", "plan.json: (top level) must be an object, not a list."),
}


@pytest.mark.parametrize(("content", "start"), NOT_A_PLAN.values(), ids=NOT_A_PLAN.keys())
def test_a_file_that_is_no_plan_is_refused_in_one_sentence(
    services: Services, tmp_path: Path, content: bytes, start: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    before = plan_rows(services)

    with pytest.raises(InvalidPlan) as refused:
        services.themes.import_file(path)

    assert str(refused.value).startswith(start)
    assert "\n" not in str(refused.value)
    assert plan_rows(services) == before


# Any input: a plan or a clear error


JSON_KEYS = st.sampled_from(
    [
        "format",
        "name",
        "themes",
        "key",
        "description",
        "standards",
        "framework",
        "version",
        "codes",
        "unlinked_actions",
    ]
)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from([1, "practice", "direct-work-practice", "4", "Practice"])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(JSON_KEYS, children, max_size=6)
    ),
    max_leaves=25,
)


def _parses_or_explains(data: Any) -> None:
    refused: InvalidPlan | None = None
    try:
        plan = parse_plan(data, "fuzz.json")
    except InvalidPlan as exc:
        refused = exc
    if refused is not None:
        assert refused.reason
        assert str(refused).startswith("fuzz.json")
        return
    assert isinstance(plan, ImprovementPlan)
    assert parse_plan(plan.to_json(), "again.json") == plan


@settings(max_examples=100, deadline=None, database=None)
@given(JSON_VALUES)
def test_any_json_value_gives_a_plan_or_a_clear_error(data: Any) -> None:
    _parses_or_explains(data)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    # Each example compares the store with itself just before, so sharing it is sound.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)
@given(st.data())
def test_a_spoilt_plan_imports_whole_or_not_at_all(services: Services, data: st.DataObject) -> None:
    document = shipped_document()
    path = data.draw(st.sampled_from(json_paths(document)), label="path")
    spoil(data, document, path, JSON_VALUES)
    before = plan_rows(services)
    current = services.themes.current()
    file = services.data_dir.parent / "spoilt.json"

    refused: InvalidPlan | None = None
    try:
        imported = services.themes.import_file(write(file, document))
    except InvalidPlan as exc:
        refused = exc
    if refused is not None:
        assert str(refused).startswith("spoilt.json")
        assert plan_rows(services) == before
        assert services.themes.current() == current
    else:
        assert services.themes.current() == imported.plan
        versions, themes, mapped, events = plan_rows(services)
        if imported.added:
            assert versions == before[0] + 1
            assert themes == before[1] + len(imported.plan.themes)
            assert mapped == before[2] + len(imported.plan.standards)
            assert events == before[3] + 1
        else:
            assert (versions, themes, mapped, events) == before


def test_a_store_from_before_themes_gets_the_shipped_plan_when_first_opened(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "schema-0001.sqlite", database_path(folder))

    opened = open_services(folder, STORE_PASSPHRASE)
    try:
        assert opened.upgraded is not None
        assert opened.themes.current() == shipped_plan()
        assert [(v.version, v.source) for v in opened.themes.history()] == [
            (1, "the shipped default")
        ]
    finally:
        opened.close()


def test_the_current_plans_rows_give_each_standard_its_theme_for_figures_in_the_database(
    services: Services, tmp_path: Path
) -> None:
    services.themes.import_file(write(tmp_path / "plan.json", moved(shipped_document(), "4", 2)))

    with services.db.session() as s:
        current = newest_version(s)
        assert current is not None
        rows = s.execute(
            select(ImprovementTheme.key, Framework.key, Framework.version, Standard.code)
            .join(theme_standards, theme_standards.c.theme_id == ImprovementTheme.id)
            .join(Standard, Standard.id == theme_standards.c.standard_id)
            .join(Framework, Framework.id == Standard.framework_id)
            .where(theme_standards.c.plan_id == current.id)
        ).all()

    plan = services.themes.current()
    assert sorted((tuple(ref), theme) for theme, *ref in rows) == sorted(
        ((key, version, code), theme) for (key, version, code), theme in plan.standards
    )
    assert ("people", "direct-work-practice", 1, "4") in rows
