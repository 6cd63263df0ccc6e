"""Agreed actions by improvement theme: how many are open, overdue and done.

The actions counted are those agreed in the observations the Service section counts (the
period, its filter, finished records). An action belongs to the themes of the standards it
is linked to (each theme once, however many of its standards it names); which themes a
standard belongs to is given by the organisation's improvement plan (a function passed in;
every standard is in DEFAULT_THEME when none is). An action linked to no standard is
counted on its own line, so that no action goes unseen. **Overdue** is the rule of
observer/records/actions.py: open, and due before today.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from observer.review.trends import FrameworkScale
from observer.service.period import ServiceFilter
from observer.service.standards import StandardKey, observations_in
from observer.store.ids import id_key, raw_id
from observer.store.models import Action, Observation, action_standards
from observer.vocabulary import ActionStatus

DEFAULT_THEME = "Practice"
PLAN_THEMES = ("Practice", "Performance", "People", "Partnerships")
NO_STANDARD = "No standard linked"
Themes = Callable[[StandardKey], Sequence[str]]


def themes_from(plan: Themes | Mapping[StandardKey, Sequence[str]] | None) -> Themes:
    """The themes of a standard, from a function, a mapping (a standard it does not name
    is in DEFAULT_THEME) or nothing (every standard in DEFAULT_THEME)."""
    if plan is None:
        return lambda _key: (DEFAULT_THEME,)
    if isinstance(plan, Mapping):
        mapping = plan
        return lambda key: mapping.get(key) or (DEFAULT_THEME,)
    return plan


@dataclass(frozen=True)
class ActionCount:
    """Actions of one theme (or one standard): open ones (overdue included), the overdue
    among them, and done ones."""

    name: str
    open: int
    overdue: int
    done: int

    @property
    def total(self) -> int:
        return self.open + self.done


@dataclass(frozen=True)
class ActionsByTheme:
    themes: tuple[ActionCount, ...]  # the plan's themes in its order, then others; NO_STANDARD last
    standards: tuple[ActionCount, ...]  # per linked standard, most open first


def theme_order(name: str) -> int:
    """Where a theme is listed: the plan's themes in its order, then others (by name, as
    sorted after), and actions linked to no standard last."""
    if name == NO_STANDARD:
        return 2 * len(PLAN_THEMES) + 2
    if name in PLAN_THEMES:
        return PLAN_THEMES.index(name)
    return len(PLAN_THEMES)


def actions_by_theme(
    s: Session,
    query: ServiceFilter,
    today: date,
    scales: dict[uuid.UUID, FrameworkScale],
    themes: Themes,
) -> ActionsByTheme:
    is_open = Action.status == ActionStatus.OPEN.value
    late = and_(is_open, Action.due_date < today)
    in_view = observations_in(query, query.period.first, query.period.last)
    linked = exists().where(action_standards.c.action_id == Action.id)
    unlinked = (
        select(
            func.count().filter(is_open),
            func.count().filter(late),
            func.count().filter(Action.status == ActionStatus.DONE.value),
        )
        .select_from(Action)
        .join(Observation, Observation.id == Action.observation_id)
        .where(in_view, ~linked)
    )
    each = (
        select(
            raw_id(Action.id),
            type_coerce(action_standards.c.standard_id, NullType()),
            case((late, 2), (is_open, 1), else_=0),
        )
        .select_from(Action)
        .join(Observation, Observation.id == Action.observation_id)
        .join(action_standards, action_standards.c.action_id == Action.id)
        .where(in_view)
    )
    open_alone, late_alone, done_alone = s.connection().execute(unlinked).one()
    names: dict[str, tuple[StandardKey, str]] = {
        key: (StandardKey(scale.key, scale.version, st.code), f"{scale.short_name} {st.code}")
        for scale in scales.values()
        for key, st in scale.standards.items()
    }
    state: dict[str, int] = {}
    theme_of: dict[str, set[str]] = defaultdict(set)
    by_standard: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for action, standard, status in s.connection().execute(each):
        action_key, named = id_key(action), names.get(id_key(standard))
        if named is None:
            continue
        state[action_key] = status
        theme_of[action_key].update(themes(named[0]))
        _add(by_standard[named[1]], status)
    per_theme: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for theme in PLAN_THEMES:  # listed even with no actions
        per_theme[theme] = [0, 0, 0]
    for action_key, in_themes in theme_of.items():
        for theme in in_themes:
            _add(per_theme[theme], state[action_key])
    counted = [ActionCount(name, o, late_n, d) for name, (o, late_n, d) in per_theme.items()]
    if open_alone or done_alone:
        counted.append(ActionCount(NO_STANDARD, open_alone, late_alone, done_alone))
    standards = [ActionCount(name, o, late_n, d) for name, (o, late_n, d) in by_standard.items()]
    return ActionsByTheme(
        themes=tuple(sorted(counted, key=lambda c: (theme_order(c.name), c.name.casefold()))),
        standards=tuple(sorted(standards, key=lambda c: (-c.open, c.name))),
    )


def _add(counts: list[int], status: int) -> None:
    """Counts one action: 2 overdue, 1 open, 0 done."""
    if status:
        counts[0] += 1
        counts[1] += status == 2
    else:
        counts[2] += 1
