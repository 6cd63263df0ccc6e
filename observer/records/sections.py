"""Which parts of the form a kind of observation uses, and the words that say who is who.

An observation of supervision has no child or family in the room: consent, the child's
voice and feedback from the family are not part of it, and the person observed is the
supervisor, running the session with a supervisee (or a group). A part that does not apply
to a kind is still shown while it holds words (a draft whose kind was changed), so that no
one's typing is hidden or lost; sign-off never asks for it.

The editor, the sign-off review and the summary PDF all ask here, so they agree.
"""

from __future__ import annotations

from typing import Protocol

from observer.vocabulary import NARRATIVE_SECTIONS, Kind

CONSENT = "consent"
CHILD_VOICE = "child_voice"
FAMILY_FEEDBACK = "family_feedback"
FAMILY_SECTIONS = (CONSENT, CHILD_VOICE, FAMILY_FEEDBACK)

OTHERS_PRESENT_LABEL = "Who else was present"
OTHERS_PRESENT_PLACEHOLDER = "Roles, not names: for example, mother and younger brother"


class _Record(Protocol):
    @property
    def kind(self) -> Kind: ...
    @property
    def consent_given_by(self) -> str: ...
    @property
    def consent_how(self) -> str: ...
    @property
    def child_voice(self) -> str: ...
    @property
    def family_feedback(self) -> str: ...


def applies(kind: Kind, section: str) -> bool:
    """Whether `section` (one of FAMILY_SECTIONS) is part of an observation of `kind`."""
    if section not in FAMILY_SECTIONS:
        return True
    return not kind.is_supervision


def has_words(record: _Record, section: str) -> bool:
    if section == CONSENT:
        return bool(record.consent_given_by.strip() or record.consent_how.strip())
    if section in (CHILD_VOICE, FAMILY_FEEDBACK):
        return bool(str(getattr(record, section)).strip())
    return False


def shown(record: _Record, section: str) -> bool:
    """Whether a section is shown: it applies to the kind, or it holds words."""
    return applies(record.kind, section) or has_words(record, section)


def kept_for_its_words(kind: Kind, section: str) -> str:
    """The note on a section shown only because it holds words."""
    return (
        f"This is not part of an observation of {kind.label.lower()}. It is kept because it "
        "has text; clear the text if it does not belong here."
    )


def observed_label(kind: Kind) -> str:
    """Who the observed person is in this kind of observation."""
    return "Supervisor observed" if kind.is_supervision else "Practitioner observed"


def section_title(kind: Kind, field: str) -> str:
    """The heading of a narrative section (NARRATIVE_SECTIONS) in this kind of observation."""
    if field == "reflection" and kind.is_supervision:
        return "The supervisor's reflection"
    return NARRATIVE_SECTIONS[field]


def others_present_label(kind: Kind) -> str:
    if kind is Kind.SUPERVISION_INDIVIDUAL:
        return "Supervisee"
    if kind is Kind.SUPERVISION_GROUP:
        return "Supervisees"
    return OTHERS_PRESENT_LABEL


def others_present_placeholder(kind: Kind) -> str:
    if kind is Kind.SUPERVISION_INDIVIDUAL:
        return "Role, not name: for example, social worker in their first year (ASYE)"
    if kind is Kind.SUPERVISION_GROUP:
        return "Roles, not names: for example, three social workers and a student"
    return OTHERS_PRESENT_PLACEHOLDER


def family_present_after_kind_change(
    before: Kind, after: Kind, family_present: bool, consent_typed: bool
) -> bool:
    """The consent box after a draft's kind changed from `before` to `after`.

    The box follows the kind, as a new draft's does, unless the user answered it: its
    answer differs from what the old kind implied, or consent is already written down.
    """
    answered = family_present != before.involves_family or consent_typed
    return family_present if answered else after.involves_family
