"""An organisation's improvement plan: its themes, and which framework standards (and so
which agreed actions) each theme takes in. Read from JSON, validated, compared by hash.

The file format is documented in docs/themes-format.md. A plan is plain data and never
part of a record: changing it changes no observation, signature or hash.

An agreed action belongs to the theme of every standard it is linked to (once per theme);
an action linked to no standard, or only to standards the plan leaves unmapped, belongs
to the plan's theme for unlinked actions, so that every action counts under some theme.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observer.errors import ObserverError
from observer.paths import THEMES_DIR
from observer.text import has_control_characters
from observer.validation import Fields, UnreadableJson, read_json_file, shown

FORMAT = 1
MAX_FILE_BYTES = 1_000_000  # the shipped plan is under 4 kB
MAX_THEMES = 12
MAX_VERSION = 1_000_000
THEME_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
FRAMEWORK_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{2,59}$")
SHIPPED_PLAN = THEMES_DIR / "default.json"

# (framework key, framework version, standard code)
StandardRef = tuple[str, int, str]


class InvalidPlan(ObserverError):
    """An improvement plan that cannot be used; str() names the file, the field and why."""

    def __init__(self, source: str, where: str, reason: str) -> None:
        said = f"{source}: {where} {reason}" if where else f"{source} {reason}"
        super().__init__(f"{said.rstrip('.')}.")
        self.source = source
        self.where = where
        self.reason = reason


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class ImprovementPlan:
    """The plan's content; `version` is its number in the store (0 for one not stored),
    and no part of its content or hash."""

    name: str
    themes: tuple[Theme, ...]
    unlinked_actions: str
    # Each mapped standard and the key of its theme, in the order of the themes.
    standards: tuple[tuple[StandardRef, str], ...]
    version: int = field(default=0, compare=False)
    # Where the file gave each standard ("themes[0].standards[1].codes[2]"), in its order.
    places: Mapping[StandardRef, str] = field(default_factory=dict, compare=False, repr=False)
    _by_key: dict[str, Theme] = field(init=False, repr=False, compare=False)
    _by_standard: dict[StandardRef, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {t.key: t for t in self.themes})
        object.__setattr__(self, "_by_standard", dict(self.standards))

    def theme(self, key: str) -> Theme:
        return self._by_key[key]

    @property
    def unlinked_theme(self) -> Theme:
        return self._by_key[self.unlinked_actions]

    def theme_of_standard(self, framework_key: str, version: int, code: str) -> Theme | None:
        """The theme the standard belongs to, or None when the plan does not map it."""
        key = self._by_standard.get((framework_key, version, code))
        return None if key is None else self._by_key[key]

    def themes_of_action(self, standards: Iterable[StandardRef]) -> tuple[Theme, ...]:
        """The themes an agreed action linked to `standards` belongs to, in the plan's
        order: those of its mapped standards, else the theme for unlinked actions."""
        keys = {self._by_standard.get(ref) for ref in standards} - {None}
        if not keys:
            return (self.unlinked_theme,)
        return tuple(t for t in self.themes if t.key in keys)

    def standards_of(self, theme_key: str) -> dict[tuple[str, int], tuple[str, ...]]:
        """The theme's standard codes per framework version, in the file's order."""
        found: dict[tuple[str, int], list[str]] = {}
        for (key, version, code), theme in self.standards:
            if theme == theme_key:
                found.setdefault((key, version), []).append(code)
        return {where: tuple(codes) for where, codes in found.items()}

    def to_json(self) -> dict[str, Any]:
        """The plan in the file format, normalised."""
        return {
            "format": FORMAT,
            "name": self.name,
            "unlinked_actions": self.unlinked_actions,
            "themes": [
                {
                    "key": t.key,
                    "name": t.name,
                    "description": t.description,
                    "standards": [
                        {"framework": key, "version": version, "codes": list(codes)}
                        for (key, version), codes in self.standards_of(t.key).items()
                    ],
                }
                for t in self.themes
            ],
        }

    def canonical_json(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


class _PlanFields(Fields):
    def line(self, obj: dict[str, Any], name: str, where: str, *, max_len: int) -> str:
        text = self.text(obj, name, where, max_len=max_len, required=name != "description")
        if has_control_characters(text) or any(c in text for c in "\n\r\t"):
            raise self.fail(f"{where}.{name}" if where else name, "must be one line of text")
        return text


def parse_plan(data: Any, source: str) -> ImprovementPlan:
    """Validates decoded JSON as a plan's shape (not yet against the installed frameworks:
    see `check_standards`); raises InvalidPlan naming the field and the reason. The order
    of a theme's standards means nothing, so the plan keeps them sorted: two files that
    differ only in it are the same plan."""
    v = _PlanFields(lambda where, reason: InvalidPlan(source, where, reason))
    obj = v.mapping(data, "(top level)")
    if obj.get("format") != FORMAT:
        raise v.fail("format", f"must be {FORMAT}, not {shown(obj.get('format'))}")
    unknown = sorted(set(obj) - {"format", "name", "unlinked_actions", "themes"})
    if unknown:
        raise v.fail("(top level)", f"{shown(unknown[0])} is not a field of an improvement plan")
    name = v.line(obj, "name", "", max_len=200) if obj.get("name") is not None else ""
    if "themes" not in obj:
        raise v.fail("themes", "is missing")
    themes: list[Theme] = []
    mapped: dict[StandardRef, tuple[str, str]] = {}
    standards: list[tuple[StandardRef, str]] = []
    for index, item in enumerate(v.array(obj["themes"], "themes", 1, MAX_THEMES)):
        theme, raw = _theme(v, item, f"themes[{index}]", themes)
        themes.append(theme)
        refs = _standards_of_theme(v, raw, f"themes[{index}]", theme, mapped)
        standards += [(ref, theme.key) for ref in sorted(refs, key=_in_order)]
    places = {ref: at for ref, (_, at) in mapped.items()}
    unlinked = obj.get("unlinked_actions")
    if unlinked is None:
        unlinked = themes[0].key
    elif not isinstance(unlinked, str) or unlinked not in {t.key for t in themes}:
        keys = ", ".join(t.key for t in themes)
        raise v.fail("unlinked_actions", f"{shown(unlinked)} is not the key of a theme ({keys})")
    return ImprovementPlan(
        name=name or "Improvement plan",
        themes=tuple(themes),
        unlinked_actions=unlinked,
        standards=tuple(standards),
        places=places,
    )


def _in_order(ref: StandardRef) -> tuple[str, int, int, str]:
    """Framework, version, then codes as people count them (2 before 10)."""
    key, version, code = ref
    return key, version, int(code) if code.isdigit() and len(code) < 10 else 10**10, code


def _theme(v: _PlanFields, item: Any, where: str, earlier: list[Theme]) -> tuple[Theme, Any]:
    """The theme, and its standards as the file gives them (checked by the caller)."""
    entry = v.mapping(item, where)
    extra = sorted(set(entry) - {"key", "name", "description", "standards"})
    if extra:
        raise v.fail(where, f"{shown(extra[0])} is not a field of a theme")
    key = v.text(entry, "key", where, max_len=40)
    if not THEME_KEY.match(key):
        raise v.fail(f"{where}.key", "must be 2–40 lower-case letters, digits and hyphens")
    if key in {t.key for t in earlier}:
        raise v.fail(f"{where}.key", f"{shown(key)} is used by another theme already")
    theme = Theme(
        key=key,
        name=v.line(entry, "name", where, max_len=100),
        description=v.line(entry, "description", where, max_len=300),
    )
    if theme.name.casefold() in {t.name.casefold() for t in earlier}:
        raise v.fail(f"{where}.name", f"{shown(theme.name)} is the name of another theme")
    return theme, entry.get("standards") if entry.get("standards") is not None else []


def _standards_of_theme(
    v: _PlanFields,
    raw: Any,
    where: str,
    theme: Theme,
    mapped: dict[StandardRef, tuple[str, str]],
) -> list[StandardRef]:
    """The standards a theme lists; `mapped` (each standard mapped so far, with its theme's
    name and where) refuses one mapped twice."""
    refs: list[StandardRef] = []
    seen_versions: set[tuple[str, int]] = set()
    for s_index, group in enumerate(v.array(raw, f"{where}.standards", 0, 100)):
        here = f"{where}.standards[{s_index}]"
        framework_version = _framework_version(v, group, here)
        if framework_version in seen_versions:
            raise v.fail(
                here,
                f"names {_named(framework_version)} a second time in this theme: "
                "give all its codes in one entry",
            )
        seen_versions.add(framework_version)
        codes = v.array(group.get("codes"), f"{here}.codes", 1, 50)
        for c_index, code in enumerate(codes):
            at = f"{here}.codes[{c_index}]"
            if isinstance(code, int) and not isinstance(code, bool):
                code = str(code)
            text = v.string(code, at, max_len=20)
            ref = (*framework_version, text)
            if ref in mapped:
                earlier_theme, earlier_at = mapped[ref]
                raise v.fail(
                    at,
                    f"maps standard {shown(text)} of {_named(framework_version)}, "
                    f"which {earlier_at} maps already (to {earlier_theme}): "
                    "a standard belongs to one theme",
                )
            mapped[ref] = (theme.name, at)
            refs.append(ref)
    return refs


def _framework_version(v: _PlanFields, group: Any, where: str) -> tuple[str, int]:
    entry = v.mapping(group, where)
    key = v.text(entry, "framework", where, max_len=60)
    if not FRAMEWORK_KEY.match(key):
        raise v.fail(f"{where}.framework", f"{shown(key)} is not a framework key")
    version = entry.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        raise v.fail(f"{where}.version", f"must be a whole number from 1 to {MAX_VERSION:,}")
    return key, version


def _named(framework_version: tuple[str, int]) -> str:
    return f"{framework_version[0]} v{framework_version[1]}"


def check_standards(
    plan: ImprovementPlan,
    installed: Mapping[tuple[str, int], Iterable[str]],
    source: str,
) -> None:
    """Refuses a plan that maps a framework version that is not installed, or a code that
    is not one of its standards (the first in the file); `installed` gives each framework
    version's codes."""
    codes = {where: set(found) for where, found in installed.items()}
    for ref, at in plan.places.items():
        where = (ref[0], ref[1])
        if where not in codes:
            versions = sorted(v for k, v in codes if k == where[0])
            have = f"; versions installed: {', '.join(map(str, versions))}" if versions else ""
            raise InvalidPlan(
                source,
                at.rsplit(".codes[", 1)[0],
                f"names {_named(where)}, which is not installed here{have}",
            )
        if ref[2] not in codes[where]:
            raise InvalidPlan(source, at, f"{shown(ref[2])} is not a standard of {_named(where)}")


def load_plan_file(path: Path) -> ImprovementPlan:
    source = path.name
    try:
        data = read_json_file(path, MAX_FILE_BYTES, "plan")
    except UnreadableJson as exc:
        raise InvalidPlan(source, "", str(exc)) from None
    return parse_plan(data, source)


def shipped_plan() -> ImprovementPlan:
    return load_plan_file(SHIPPED_PLAN)
