"""Starting an observation through the New observation dialog, as a practice lead would."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from observer.people.directory import PersonDetails
from observer.records.case_reference import NAME_WARNING, NHS_NUMBER_WARNING
from observer.services import Services
from observer.vocabulary import Kind, Role
from tests.support.prompts import FakePrompts
from tests.support.qt import type_text
from ui.dialogs.new_observation import CHOOSE_PERSON, PICKED_HINT, NewObservationDialog

SUPERVISORS = "kss-practice-supervisors"
PCF = "professional-capabilities-framework"
DIRECT_WORK = "direct-work-practice"
# The completer's popup asks the offscreen platform for what it cannot do, and it says so.
uses_popup = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)$"
)


@pytest.fixture
def dialog(qtbot: QtBot, services: Services, cast, prompts: FakePrompts):
    new = NewObservationDialog(services.recording, services.people, cast.observer, prompts)
    qtbot.addWidget(new)
    new.show()
    qtbot.waitExposed(new)
    return new


@pytest.fixture
def asye(services: Services, cast) -> uuid.UUID:
    return services.people.add_person(PersonDetails("Kofi Mensah", Role.ASYE, team_id=cast.team))


def _save(qtbot: QtBot, dialog: NewObservationDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def _give_consent(qtbot: QtBot, dialog: NewObservationDialog) -> None:
    """Direct work, the kind a new observation starts with, has the child there."""
    assert dialog.family_present.isChecked()
    qtbot.keyClicks(dialog.consent_given_by, "The child, with her foster carer")
    qtbot.keyClicks(dialog.consent_how, "Verbally, before the session")


def _pick_from_completer(qtbot: QtBot, dialog: NewObservationDialog, typed: str) -> None:
    dialog.person.setFocus()
    type_text(dialog.person.lineEdit(), typed)
    popup = dialog.person.completer().popup()
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)


def _choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text, Qt.MatchFlag.MatchStartsWith)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def _framework_key(services: Services, dialog: NewObservationDialog) -> str:
    keys = {f.id: f.key for f in services.recording.frameworks()}
    return keys[dialog.framework.currentData()]


@uses_popup
def test_a_person_found_by_part_of_their_name_is_observed_and_stored(
    qtbot: QtBot, services: Services, cast, dialog: NewObservationDialog
):
    _pick_from_completer(qtbot, dialog, "łukas")
    assert dialog.person.currentText() == "Zoë Łukasiewicz — Social worker, Assessment North"
    _choose(dialog.kind, "Home visit")
    dialog.when.setDateTime(QDateTime(QDate(2025, 3, 14), QTime(10, 30)))
    dialog.duration.setValue(45)
    qtbot.keyClicks(dialog.case_reference, "CIN 2041")
    qtbot.keyClicks(dialog.others_present, "The children's grandmother")
    qtbot.keyClicks(dialog.consent_given_by, "The children's grandmother")
    qtbot.keyClicks(dialog.consent_how, "Verbally, at the door")
    qtbot.keyClicks(dialog.focus, "How the worker hears the younger child's wishes")

    _save(qtbot, dialog)

    assert dialog.result() == 1
    assert dialog.saved_id is not None
    stored = services.recording.get(dialog.saved_id)
    assert stored.observed_person_id == cast.worker
    assert stored.observer_id == cast.observer
    assert stored.kind is Kind.HOME_VISIT
    assert stored.observed_at == datetime(2025, 3, 14, 10, 30).astimezone()
    assert stored.duration_minutes == 45
    assert stored.framework.key == DIRECT_WORK
    assert stored.case_reference == "CIN 2041"
    assert stored.others_present == "The children's grandmother"
    assert stored.family_present  # a home visit has the family there
    assert stored.consent_given_by == "The children's grandmother"
    assert stored.consent_how == "Verbally, at the door"
    assert stored.focus == "How the worker hears the younger child's wishes"


@uses_popup
def test_an_untimed_observation_stores_no_duration(
    qtbot: QtBot, services: Services, dialog: NewObservationDialog
):
    assert dialog.duration.text() == "Not recorded"
    _pick_from_completer(qtbot, dialog, "zo")
    _give_consent(qtbot, dialog)
    _save(qtbot, dialog)
    assert dialog.saved_id is not None
    assert services.recording.get(dialog.saved_id).duration_minutes is None


@uses_popup
def test_saving_without_a_person_is_refused_in_one_sentence(
    qtbot: QtBot, services: Services, asye: uuid.UUID, dialog: NewObservationDialog, prompts
):
    qtbot.keyClicks(dialog.case_reference, "CIN 2041")
    _save(qtbot, dialog)
    assert prompts.shown == [("error", CHOOSE_PERSON)]

    # "Assessment North" is the team of two people: it does not say which one.
    type_text(dialog.person.lineEdit(), "Assessment North")
    _save(qtbot, dialog)

    assert prompts.shown[-1] == ("error", CHOOSE_PERSON)
    assert dialog.isVisible()
    assert dialog.case_reference.text() == "CIN 2041"
    assert services.recording.count() == 0


@uses_popup
def test_consent_is_needed_when_a_family_member_was_present(
    qtbot: QtBot, services: Services, cast, dialog: NewObservationDialog, prompts
):
    _pick_from_completer(qtbot, dialog, "zoë")
    _choose(dialog.kind, "Other")
    assert not dialog.family_present.isChecked()
    assert not dialog.consent_given_by.isEnabled()
    assert not dialog.consent_how.isEnabled()

    qtbot.mouseClick(dialog.family_present, Qt.MouseButton.LeftButton)
    assert dialog.consent_given_by.isEnabled()
    _save(qtbot, dialog)
    assert prompts.shown == [
        (
            "error",
            "A child or family member was present: say who gave consent and how it was given.",
        )
    ]

    qtbot.keyClicks(dialog.consent_given_by, "The children's mother")
    _save(qtbot, dialog)
    assert prompts.shown[-1] == (
        "error",
        "A child or family member was present: say how it was given.",
    )
    assert dialog.isVisible()
    assert services.recording.count() == 0

    qtbot.keyClicks(dialog.consent_how, "Verbally, at the start of the visit")
    _save(qtbot, dialog)

    assert dialog.result() == 1
    stored = services.recording.get(dialog.saved_id)
    assert stored.family_present
    assert stored.consent_given_by == "The children's mother"
    assert stored.consent_how == "Verbally, at the start of the visit"


def test_the_family_box_follows_the_kind_until_it_is_ticked_by_hand(
    qtbot: QtBot, services: Services, dialog: NewObservationDialog, prompts
):
    expected = {
        "Direct work with a child": True,
        "Home visit": True,
        "Meeting with parents or carers": True,
        "Child protection conference": False,
        "One-to-one supervision": False,
        "Group supervision": False,
        "Other": False,
    }
    assert dialog.kind.currentText() == "Direct work with a child"
    assert dialog.family_present.isChecked()
    assert dialog.consent_given_by.isEnabled()
    for kind, ticked in expected.items():
        _choose(dialog.kind, kind)
        assert dialog.family_present.isChecked() is ticked, kind
        assert dialog.consent_how.isEnabled() is ticked, kind

    _choose(dialog.kind, "Child protection conference")
    qtbot.mouseClick(dialog.family_present, Qt.MouseButton.LeftButton)  # the parents came
    _choose(dialog.kind, "Other")
    assert dialog.family_present.isChecked()

    _choose(dialog.kind, "Direct work with a child")
    _choose(dialog.person, "Zoë")
    _save(qtbot, dialog)  # nobody said who consented: refused, nothing stored
    assert prompts.shown == [
        (
            "error",
            "A child or family member was present: say who gave consent and how it was given.",
        )
    ]
    assert services.recording.count() == 0


def test_supervision_defaults_to_the_practice_supervisors_statement(
    services: Services, dialog: NewObservationDialog
):
    _choose(dialog.person, "Zoë")
    assert _framework_key(services, dialog) == DIRECT_WORK

    _choose(dialog.kind, "One-to-one supervision")

    assert _framework_key(services, dialog) == SUPERVISORS
    assert dialog.framework_hint.text() == "Chosen for supervision: KSS supervisors."


@uses_popup
def test_a_newly_qualified_worker_defaults_to_the_pcf(
    qtbot: QtBot, services: Services, asye: uuid.UUID, dialog: NewObservationDialog
):
    _pick_from_completer(qtbot, dialog, "kofi")
    assert _framework_key(services, dialog) == PCF
    assert dialog.framework_hint.text() == "Chosen for a newly qualified worker: PCF (ASYE)."

    _give_consent(qtbot, dialog)
    _save(qtbot, dialog)
    assert services.recording.get(dialog.saved_id).framework.key == PCF


def test_a_framework_the_user_picked_survives_a_change_of_kind_and_person(
    qtbot: QtBot, services: Services, asye: uuid.UUID, dialog: NewObservationDialog
):
    _choose(dialog.person, "Zoë")
    dialog.framework.setFocus()
    dialog.framework.setCurrentIndex(0)
    for _ in range(dialog.framework.count()):  # as a user steps through with the keys
        if _framework_key(services, dialog) == PCF:
            break
        qtbot.keyClick(dialog.framework, Qt.Key.Key_Down)
    assert dialog.framework_hint.text() == PICKED_HINT

    _choose(dialog.kind, "Group supervision")
    _choose(dialog.person, "Kofi")
    dialog.when.setDate(QDate(2026, 1, 5))

    assert _framework_key(services, dialog) == PCF
    _save(qtbot, dialog)
    stored = services.recording.get(dialog.saved_id)
    assert stored.framework.key == PCF
    assert stored.kind is Kind.SUPERVISION_GROUP


@pytest.mark.parametrize(
    ("typed", "warning"),
    [
        ("Jayden Okafor", NAME_WARNING),
        ("943 476 5919", NHS_NUMBER_WARNING),
        ("CIN 2041", None),
    ],
)
def test_a_case_reference_that_may_identify_a_child_is_warned_about_not_refused(
    qtbot: QtBot,
    services: Services,
    dialog: NewObservationDialog,
    typed: str,
    warning: str | None,
):
    assert dialog.case_warning.isHidden()
    _choose(dialog.person, "Zoë")
    qtbot.keyClicks(dialog.case_reference, typed)

    if warning is None:
        assert dialog.case_warning.isHidden()
    else:
        assert dialog.case_warning.isVisible()
        assert dialog.case_warning.text() == warning
        assert warning in dialog.case_reference.accessibleDescription()

    _give_consent(qtbot, dialog)
    _save(qtbot, dialog)
    assert services.recording.get(dialog.saved_id).case_reference == typed


def test_every_input_is_named_described_and_labelled(dialog: NewObservationDialog):
    inputs = [
        w
        for w in dialog.findChildren(QWidget)
        if isinstance(w, QLineEdit | QComboBox | QAbstractSpinBox | QCheckBox | QPlainTextEdit)
        and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)
    ]
    assert len(inputs) == 11
    buddies = {
        label.buddy(): label.text() for label in dialog.findChildren(QLabel) if label.buddy()
    }
    for widget in inputs:
        assert widget.accessibleName(), widget
        assert widget.accessibleDescription(), widget.accessibleName()
        label = widget.text() if isinstance(widget, QCheckBox) else buddies.get(widget, "")
        assert "&" in label, widget.accessibleName()
    assert dialog.person.lineEdit().accessibleName() == "Observed person"


def test_tab_moves_through_the_form_from_top_to_bottom(dialog: NewObservationDialog):
    dialog.family_present.setChecked(True)
    expected = [
        dialog.person,
        dialog.kind,
        dialog.when,
        dialog.duration,
        dialog.framework,
        dialog.case_reference,
        dialog.others_present,
        dialog.family_present,
        dialog.consent_given_by,
        dialog.consent_how,
        dialog.focus,
    ]
    seen: list[QWidget] = []
    widget = dialog.person.lineEdit()
    for _ in range(40):
        owner = (
            widget.parent() if isinstance(widget.parent(), QComboBox | QAbstractSpinBox) else widget
        )
        if owner in expected and owner not in seen:
            seen.append(owner)
        widget = widget.nextInFocusChain()
    assert seen == expected


def test_start_returns_the_new_draft_when_saved(
    qtbot: QtBot, services: Services, cast, prompts: FakePrompts, monkeypatch
):
    def save_at_once(dialog: NewObservationDialog) -> int:
        assert dialog.chosen_person() is not None
        assert dialog.windowTitle() == "New observation"
        _give_consent(qtbot, dialog)
        _save(qtbot, dialog)
        return dialog.result()

    monkeypatch.setattr(NewObservationDialog, "exec", save_at_once)
    new_id, accepted = NewObservationDialog.start(
        None, services.recording, services.people, cast.observer, prompts, person_id=cast.worker
    )

    assert accepted
    assert new_id is not None
    assert services.recording.get(new_id).observed_person_name == "Zoë Łukasiewicz"


def test_start_returns_nothing_when_cancelled(
    services: Services, cast, prompts: FakePrompts, monkeypatch
):
    monkeypatch.setattr(NewObservationDialog, "exec", lambda dialog: 0)
    assert NewObservationDialog.start(
        None, services.recording, services.people, cast.observer, prompts
    ) == (None, False)
    assert services.recording.count() == 0


def test_the_observer_and_people_who_left_are_not_offered(
    services: Services, cast, prompts: FakePrompts, qtbot: QtBot
):
    gone = services.people.add_person(PersonDetails("Gone Away", Role.SOCIAL_WORKER, active=False))
    new = NewObservationDialog(services.recording, services.people, cast.observer, prompts)
    qtbot.addWidget(new)
    offered = [new.person.itemText(i) for i in range(new.person.count())]
    assert offered == ["Zoë Łukasiewicz — Social worker, Assessment North"]
    assert new.person.currentText() == ""

    # Opened from a worker who has since left, they are offered all the same.
    again = NewObservationDialog(
        services.recording, services.people, cast.observer, prompts, person_id=gone
    )
    qtbot.addWidget(again)
    assert again.chosen_person() is not None
    assert again.chosen_person().id == gone
