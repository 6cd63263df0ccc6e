"""The organisation's improvement themes as a service: the current plan, importing a new
one, and the plan's history (`services.themes`).

Importing makes a new version; the versions before it are kept unchanged and the newest
is current. A plan is never part of a record, so importing one changes no observation,
signature or hash: only which theme a standard (and so an agreed action) counts under.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from observer.governance.audit import record_event
from observer.service.action_themes import ThemePlan
from observer.service.plan import (
    ImprovementPlan,
    InvalidPlan,
    StandardRef,
    Theme,
    check_standards,
    load_plan_file,
    parse_plan,
    shipped_plan,
)
from observer.store.db import Database
from observer.store.models import Action, Framework, Standard, action_standards
from observer.store.outbox import NOT_A_CHANGE
from observer.store.plans import ImprovementPlanVersion, ImprovementTheme, theme_standards

SHIPPED_SOURCE = "the shipped default"
AUDIT_ACTION, AUDIT_RECORD = "import_plan", "improvement_plan"
READ_AT_ONCE = 500  # ids per query, well within SQLite's variable limit
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanVersion:
    """One version of the plan as the history lists it."""

    version: int
    name: str
    content_hash: str
    imported_at: datetime
    imported_by: str
    source: str
    plan: ImprovementPlan
    current: bool


@dataclass(frozen=True)
class StandardShown:
    code: str
    title: str


@dataclass(frozen=True)
class FrameworkStandards:
    """Standards of one framework version, as a theme (or the unmapped list) shows them."""

    key: str
    version: int
    name: str
    standards: tuple[StandardShown, ...]


@dataclass(frozen=True)
class ThemeOutline:
    theme: Theme
    frameworks: tuple[FrameworkStandards, ...]


@dataclass(frozen=True)
class PlanOutline:
    """The current plan as `observer themes show` and the app show it: each theme with its
    standards per framework version, and the installed standards in no theme."""

    plan: ImprovementPlan
    themes: tuple[ThemeOutline, ...]
    unmapped: tuple[FrameworkStandards, ...]


@dataclass(frozen=True)
class Imported:
    plan: ImprovementPlan
    added: bool
    """False when the plan was the current one already: nothing changed."""


def installed_standards(s: Session) -> dict[tuple[str, int], dict[str, uuid.UUID]]:
    """Every installed framework version's standards: code to id."""
    found: dict[tuple[str, int], dict[str, uuid.UUID]] = {}
    rows = s.execute(
        select(Framework.key, Framework.version, Standard.code, Standard.id).join(
            Standard, Standard.framework_id == Framework.id
        )
    )
    for key, version, code, standard_id in rows:
        found.setdefault((key, version), {})[code] = standard_id
    return found


def _plan_of(row: ImprovementPlanVersion) -> ImprovementPlan:
    plan = parse_plan(json.loads(row.definition), f"improvement plan v{row.version}")
    return replace(plan, version=row.version)


def newest_version(s: Session) -> ImprovementPlanVersion | None:
    """The current plan's row: figures by theme join `theme_standards` on its id."""
    return s.scalars(
        select(ImprovementPlanVersion).order_by(ImprovementPlanVersion.version.desc()).limit(1)
    ).one_or_none()


def store_plan(
    s: Session,
    plan: ImprovementPlan,
    *,
    source: str,
    actor: str,
    unless_held: bool = False,
    audited: bool = True,
) -> ImprovementPlanVersion | None:
    """Adds `plan` as the newest version, checked against the installed frameworks, and
    audits it (unless it is the shipped plan put in a new store, which, like the shipped
    frameworks, no one chose); None (nothing written) when it is the current plan already,
    or, with `unless_held` (a bundle's plans), when any version held has the same content."""
    content_hash = plan.content_hash()
    newest = newest_version(s)
    if unless_held:
        held = s.scalar(
            select(func.count()).where(ImprovementPlanVersion.content_hash == content_hash)
        )
        if held:
            return None
    elif newest is not None and newest.content_hash == content_hash:
        return None
    standards = installed_standards(s)
    check_standards(plan, standards, source)
    row = ImprovementPlanVersion(
        id=uuid.uuid4(),
        version=1 if newest is None else newest.version + 1,
        name=plan.name,
        unlinked_actions=plan.unlinked_actions,
        definition=plan.canonical_json(),
        content_hash=content_hash,
        source=source[:300],
        imported_by=actor[:200],
    )
    row.themes = [
        ImprovementTheme(
            id=uuid.uuid4(), key=t.key, name=t.name, description=t.description, position=i
        )
        for i, t in enumerate(plan.themes)
    ]
    s.add(row)
    s.flush()
    theme_ids = {t.key: t.id for t in row.themes}
    mapped = [
        {
            "plan_id": row.id,
            "standard_id": standards[(key, version)][code],
            "theme_id": theme_ids[t],
        }
        for (key, version, code), t in plan.standards
    ]
    if mapped:
        s.execute(insert(theme_standards), mapped)
    if not audited:
        return row
    record_event(
        s,
        actor=actor,
        action=AUDIT_ACTION,
        record_type=AUDIT_RECORD,
        record_id=row.id,
        content_hash=content_hash,
        detail=f"version {row.version}, {len(plan.themes)} themes, "
        f"{len(plan.standards)} standards mapped",
    )
    return row


def plan_versions(s: Session) -> list[ImprovementPlanVersion]:
    return list(s.scalars(select(ImprovementPlanVersion).order_by(ImprovementPlanVersion.version)))


def install_shipped_plan(db: Database, actor: str) -> None:
    """Puts the shipped plan in a store that holds none yet. A store whose frameworks the
    shipped plan does not fit (an organisation's own under a shipped key and version) is
    left without one, and still opens: `Themes.current` then gives the shipped plan."""
    with db.session() as s:
        if s.scalar(select(ImprovementPlanVersion.id).limit(1)) is not None:
            return
    try:
        with db.session() as s, s.begin():
            s.info[NOT_A_CHANGE] = True  # every store holds it: nothing to send a team server
            if s.scalar(select(ImprovementPlanVersion.id).limit(1)) is None:
                store_plan(s, shipped_plan(), source=SHIPPED_SOURCE, actor=actor, audited=False)
    except InvalidPlan as exc:
        log.warning("the shipped improvement plan was not installed (%s)", exc.where)


class Themes:
    """`services.themes`: the organisation's improvement plan and its history."""

    def __init__(self, db: Database, actor: Callable[[], str]) -> None:
        self._db = db
        self._actor = actor

    def current(self) -> ImprovementPlan:
        """The newest plan imported (the shipped one in a store that has none)."""
        with self._db.session() as s:
            newest = newest_version(s)
            if newest is not None:
                return _plan_of(newest)
        return shipped_plan()

    def for_figures(self) -> ThemePlan:
        """The current plan as the Service section's figures use it: a standard's themes
        by name (a standard the plan does not map counts under its theme for unlinked
        actions), the themes in order, and that theme."""
        plan = self.current()
        return ThemePlan(
            of=lambda key: tuple(t.name for t in plan.themes_of_action([(key[0], key[1], key[2])])),
            order=tuple(t.name for t in plan.themes),
            unlinked=plan.unlinked_theme.name,
        )

    def outline(self) -> PlanOutline:
        plan = self.current()
        with self._db.session() as s:
            rows = s.execute(
                select(
                    Framework.key,
                    Framework.version,
                    Framework.short_name,
                    Framework.name,
                    Standard.code,
                    Standard.title,
                )
                .join(Standard, Standard.framework_id == Framework.id)
                .order_by(Framework.key, Framework.version, Standard.position)
            ).all()
        names: dict[tuple[str, int], str] = {}
        titles: dict[tuple[str, int, str], str] = {}
        for key, version, short_name, name, code, title in rows:
            names[(key, version)] = short_name or name
            titles[(key, version, code)] = title

        def shown(where: tuple[str, int], codes: list[str]) -> FrameworkStandards:
            return FrameworkStandards(
                where[0],
                where[1],
                names.get(where, ""),
                tuple(StandardShown(c, titles.get((*where, c), "")) for c in codes),
            )

        themes = tuple(
            ThemeOutline(
                theme,
                tuple(
                    shown(where, list(codes))
                    for where, codes in sorted(plan.standards_of(theme.key).items())
                ),
            )
            for theme in plan.themes
        )
        mapped = {ref for ref, _ in plan.standards}
        unmapped: dict[tuple[str, int], list[str]] = {}
        for key, version, _, _, code, _ in rows:
            if (key, version, code) not in mapped:
                unmapped.setdefault((key, version), []).append(code)
        return PlanOutline(
            plan, themes, tuple(shown(where, codes) for where, codes in unmapped.items())
        )

    def themes_of_actions(
        self, action_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[Theme, ...]]:
        """The themes of the current plan each agreed action belongs to (see
        observer/service/plan.py for the rule; an id not in the store gets none)."""
        plan = self.current()
        wanted = list(dict.fromkeys(action_ids))
        linked: dict[uuid.UUID, list[StandardRef]] = {}
        found: set[uuid.UUID] = set()
        with self._db.session() as s:
            for start in range(0, len(wanted), READ_AT_ONCE):
                chunk = wanted[start : start + READ_AT_ONCE]
                found.update(s.scalars(select(Action.id).where(Action.id.in_(chunk))))
                rows = s.execute(
                    select(
                        action_standards.c.action_id,
                        Framework.key,
                        Framework.version,
                        Standard.code,
                    )
                    .join(Standard, Standard.id == action_standards.c.standard_id)
                    .join(Framework, Framework.id == Standard.framework_id)
                    .where(action_standards.c.action_id.in_(chunk))
                )
                for action_id, key, version, code in rows:
                    linked.setdefault(action_id, []).append((key, version, code))
        return {
            action_id: plan.themes_of_action(linked.get(action_id, ()))
            for action_id in wanted
            if action_id in found
        }

    def import_file(self, path: Path) -> Imported:
        """Validates the plan in `path` against the installed frameworks and makes it the
        current plan; InvalidPlan (naming the file, the field and why) changes nothing."""
        plan = load_plan_file(path)
        with self._db.session() as s, s.begin():
            row = store_plan(s, plan, source=path.name, actor=self._actor())
            version = row.version if row is not None else _version_number(s)
        return Imported(replace(plan, version=version), added=row is not None)

    def history(self) -> list[PlanVersion]:
        """Every version of the plan, oldest first; the last is current."""
        with self._db.session() as s:
            rows = plan_versions(s)
            return [
                PlanVersion(
                    version=row.version,
                    name=row.name,
                    content_hash=row.content_hash,
                    imported_at=row.created_at,
                    imported_by=row.imported_by,
                    source=row.source,
                    plan=_plan_of(row),
                    current=index == len(rows) - 1,
                )
                for index, row in enumerate(rows)
            ]

    def export_json(self) -> dict[str, Any]:
        """The current plan in the file format: importing it elsewhere gives the same plan."""
        return self.current().to_json()


def _version_number(s: Session) -> int:
    newest = newest_version(s)
    return 0 if newest is None else newest.version
