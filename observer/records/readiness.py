"""What an observation still lacks before it can be signed, each as one plain sentence.

A rating without its evidence is a tick, not a judgement: every standard needs a rating
(or Not observed), every rating its evidence, and the overall judgement its rationale.
Consent is asked for only when the family was present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from observer.records.recording import ObservationView


@dataclass(frozen=True)
class Missing:
    target: str  # where the editor jumps: a field name, "standard:<code>" or "evidence:<code>"
    message: str


def missing_for_sign_off(view: ObservationView) -> list[Missing]:
    """Everything missing, in the order the editor shows the fields."""
    missing: list[Missing] = []
    if view.family_present:
        if not view.consent_given_by.strip():
            missing.append(Missing("consent_given_by", "Say who gave consent to the observation."))
        if not view.consent_how.strip():
            missing.append(Missing("consent_how", "Say how consent was given."))
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
    if view.overall_level_code is None:
        missing.append(Missing("overall_level", "Choose the overall judgement."))
    if not view.overall_rationale.strip():
        missing.append(
            Missing("overall_rationale", "Give the rationale for the overall judgement.")
        )
    return missing
