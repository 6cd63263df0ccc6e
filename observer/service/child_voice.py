"""The child's voice: is it heard in the records of direct work?

Of the observations of direct work with a child or family (direct work, a home visit, a
meeting with parents or carers: the kinds where the child or family is there by the nature
of the work, observer/vocabulary.py) that the Service section counts, the share whose
child's-voice section says something (anything but blanks), and of those, the share that
also record feedback from the child or family.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from observer.service.period import DIRECT_WORK_KINDS, ServiceFilter
from observer.service.standards import observations_in
from observer.store.models import Observation


@dataclass(frozen=True)
class ChildVoice:
    direct_work: int  # observations of direct work counted
    with_voice: int  # of them, whose child's-voice section says something
    with_feedback: int  # of those, that also record feedback from the child or family

    @property
    def voice_share(self) -> float | None:
        return self.with_voice / self.direct_work if self.direct_work else None

    @property
    def feedback_share(self) -> float | None:
        return self.with_feedback / self.with_voice if self.with_voice else None


def says_something(column: QueryableAttribute[str]) -> ColumnElement[bool]:
    """Whether a narrative section holds more than blanks (spaces, tabs, line breaks)."""
    flattened = func.replace(func.replace(func.replace(column, "\n", " "), "\r", " "), "\t", " ")
    return func.trim(flattened) != ""


def child_voice(s: Session, query: ServiceFilter) -> ChildVoice | None:
    """None when the filter keeps no kind of direct work (supervision, say)."""
    kinds = query.kinds()
    direct = [k for k in DIRECT_WORK_KINDS if kinds is None or k in kinds]
    if not direct:
        return None
    voice = says_something(Observation.child_voice)
    statement = select(
        func.count(),
        func.count().filter(voice),
        func.count().filter(voice & says_something(Observation.family_feedback)),
    ).where(
        observations_in(query, query.period.first, query.period.last),
        Observation.kind.in_([k.value for k in direct]),
    )
    total, with_voice, with_feedback = s.connection().execute(statement).one()
    return ChildVoice(total, with_voice, with_feedback)
