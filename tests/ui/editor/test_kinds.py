"""The editor's form follows the kind of observation: supervision shows no consent, child's
voice or family feedback and says who is the supervisor; words typed are never hidden when
the kind changes; the consent box follows the kind unless the user answered it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind
from tests.support.editor import open_editor, save_by_keyboard, text_box, type_into
from tests.support.prompts import FakePrompts
from tests.ui.conftest import Cast
from ui.editor.window import EditorWindow
from ui.signoff.review import ReviewView

LEFT = Qt.MouseButton.LeftButton
CONSENT_TARGETS = ("family_present", "consent_given_by", "consent_how")


def draft(services: Services, cast: Cast, kind: Kind, **extra: object) -> uuid.UUID:
    return services.recording.create_draft(
        DraftDetails(
            observed_person_id=cast.worker,
            observer_id=cast.observer,
            kind=kind,
            observed_at=datetime(2025, 3, 14, 10, 30, tzinfo=UTC),
            **extra,  # type: ignore[arg-type]
        )
    )


def seen(window: EditorWindow, target: str) -> bool:
    return window.page.bindings[target].widget.isVisibleTo(window)


def label_text(label: QLabel) -> str:
    return label.text().replace("&", "")


def outline_shows(window: EditorWindow) -> list[str]:
    items = [window.outline.item(i) for i in range(window.outline.count())]
    return [item.text() for item in items if not item.isHidden()]


def choose_kind(window: EditorWindow, kind: Kind) -> None:
    combo = window.page.bindings["kind"].widget
    assert isinstance(combo, QComboBox)
    combo.setFocus()
    combo.setCurrentIndex(combo.findData(kind.value))  # as picking it from the list does


def consent_box(window: EditorWindow) -> QCheckBox:
    box = window.page.bindings["family_present"].widget
    assert isinstance(box, QCheckBox)
    return box


def test_one_to_one_supervision_says_who_is_who_and_shows_no_family_sections(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast: Cast
):
    window = open_editor(
        qtbot, services, prompts, draft(services, cast, Kind.SUPERVISION_INDIVIDUAL)
    )
    page = window.page

    assert label_text(page.observed_label) == "Supervisor observed:"
    assert label_text(page.others_label) == "Supervisee:"
    others = text_box(window, "others_present")
    assert isinstance(others, QLineEdit)
    assert others.placeholderText().startswith("Role, not name: for example, social worker")
    assert not any(seen(window, target) for target in CONSENT_TARGETS)
    assert page.cards["child_voice"].isHidden()
    assert page.cards["family_feedback"].isHidden()
    shows = outline_shows(window)
    assert "The child's voice and lived experience" not in shows
    assert "Feedback from the child or family" not in shows
    assert "Strengths" in shows
    assert "The supervisor's reflection" in shows  # the supervisor is the one observed
    assert page.cards["reflection"].title.text() == "The supervisor's reflection"
    assert page.actions.note.text() == "What the supervisor will do next, who owns it, by when."
    # Not observed rates a single standard, never the practice as a whole.
    assert "Not observed" not in [b.text() for b in page.overall.buttons.values()]
    first = next(iter(page.standards.values()))
    assert "Not observed" in [b.text() for b in first.rating.buttons.values()]


def test_group_supervision_names_the_supervisees(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast: Cast
):
    window = open_editor(qtbot, services, prompts, draft(services, cast, Kind.SUPERVISION_GROUP))

    assert label_text(window.page.observed_label) == "Supervisor observed:"
    assert label_text(window.page.others_label) == "Supervisees:"
    assert not seen(window, "family_present")


def test_direct_work_shows_every_section_and_the_practitioner_observed(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast: Cast
):
    window = open_editor(qtbot, services, prompts, draft(services, cast, Kind.DIRECT_WORK))
    page = window.page

    assert label_text(page.observed_label) == "Practitioner observed:"
    assert label_text(page.others_label) == "Who else was present:"
    assert text_box(window, "others_present").placeholderText() == (
        "Roles, not names: for example, mother and younger brother"
    )
    assert all(seen(window, target) for target in CONSENT_TARGETS)
    assert consent_box(window).isChecked()  # direct work has a child there
    assert page.cards["child_voice"].isVisible()
    assert page.cards["family_feedback"].isVisible()
    assert not page.section_notes["child_voice"].isVisible()
    assert page.cards["reflection"].title.text() == "The practitioner's reflection"
    assert "Not observed" not in [b.text() for b in page.overall.buttons.values()]


def test_changing_a_home_visit_to_supervision_keeps_the_childs_voice_typed_in_it(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast: Cast
):
    observation = draft(services, cast, Kind.HOME_VISIT)
    window = open_editor(qtbot, services, prompts, observation)
    assert consent_box(window).isChecked()  # as a home visit implies
    type_into(qtbot, text_box(window, "child_voice"), "He showed me his drawings.")

    choose_kind(window, Kind.SUPERVISION_INDIVIDUAL)
    save_by_keyboard()

    page = window.page
    assert page.cards["child_voice"].isVisible()  # it has words, so it stays
    assert text_box(window, "child_voice").text() == "He showed me his drawings."
    note = page.section_notes["child_voice"]
    assert note.isVisible()
    assert note.text() == (
        "This is not part of an observation of one-to-one supervision. It is kept because it "
        "has text; clear the text if it does not belong here."
    )
    assert page.cards["family_feedback"].isHidden()  # empty, so it goes
    assert not seen(window, "family_present")
    assert window.windowTitle().startswith("One-to-one supervision — ")
    stored = services.recording.get(observation)
    assert stored.kind is Kind.SUPERVISION_INDIVIDUAL
    assert stored.child_voice == "He showed me his drawings."
    assert stored.family_present is False  # the box followed the kind

    window.show_readiness()
    items = window.readiness.items
    listed = [items.item(i).text() for i in range(items.count())]
    assert not [text for text in listed if "consent" in text.lower()], listed


def test_changing_a_conference_to_a_home_visit_ticks_the_consent_box(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast: Cast
):
    observation = draft(services, cast, Kind.CHILD_PROTECTION_MEETING)
    window = open_editor(qtbot, services, prompts, observation)
    assert not consent_box(window).isChecked()
    assert not text_box(window, "consent_given_by").isEnabled()

    choose_kind(window, Kind.HOME_VISIT)
    save_by_keyboard()

    assert consent_box(window).isChecked()
    assert text_box(window, "consent_given_by").isEnabled()
    assert services.recording.get(observation).family_present is True


def test_a_consent_box_the_user_answered_stays_as_answered(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast: Cast
):
    observation = draft(services, cast, Kind.HOME_VISIT)
    window = open_editor(qtbot, services, prompts, observation)
    qtbot.mouseClick(consent_box(window), LEFT)  # unticked: no one from the family came
    assert not consent_box(window).isChecked()

    choose_kind(window, Kind.DIRECT_WORK)
    save_by_keyboard()

    assert not consent_box(window).isChecked()
    assert services.recording.get(observation).family_present is False


def test_consent_written_down_stays_in_view_when_the_kind_becomes_supervision(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast: Cast
):
    observation = draft(services, cast, Kind.HOME_VISIT)
    window = open_editor(qtbot, services, prompts, observation)
    type_into(qtbot, text_box(window, "consent_given_by"), "Mother")

    choose_kind(window, Kind.SUPERVISION_GROUP)
    save_by_keyboard()

    assert all(seen(window, target) for target in CONSENT_TARGETS)
    assert window.page.consent_note.isVisibleTo(window)
    assert consent_box(window).isChecked()
    stored = services.recording.get(observation)
    assert (stored.consent_given_by, stored.family_present) == ("Mother", True)


def test_the_checklist_of_a_supervision_record_asks_only_what_supervision_has(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast: Cast
):
    observation = draft(services, cast, Kind.SUPERVISION_INDIVIDUAL)
    for rating in services.recording.get(observation).ratings:
        services.recording.set_rating(
            observation, rating.standard_code, level_code="good", evidence="Reflective."
        )
    window = open_editor(qtbot, services, prompts, observation)

    window.show_readiness()

    items = window.readiness.items
    assert [items.item(i).text() for i in range(items.count())] == [
        "Choose the overall judgement.",
        "Give the rationale for the overall judgement.",
    ]


def test_the_record_read_before_signing_a_supervision_says_who_is_who(
    qtbot: QtBot, services: Services, cast: Cast
):
    observation = draft(services, cast, Kind.SUPERVISION_GROUP, others_present="Three workers")
    review = ReviewView(services.recording.get(observation))
    qtbot.addWidget(review)

    read = review.toPlainText()
    assert "Supervisor observed" in read
    assert "Supervisees" in read
    assert "Three workers" in read
    for absent in ("Child or family present", "The child's voice", "Feedback from the child"):
        assert absent not in read
