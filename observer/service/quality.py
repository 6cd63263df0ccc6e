"""The Service section: the quality of practice across the service for a period.

What is counted (said in the section too): observations whose record the observer has
finished — ready for sign-off or signed — as on the worker page (observer/review/
worker_history.py): a draft's ratings may still change. Coverage counts any observation,
a draft included, as the team overview does. Standards, development areas, actions and the
child's voice are in their own modules; this one gathers them, in one store session, as
plain frozen dataclasses safe to hand from a background thread to the GUI.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from observer.review.settings import observation_interval_months
from observer.review.trends import load_scales
from observer.service.action_themes import (
    ActionsByTheme,
    ThemePlan,
    Themes,
    actions_by_theme,
    themes_from,
)
from observer.service.child_voice import ChildVoice, child_voice
from observer.service.coverage import TeamCoverage, coverage
from observer.service.period import ServiceFilter
from observer.service.standards import (
    DevelopmentArea,
    StandardFigures,
    StandardKey,
    development_areas,
    standard_figures,
)
from observer.store.db import Database
from observer.store.models import Framework, Team

COUNTED = (
    "Ratings count observations ready for sign-off or signed, as on the worker page; "
    "coverage counts any observation, drafts included, as the team overview does."
)


@dataclass(frozen=True)
class ServiceFigures:
    query: ServiceFilter
    today: date
    interval_months: int
    standards: tuple[StandardFigures, ...]
    development_areas: tuple[DevelopmentArea, ...]
    coverage: tuple[TeamCoverage, ...]
    actions: ActionsByTheme
    child_voice: ChildVoice | None  # None when no kind of direct work is counted

    @property
    def rated_observations(self) -> bool:
        return any(f.rated for f in self.standards)


@dataclass(frozen=True)
class FrameworkVersion:
    id: uuid.UUID
    name: str  # "Direct work, version 2"


@dataclass(frozen=True)
class ServiceChoices:
    """What the section can be narrowed to."""

    teams: tuple[tuple[str, uuid.UUID], ...]  # by name
    frameworks: tuple[FrameworkVersion, ...]  # by name, then the latest version first


class ServiceView:
    """The Service section's figures, for the GUI (and, later, the Board report)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def figures(
        self,
        query: ServiceFilter,
        today: date,
        themes: ThemePlan | Themes | Mapping[StandardKey, Sequence[str]] | None = None,
    ) -> ServiceFigures:
        """`themes`: the improvement plan (its order, and where actions linked to no
        standard count), or just a standard's themes."""
        months = observation_interval_months(self._db)
        if isinstance(themes, ThemePlan):
            plan: dict[str, Any] = {"order": themes.order, "unlinked": themes.unlinked}
            of: Themes | Mapping[StandardKey, Sequence[str]] | None = themes.of
        else:
            plan, of = {}, themes
        from concurrent.futures import ThreadPoolExecutor

        # The ratings are most of the time; coverage, actions and the child's voice are read
        # meanwhile, in a session of their own: SQLite works without Python's lock, so on
        # two processors the whole takes about as long as the ratings (p95 665-685 ms
        # instead of 972 for the busiest quarter of 100,000 observations). The two read
        # transactions begin together; a change committed between them shows in the next
        # reload, which any change to the store brings.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="service-figures") as pool:
            rest = pool.submit(self._rest, query, today, months, themes_from(of), plan)
            with self._db.session() as s:
                scales = load_scales(s)
                standards = standard_figures(s, query, scales)
                areas = development_areas(s, query, scales, standards)
            covered, actions, voice = rest.result()
        return ServiceFigures(
            query=query,
            today=today,
            interval_months=months,
            standards=standards,
            development_areas=areas,
            coverage=covered,
            actions=actions,
            child_voice=voice,
        )

    def _rest(
        self,
        query: ServiceFilter,
        today: date,
        months: int,
        themes: Themes,
        plan: dict[str, Any],
    ) -> tuple[tuple[TeamCoverage, ...], ActionsByTheme, ChildVoice | None]:
        with self._db.session() as s:
            scales = load_scales(s)
            return (
                coverage(s, query, today, months),
                actions_by_theme(s, query, today, scales, themes, **plan),
                child_voice(s, query),
            )

    def choices(self) -> ServiceChoices:
        with self._db.session() as s:
            teams = sorted(s.execute(select(Team.name, Team.id)).all(), key=lambda t: t[0])
            frameworks = s.execute(
                select(Framework.id, Framework.short_name, Framework.name, Framework.version)
            ).all()
        versions = sorted(
            ((short or name, version, fid) for fid, short, name, version in frameworks),
            key=lambda f: (f[0].casefold(), -f[1]),
        )
        return ServiceChoices(
            teams=tuple((name, tid) for name, tid in teams),
            frameworks=tuple(
                FrameworkVersion(fid, f"{name}, version {version}")
                for name, version, fid in versions
            ),
        )
