"""Frameworks of practice standards: read from JSON files, validated, stored by version.

The file format is documented in docs/framework-format.md. A framework is identified by
its key and version; a stored version never changes, so every observation keeps the
exact standards and scale it was recorded against.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.errors import InvalidFramework
from observer.paths import FRAMEWORKS_DIR
from observer.store.models import Framework, RatingLevel, Standard
from observer.validation import Fields, UnreadableJson, read_json_file, shown, type_name
from observer.vocabulary import Kind, Role

FORMAT = 1
MAX_VERSION = 1_000_000
# The shipped files are under 10 kB; even 50 standards of long prompts stay far below this.
MAX_FILE_BYTES = 5_000_000
# Framework versions get the same ids in every store, so records refer to them alike.
ID_NAMESPACE = uuid.UUID("6f1d3c56-8b0e-4f4e-9a57-1f3c2d9e7b10")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,59}$")


@dataclass(frozen=True)
class LevelDefinition:
    code: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class StandardDefinition:
    code: str
    title: str
    summary: str = ""
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameworkDefinition:
    key: str
    version: int
    name: str
    levels: tuple[LevelDefinition, ...]
    standards: tuple[StandardDefinition, ...]
    not_observed: LevelDefinition | None = None
    short_name: str = ""
    description: str = ""
    source: str = ""
    in_force_from: date | None = None
    in_force_until: date | None = None
    default_kinds: tuple[str, ...] = ()
    default_roles: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The definition in the file format, normalised."""
        scale: dict[str, Any] = {"levels": [asdict(level) for level in self.levels]}
        if self.not_observed is not None:
            scale["not_observed"] = asdict(self.not_observed)
        return {
            "format": FORMAT,
            "key": self.key,
            "version": self.version,
            "name": self.name,
            "short_name": self.short_name,
            "description": self.description,
            "source": self.source,
            "in_force_from": _iso(self.in_force_from),
            "in_force_until": _iso(self.in_force_until),
            "default_for": {"kinds": list(self.default_kinds), "roles": list(self.default_roles)},
            "scale": scale,
            "standards": [
                {
                    "code": s.code,
                    "title": s.title,
                    "summary": s.summary,
                    "prompts": list(s.prompts),
                }
                for s in self.standards
            ],
        }

    def canonical_json(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


DEFAULT_LEVELS = (
    LevelDefinition("outstanding", "Outstanding", "Practice that makes a real difference."),
    LevelDefinition("good", "Good", "Consistently sound practice."),
    LevelDefinition(
        "requires_improvement", "Requires improvement to be good", "Not yet consistently good."
    ),
    LevelDefinition("inadequate", "Inadequate", "Practice that leaves children at risk."),
)
DEFAULT_NOT_OBSERVED = LevelDefinition("not_observed", "Not observed", "Not seen this time.")


@dataclass(frozen=True)
class FrameworkInfo:
    """What lists and pickers show of a stored framework version."""

    id: uuid.UUID
    key: str
    version: int
    name: str
    short_name: str
    standards: int
    in_force_from: date | None
    in_force_until: date | None
    default_kinds: tuple[str, ...] = field(default=())
    default_roles: tuple[str, ...] = field(default=())

    def in_force_on(self, day: date) -> bool:
        starts = self.in_force_from is None or self.in_force_from <= day
        return starts and (self.in_force_until is None or day <= self.in_force_until)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


class _FrameworkFields(Fields):
    """Field checks for framework files, plus the two shapes only frameworks have."""

    def level(self, value: Any, where: str) -> LevelDefinition:
        obj = self.mapping(value, where)
        return LevelDefinition(
            code=self.code(obj, where, 40),
            label=self.text(obj, "label", where, max_len=100),
            description=self.text(obj, "description", where, required=False),
        )

    def code(self, obj: dict[str, Any], where: str, max_len: int) -> str:
        value = obj.get("code")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return self.text({"code": value}, "code", where, max_len=max_len)

    def choices(self, value: Any, where: str, allowed: set[str]) -> tuple[str, ...]:
        items = self.array(value if value is not None else [], where, 0, 20)
        for index, item in enumerate(items):
            names = ", ".join(sorted(allowed))
            if not isinstance(item, str):
                raise self.fail(
                    f"{where}[{index}]", f"must be one of {names}, not {type_name(item)}"
                )
            if item not in allowed:
                raise self.fail(f"{where}[{index}]", f"{shown(item)} is not one of {names}")
        return tuple(items)


def parse_framework(data: Any, source: str) -> FrameworkDefinition:
    """Validates decoded JSON; raises InvalidFramework naming the field and the reason."""
    v = _FrameworkFields(lambda where, reason: InvalidFramework(source, where, reason))
    obj = v.mapping(data, "(top level)")
    if obj.get("format") != FORMAT:
        raise v.fail("format", f"must be {FORMAT}, not {shown(obj.get('format'))}")
    key = v.text(obj, "key", "", max_len=60)
    if not KEY_PATTERN.match(key):
        raise v.fail("key", "must be 3–60 lower-case letters, digits and hyphens")
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        raise v.fail("version", f"must be a whole number from 1 to {MAX_VERSION:,}")
    name = v.text(obj, "name", "", max_len=200)
    in_force_from = v.day(obj, "in_force_from")
    in_force_until = v.day(obj, "in_force_until")
    if in_force_from and in_force_until and in_force_until < in_force_from:
        raise v.fail("in_force_until", "is before in_force_from")

    default_for = v.mapping(obj.get("default_for") or {}, "default_for")
    kinds = v.choices(default_for.get("kinds"), "default_for.kinds", {k.value for k in Kind})
    roles = v.choices(default_for.get("roles"), "default_for.roles", {r.value for r in Role})

    levels: tuple[LevelDefinition, ...] = DEFAULT_LEVELS
    not_observed: LevelDefinition | None = DEFAULT_NOT_OBSERVED
    if obj.get("scale") is not None:
        scale = v.mapping(obj["scale"], "scale")
        if "levels" not in scale:
            raise v.fail("scale.levels", "is missing")
        raw_levels = v.array(scale["levels"], "scale.levels", 2, 10)
        levels = tuple(v.level(item, f"scale.levels[{i}]") for i, item in enumerate(raw_levels))
        not_observed = (
            v.level(scale["not_observed"], "scale.not_observed")
            if scale.get("not_observed") is not None
            else None
        )
        codes = [level.code for level in levels]
        v.unique(codes, "scale.levels")
        if not_observed is not None and not_observed.code in codes:
            raise v.fail("scale.not_observed.code", f"{not_observed.code!r} is also a level")

    if "standards" not in obj:
        raise v.fail("standards", "is missing")
    standards = []
    for index, item in enumerate(v.array(obj["standards"], "standards", 1, 50)):
        where = f"standards[{index}]"
        entry = v.mapping(item, where)
        prompts = tuple(
            v.string(prompt, f"{where}.prompts[{p_index}]", max_len=500)
            for p_index, prompt in enumerate(
                v.array(entry.get("prompts", []), f"{where}.prompts", 0, 20)
            )
        )
        standards.append(
            StandardDefinition(
                code=v.code(entry, where, 20),
                title=v.text(entry, "title", where, max_len=300),
                summary=v.text(entry, "summary", where, required=False),
                prompts=prompts,
            )
        )
    v.unique([s.code for s in standards], "standards")

    return FrameworkDefinition(
        key=key,
        version=version,
        name=name,
        short_name=v.text(obj, "short_name", "", required=False, max_len=40),
        description=v.text(obj, "description", "", required=False),
        source=v.text(obj, "source", "", required=False),
        in_force_from=in_force_from,
        in_force_until=in_force_until,
        default_kinds=kinds,
        default_roles=roles,
        levels=levels,
        not_observed=not_observed,
        standards=tuple(standards),
    )


def load_framework_file(path: Path) -> FrameworkDefinition:
    source = path.name
    try:
        data = read_json_file(path, MAX_FILE_BYTES, "framework")
    except UnreadableJson as exc:
        raise InvalidFramework(source, "(file)", str(exc)) from None
    return parse_framework(data, source)


def shipped_frameworks(folder: Path = FRAMEWORKS_DIR) -> list[FrameworkDefinition]:
    return [load_framework_file(path) for path in sorted(folder.glob("*.json"))]


def store_framework(
    session: Session, definition: FrameworkDefinition, source: str | None = None
) -> tuple[Framework, bool]:
    """Stores a framework version; returns it and whether it was new.

    The same key and version with different content is refused: versions are immutable.
    """
    existing = session.scalars(
        select(Framework).where(
            Framework.key == definition.key, Framework.version == definition.version
        )
    ).one_or_none()
    content_hash = definition.content_hash()
    if existing is not None:
        if existing.content_hash != content_hash:
            raise InvalidFramework(
                source or definition.key,
                "version",
                f"{definition.version} of {definition.key} is already installed with "
                "different content; give the changed framework a new version number",
            )
        return existing, False
    framework = framework_record(definition)
    session.add(framework)
    session.flush()
    return framework, True


def framework_record(definition: FrameworkDefinition) -> Framework:
    """The framework version as rows (not yet in any session), with its rating levels and
    standards, each id derived from the key, version and code: the same in every store
    and on the team server."""
    content_hash = definition.content_hash()

    def stable_id(*parts: object) -> uuid.UUID:
        return uuid.uuid5(
            ID_NAMESPACE, "/".join(str(p) for p in (definition.key, definition.version, *parts))
        )

    framework = Framework(
        id=stable_id(),
        key=definition.key,
        version=definition.version,
        name=definition.name,
        short_name=definition.short_name,
        description=definition.description,
        source=definition.source,
        in_force_from=definition.in_force_from,
        in_force_until=definition.in_force_until,
        default_kinds=list(definition.default_kinds),
        default_roles=list(definition.default_roles),
        definition=definition.canonical_json(),
        content_hash=content_hash,
    )
    count = len(definition.levels)
    framework.levels = [
        RatingLevel(
            id=stable_id("level", level.code),
            code=level.code,
            label=level.label,
            description=level.description,
            position=index,
            score=count - index,
        )
        for index, level in enumerate(definition.levels)
    ]
    if definition.not_observed is not None:
        framework.levels.append(
            RatingLevel(
                id=stable_id("level", definition.not_observed.code),
                code=definition.not_observed.code,
                label=definition.not_observed.label,
                description=definition.not_observed.description,
                position=count,
                score=None,
            )
        )
    framework.standards = [
        Standard(
            id=stable_id("standard", s.code),
            code=s.code,
            title=s.title,
            summary=s.summary,
            prompts=list(s.prompts),
            position=i,
        )
        for i, s in enumerate(definition.standards)
    ]
    return framework


def framework_info(framework: Framework, standards: int) -> FrameworkInfo:
    return FrameworkInfo(
        id=framework.id,
        key=framework.key,
        version=framework.version,
        name=framework.name,
        short_name=framework.short_name or framework.name,
        standards=standards,
        in_force_from=framework.in_force_from,
        in_force_until=framework.in_force_until,
        default_kinds=tuple(framework.default_kinds),
        default_roles=tuple(framework.default_roles),
    )


def stored_definition(framework: Framework) -> FrameworkDefinition:
    return parse_framework(
        json.loads(framework.definition), f"{framework.key} v{framework.version}"
    )
