"""The fixed words of the domain: kinds of observation, roles, statuses, with their labels."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum


class Kind(StrEnum):
    DIRECT_WORK = "direct_work"
    HOME_VISIT = "home_visit"
    PARENTS_MEETING = "parents_meeting"
    CHILD_PROTECTION_MEETING = "child_protection_meeting"
    SUPERVISION_INDIVIDUAL = "supervision_individual"
    SUPERVISION_GROUP = "supervision_group"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def short_label(self) -> str:
        """The kind in a table's column, where the whole label would be cut short."""
        return KIND_SHORT_LABELS.get(self, KIND_LABELS[self])

    @property
    def is_supervision(self) -> bool:
        return self in (Kind.SUPERVISION_INDIVIDUAL, Kind.SUPERVISION_GROUP)

    @property
    def involves_family(self) -> bool:
        """Whether a child or family member is present by the nature of the work, so that
        consent is always needed. A child protection conference or core group may go ahead
        without the family, and a strategy meeting always does; supervision never has them."""
        return self in (Kind.DIRECT_WORK, Kind.HOME_VISIT, Kind.PARENTS_MEETING)


KIND_LABELS: dict[Kind, str] = {
    Kind.DIRECT_WORK: "Direct work with a child",
    Kind.HOME_VISIT: "Home visit",
    Kind.PARENTS_MEETING: "Meeting with parents or carers",
    Kind.CHILD_PROTECTION_MEETING: "Child protection conference, core group or strategy meeting",
    Kind.SUPERVISION_INDIVIDUAL: "One-to-one supervision",
    Kind.SUPERVISION_GROUP: "Group supervision",
    Kind.OTHER: "Other",
}

KIND_SHORT_LABELS: dict[Kind, str] = {
    Kind.CHILD_PROTECTION_MEETING: "Child protection meeting",
}


class Role(StrEnum):
    SOCIAL_WORKER = "social_worker"
    ASYE = "asye"
    SENIOR_PRACTITIONER = "senior_practitioner"
    TEAM_MANAGER = "team_manager"
    PRACTICE_LEAD = "practice_lead"
    FAMILY_SUPPORT_WORKER = "family_support_worker"
    # Moderates observers' judgements and reports to the Improvement Board (issue 17).
    QA_LEAD = "qa_lead"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def short_label(self) -> str:
        """The role in a table's column, where the whole label would be cut short."""
        return ROLE_SHORT_LABELS.get(self, ROLE_LABELS[self])


ROLE_LABELS: dict[Role, str] = {
    Role.SOCIAL_WORKER: "Social worker",
    Role.ASYE: "Newly qualified social worker (ASYE)",
    Role.SENIOR_PRACTITIONER: "Senior practitioner",
    Role.TEAM_MANAGER: "Team manager",
    Role.PRACTICE_LEAD: "Practice lead",
    Role.FAMILY_SUPPORT_WORKER: "Family support worker",
    Role.QA_LEAD: "Principal social worker or QA lead",
}

ROLE_SHORT_LABELS: dict[Role, str] = {
    Role.ASYE: "Newly qualified (ASYE)",
    Role.QA_LEAD: "QA lead",
}


class Status(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.DRAFT: "Draft",
    Status.READY: "Ready for sign-off",
    Status.SIGNED: "Signed",
}


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"

    @property
    def label(self) -> str:
        return "Open" if self is ActionStatus.OPEN else "Done"


class SignatureRole(StrEnum):
    OBSERVER = "observer"
    PRACTITIONER = "practitioner"
    MANAGER = "manager"


NARRATIVE_SECTIONS: dict[str, str] = {
    "strengths": "Strengths",
    "development_areas": "Areas for development",
    "child_voice": "The child's voice and lived experience",
    "family_feedback": "Feedback from the child or family",
    "reflection": "The practitioner's reflection",
    "overall_rationale": "Rationale for the overall judgement",
}


# The moments a record may carry. Far wider than any observation, and far enough from the
# calendar's ends (years 1 and 9999) that showing one in any time zone cannot overflow.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2200, 1, 1, tzinfo=UTC)
MOMENT_RANGE = "from the year 1900 to 2199"


def within_moment_range(moment: datetime) -> bool:
    """Whether an aware `moment` lies in MOMENT_RANGE (False too if it cannot be in UTC)."""
    try:
        return EARLIEST_MOMENT <= moment.astimezone(UTC) < LATEST_MOMENT
    except OverflowError:
        return False


def observation_day(observed_at: datetime) -> date:
    """The day of an observation as the person recording it sees it (their time zone)."""
    aware = observed_at if observed_at.tzinfo else observed_at.replace(tzinfo=UTC)
    return aware.astimezone().date()
