"""What an observation still lacks before it can be signed, each as one plain sentence.

A rating without its evidence is a tick, not a judgement: every standard needs a rating
(or Not observed), every rating its evidence, and the overall judgement its rationale.
Consent is asked for when the family was present, and a kind of observation that by its
nature involves a child or family (Kind.involves_family) asks for that answer explicitly;
a kind without a family (supervision, observer.records.sections) never asks about consent.
The overall judgement is always a judgement: the scale's Not observed is for one standard.
An agreed action cannot be due before the observation; a record whose observation date was
moved past an action's due date is caught here rather than its date change being refused.

The check reads a record through `Reviewable`, the few things it looks at, so that this
module depends on no other part of the records (`ObservationView` is one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from observer.errors import ObserverError
from observer.records.sections import CONSENT, applies
from observer.text import uk_date
from observer.vocabulary import Kind, observation_day

OVERALL_NOT_A_JUDGEMENT = (
    "Choose the overall judgement: Not observed is for a single standard, not for the "
    "practice as a whole."
)


@dataclass(frozen=True)
class Missing:
    target: str  # where the editor jumps: a field name, "standard:<code>" or "evidence:<code>"
    message: str


class NotReady(ObserverError):
    """Sign-off was asked for while something is still missing; `missing` says what."""

    def __init__(self, missing: Sequence[Missing]) -> None:
        count = len(missing)
        things = "1 thing is" if count == 1 else f"{count} things are"
        super().__init__(f"This observation is not ready for sign-off: {things} missing.")
        self.missing: list[Missing] = list(missing)


class _Level(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def score(self) -> int | None: ...


class _Rating(Protocol):
    @property
    def standard_code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def level_code(self) -> str | None: ...
    @property
    def evidence(self) -> str: ...


class _Action(Protocol):
    @property
    def id(self) -> object: ...
    @property
    def due_date(self) -> date | None: ...


class Reviewable(Protocol):
    @property
    def kind(self) -> Kind: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def actions(self) -> Sequence[_Action]: ...
    @property
    def family_present(self) -> bool: ...
    @property
    def consent_given_by(self) -> str: ...
    @property
    def consent_how(self) -> str: ...
    @property
    def levels(self) -> Sequence[_Level]: ...
    @property
    def ratings(self) -> Sequence[_Rating]: ...
    @property
    def overall_level_code(self) -> str | None: ...
    @property
    def overall_rationale(self) -> str: ...


def missing_for_sign_off(view: Reviewable) -> list[Missing]:
    """Everything missing, in the order the editor shows the fields."""
    missing: list[Missing] = []
    if applies(view.kind, CONSENT):
        missing += _consent(view)
    scores = {level.code: level.score for level in view.levels}
    not_observed = next((lv.label for lv in view.levels if lv.score is None), None)
    for rating in view.ratings:
        title = f"“{rating.title}”"
        if rating.level_code is None:
            choice = f" or mark it {not_observed}" if not_observed else ""
            missing.append(Missing(f"standard:{rating.standard_code}", f"Rate {title}{choice}."))
        elif scores.get(rating.level_code, 0) is not None and not rating.evidence.strip():
            missing.append(
                Missing(
                    f"evidence:{rating.standard_code}",
                    f"Give the evidence behind the rating of {title}.",
                )
            )
    day = observation_day(view.observed_at)
    for number, action in enumerate(view.actions, start=1):
        if action.due_date is not None and action.due_date < day:
            missing.append(
                Missing(
                    f"action:{action.id}:due",
                    f"Action {number} is due on {uk_date(action.due_date)}, before the "
                    f"observation on {uk_date(day)}; give it a later due date.",
                )
            )
    if view.overall_level_code is None:
        missing.append(Missing("overall_level", "Choose the overall judgement."))
    elif scores.get(view.overall_level_code) is None:
        missing.append(Missing("overall_level", OVERALL_NOT_A_JUDGEMENT))
    if not view.overall_rationale.strip():
        missing.append(
            Missing("overall_rationale", "Give the rationale for the overall judgement.")
        )
    return missing


def _consent(view: Reviewable) -> list[Missing]:
    missing: list[Missing] = []
    if view.kind.involves_family and not view.family_present:
        missing.append(
            Missing(
                "family_present",
                f"“{view.kind.label}” involves a child or family: tick “A child or family "
                "member was present” and say who gave consent and how.",
            )
        )
    if view.family_present:
        if not view.consent_given_by.strip():
            missing.append(Missing("consent_given_by", "Say who gave consent to the observation."))
        if not view.consent_how.strip():
            missing.append(Missing("consent_how", "Say how consent was given."))
    return missing
