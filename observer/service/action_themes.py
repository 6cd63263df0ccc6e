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

from sqlalchemy import and_, case, func, select, type_coerce
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
class ThemePlan:
    """An improvement plan as the figures use it: a standard's themes, the plan's themes in
    its order, and the theme that actions linked to no standard count under."""

    of: Themes
    order: tuple[str, ...]
    unlinked: str


@dataclass(frozen=True)
class ActionsByTheme:
    themes: tuple[ActionCount, ...]  # the plan's themes in its order, then others; NO_STANDARD last
    standards: tuple[ActionCount, ...]  # per linked standard, most open first


def theme_order(name: str, order: Sequence[str] = PLAN_THEMES) -> int:
    """Where a theme is listed: the plan's themes in its order, then others (by name, as
    sorted after), and actions linked to no standard last."""
    if name == NO_STANDARD:
        return 2 * len(order) + 2
    if name in order:
        return list(order).index(name)
    return len(order)


def actions_by_theme(
    s: Session,
    query: ServiceFilter,
    today: date,
    scales: dict[uuid.UUID, FrameworkScale],
    themes: Themes,
    *,
    order: Sequence[str] = PLAN_THEMES,
    unlinked: str | None = None,
) -> ActionsByTheme:
    """`order`: the plan's themes, listed even with no actions; `unlinked`: the theme that
    actions linked to no standard count under (without one, a row of their own)."""
    is_open = Action.status == ActionStatus.OPEN.value
    late = and_(is_open, Action.due_date < today)
    in_view = observations_in(query, query.period.first, query.period.last)
    standard = type_coerce(action_standards.c.standard_id, NullType())
    state = case((late, 2), (is_open, 1), else_=0)
    # One pass over the period's actions: each action linked to a standard is read with
    # each standard it names (its themes are counted once however many), and those linked
    # to none are only counted, by state, whatever their number.
    action_or_none = case((action_standards.c.standard_id.is_(None), None), else_=raw_id(Action.id))
    statement = (
        select(action_or_none, standard, state, func.count())
        .select_from(Action)
        .join(Observation, Observation.id == Action.observation_id)
        .outerjoin(action_standards, action_standards.c.action_id == Action.id)
        .where(in_view)
        .group_by(action_or_none, action_standards.c.standard_id, state)
    )
    alone = [0, 0, 0]
    linked: list[tuple[str, str, int]] = []
    for action, linked_to, status, number in s.connection().execute(statement):
        if action is None:
            _add(alone, status, number)
        else:
            linked.append((id_key(action), id_key(linked_to), status))
    open_alone, late_alone, done_alone = alone
    names: dict[str, tuple[StandardKey, str]] = {
        key: (StandardKey(scale.key, scale.version, st.code), f"{scale.short_name} {st.code}")
        for scale in scales.values()
        for key, st in scale.standards.items()
    }
    states: dict[str, int] = {}
    theme_of: dict[str, set[str]] = defaultdict(set)
    by_standard: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for action_key, standard_key, status in linked:
        named = names.get(standard_key)
        if named is None:
            continue
        states[action_key] = status
        theme_of[action_key].update(themes(named[0]))
        _add(by_standard[named[1]], status)
    per_theme: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for theme in order:  # listed even with no actions
        per_theme[theme] = [0, 0, 0]
    for action_key, in_themes in theme_of.items():
        for theme in in_themes:
            _add(per_theme[theme], states[action_key])
    counted = [ActionCount(name, o, late_n, d) for name, (o, late_n, d) in per_theme.items()]
    if unlinked is not None:
        counts = per_theme[unlinked]
        counts[0], counts[1], counts[2] = (
            counts[0] + open_alone,
            counts[1] + late_alone,
            counts[2] + done_alone,
        )
        counted = [ActionCount(name, o, late_n, d) for name, (o, late_n, d) in per_theme.items()]
    elif open_alone or done_alone:
        counted.append(ActionCount(NO_STANDARD, open_alone, late_alone, done_alone))
    standards = [ActionCount(name, o, late_n, d) for name, (o, late_n, d) in by_standard.items()]
    return ActionsByTheme(
        themes=tuple(
            sorted(counted, key=lambda c: (theme_order(c.name, order), c.name.casefold()))
        ),
        standards=tuple(sorted(standards, key=lambda c: (-c.open, c.name))),
    )


def _add(counts: list[int], status: int, number: int = 1) -> None:
    """Counts `number` actions: status 2 overdue, 1 open, 0 done."""
    if status:
        counts[0] += number
        counts[1] += number if status == 2 else 0
    else:
        counts[2] += number
