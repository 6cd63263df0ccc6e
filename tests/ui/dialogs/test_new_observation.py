"""Starting an observation through the New observation dialog, as a practice lead would."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QStyle,
    QStyleOptionComboBox,
)
from pytestqt.qtbot import QtBot

from observer.people.directory import PersonDetails
from observer.records.case_reference import NAME_WARNING, NHS_NUMBER_WARNING
from observer.services import Services
from observer.vocabulary import Kind, Role
from tests.support.new_observation import choose, give_consent, save, shown, type_date, uses_popup
from tests.support.prompts import FakePrompts
from tests.support.qt import type_text
from ui.dialogs.new_observation import (
    CHOOSE_PERSON,
    NOBODY_YET,
    PICKED_HINT,
    NewObservationDialog,
)
from ui.dialogs.person import PersonDialog

SUPERVISORS = "kss-practice-supervisors"
PCF = "professional-capabilities-framework"
DIRECT_WORK = "direct-work-practice"


@pytest.fixture
def dialog(qtbot: QtBot, services: Services, cast, prompts: FakePrompts):
    new = NewObservationDialog(services.recording, services.people, cast.observer, prompts)
    return shown(qtbot, new)


@pytest.fixture
def asye(services: Services, cast) -> uuid.UUID:
    return services.people.add_person(PersonDetails("Kofi Mensah", Role.ASYE, team_id=cast.team))


def _pick_from_completer(qtbot: QtBot, dialog: NewObservationDialog, typed: str) -> None:
    dialog.person.setFocus()
    type_text(dialog.person.lineEdit(), typed)
    popup = dialog.person.completer().popup()
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)


def _framework_key(services: Services, dialog: NewObservationDialog) -> str:
    keys = {f.id: f.key for f in services.recording.frameworks()}
    return keys[dialog.framework.currentData()]


@uses_popup
def test_a_person_found_by_part_of_their_name_is_observed_and_stored(
    qtbot: QtBot, services: Services, cast, dialog: NewObservationDialog
):
    _pick_from_completer(qtbot, dialog, "łukas")
    assert dialog.person.currentText() == "Zoë Łukasiewicz — Social worker, Assessment North"
    choose(dialog.kind, "Home visit")
    type_date(qtbot, dialog, "14/3/25 10:30am")
    dialog.duration.setValue(45)
    qtbot.keyClicks(dialog.case_reference, "CIN 2041")
    qtbot.keyClicks(dialog.others_present, "The children's grandmother")
    qtbot.keyClicks(dialog.consent_given_by, "The children's grandmother")
    qtbot.keyClicks(dialog.consent_how, "Verbally, at the door")
    qtbot.keyClicks(dialog.focus, "How the worker hears the younger child's wishes")

    save(qtbot, dialog)

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
    give_consent(qtbot, dialog)
    save(qtbot, dialog)
    assert dialog.saved_id is not None
    assert services.recording.get(dialog.saved_id).duration_minutes is None


@uses_popup
def test_saving_without_a_person_is_refused_in_one_sentence(
    qtbot: QtBot, services: Services, asye: uuid.UUID, dialog: NewObservationDialog, prompts
):
    qtbot.keyClicks(dialog.case_reference, "CIN 2041")
    save(qtbot, dialog)
    assert prompts.shown == [("error", CHOOSE_PERSON)]

    # "Assessment North" is the team of two people: it does not say which one.
    type_text(dialog.person.lineEdit(), "Assessment North")
    save(qtbot, dialog)

    assert prompts.shown[-1] == ("error", CHOOSE_PERSON)
    assert dialog.isVisible()
    assert dialog.case_reference.text() == "CIN 2041"
    assert services.recording.count() == 0


@uses_popup
def test_consent_is_needed_when_a_family_member_was_present(
    qtbot: QtBot, services: Services, cast, dialog: NewObservationDialog, prompts
):
    _pick_from_completer(qtbot, dialog, "zoë")
    choose(dialog.kind, "Other")
    assert not dialog.family_present.isChecked()
    assert not dialog.consent_given_by.isEnabled()
    assert not dialog.consent_how.isEnabled()

    qtbot.mouseClick(dialog.family_present, Qt.MouseButton.LeftButton)
    assert dialog.consent_given_by.isEnabled()
    save(qtbot, dialog)
    assert prompts.shown == [
        (
            "error",
            "A child or family member was present: say who gave consent and how it was given.",
        )
    ]

    qtbot.keyClicks(dialog.consent_given_by, "The children's mother")
    save(qtbot, dialog)
    assert prompts.shown[-1] == (
        "error",
        "A child or family member was present: say how it was given.",
    )
    assert dialog.isVisible()
    assert services.recording.count() == 0

    qtbot.keyClicks(dialog.consent_how, "Verbally, at the start of the visit")
    save(qtbot, dialog)

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
        choose(dialog.kind, kind)
        assert dialog.family_present.isChecked() is ticked, kind
        assert dialog.consent_how.isEnabled() is ticked, kind

    choose(dialog.kind, "Child protection conference")
    qtbot.mouseClick(dialog.family_present, Qt.MouseButton.LeftButton)  # the parents came
    choose(dialog.kind, "Other")
    assert dialog.family_present.isChecked()

    choose(dialog.kind, "Direct work with a child")
    choose(dialog.person, "Zoë")
    save(qtbot, dialog)  # nobody said who consented: refused, nothing stored
    assert prompts.shown == [
        (
            "error",
            "A child or family member was present: say who gave consent and how it was given.",
        )
    ]
    assert services.recording.count() == 0


def test_supervision_says_who_is_who_and_asks_no_consent(
    qtbot: QtBot, dialog: NewObservationDialog
):
    def label_of(field):
        return dialog._form.labelForField(field).text().replace("&", "")

    assert label_of(dialog.others_present) == "Who else was present:"
    assert dialog.who_label.text().replace("&", "") == "Practitioner observed:"

    choose(dialog.kind, "One-to-one supervision")

    assert dialog.who_label.text().replace("&", "") == "Supervisor observed:"
    assert dialog.person.accessibleName() == "Supervisor observed"
    assert label_of(dialog.others_present) == "Supervisee:"
    assert dialog.others_present.placeholderText().startswith("Role, not name")
    for field in (dialog.family_present, dialog.consent_given_by, dialog.consent_how):
        assert not field.isVisibleTo(dialog)

    choose(dialog.kind, "Group supervision")
    assert label_of(dialog.others_present) == "Supervisees:"

    choose(dialog.kind, "Home visit")
    assert dialog.who_label.text().replace("&", "") == "Practitioner observed:"
    assert dialog.consent_given_by.isVisibleTo(dialog)


def test_consent_typed_before_choosing_supervision_stays_in_view(dialog: NewObservationDialog):
    dialog.consent_given_by.setText("K's mother")
    choose(dialog.kind, "One-to-one supervision")
    assert dialog.consent_given_by.isVisibleTo(dialog)
    assert dialog.consent_given_by.text() == "K's mother"


def test_supervision_defaults_to_the_practice_supervisors_statement(
    services: Services, dialog: NewObservationDialog
):
    choose(dialog.person, "Zoë")
    assert _framework_key(services, dialog) == DIRECT_WORK

    choose(dialog.kind, "One-to-one supervision")

    assert _framework_key(services, dialog) == SUPERVISORS
    assert dialog.framework_hint.text() == (
        "Chosen for supervision: Knowledge and skills statement for practice supervisors."
    )


@uses_popup
def test_a_newly_qualified_worker_defaults_to_the_pcf(
    qtbot: QtBot, services: Services, asye: uuid.UUID, dialog: NewObservationDialog
):
    _pick_from_completer(qtbot, dialog, "kofi")
    assert _framework_key(services, dialog) == PCF
    assert dialog.framework_hint.text() == (
        "Chosen for a newly qualified worker: Professional Capabilities Framework (ASYE)."
    )

    give_consent(qtbot, dialog)
    save(qtbot, dialog)
    assert services.recording.get(dialog.saved_id).framework.key == PCF


def test_a_framework_the_user_picked_survives_a_change_of_kind_and_person(
    qtbot: QtBot, services: Services, asye: uuid.UUID, dialog: NewObservationDialog
):
    choose(dialog.person, "Zoë")
    dialog.framework.setFocus()
    dialog.framework.setCurrentIndex(0)
    for _ in range(dialog.framework.count()):  # as a user steps through with the keys
        if _framework_key(services, dialog) == PCF:
            break
        qtbot.keyClick(dialog.framework, Qt.Key.Key_Down)
    assert dialog.framework_hint.text() == PICKED_HINT

    choose(dialog.kind, "Group supervision")
    choose(dialog.person, "Kofi")
    type_date(qtbot, dialog, "05/01/2026 09:00")

    assert _framework_key(services, dialog) == PCF
    save(qtbot, dialog)
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
    choose(dialog.person, "Zoë")
    qtbot.keyClicks(dialog.case_reference, typed)

    if warning is None:
        assert dialog.case_warning.isHidden()
    else:
        assert dialog.case_warning.isVisible()
        assert dialog.case_warning.text() == warning
        assert warning in dialog.case_reference.accessibleDescription()

    give_consent(qtbot, dialog)
    save(qtbot, dialog)
    assert services.recording.get(dialog.saved_id).case_reference == typed


def test_an_empty_store_says_what_to_do_and_adds_the_person_there(
    qtbot: QtBot, services: Services, prompts: FakePrompts, monkeypatch
):
    lead = services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire County Council")
    new = NewObservationDialog(services.recording, services.people, lead.person_id, prompts)
    qtbot.addWidget(new)
    new.show()
    qtbot.waitExposed(new)
    assert new.person.count() == 0
    assert new.person_hint.isVisible()
    assert "Add a person" in new.person_hint.text()
    save(qtbot, new)
    assert prompts.shown == [("error", NOBODY_YET)]

    def fill_in(person_dialog: PersonDialog) -> int:
        assert person_dialog.windowTitle() == "Add person"
        qtbot.keyClicks(person_dialog.name, "Amara Osei")
        choose(person_dialog.role, "Senior practitioner")
        person_dialog.accept()
        return person_dialog.result()

    monkeypatch.setattr(PersonDialog, "exec", fill_in)
    qtbot.mouseClick(new.add_person, Qt.MouseButton.LeftButton)

    assert new.person.currentText() == "Amara Osei — Senior practitioner"
    assert new.chosen_person() is not None
    assert new.person_hint.isHidden()
    give_consent(qtbot, new)
    save(qtbot, new)
    assert services.recording.get(new.saved_id).observed_person_name == "Amara Osei"


def test_framework_names_are_shown_in_full(dialog: NewObservationDialog):
    combo = dialog.framework
    longest = max(
        (combo.itemText(i) for i in range(combo.count())), key=combo.fontMetrics().horizontalAdvance
    )
    assert longest == "Knowledge and skills statement for child and family practitioners, version 1"
    for i in range(combo.count()):
        combo.setCurrentIndex(i)
        shown = combo.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox,
            _combo_option(combo),
            QStyle.SubControl.SC_ComboBoxEditField,
            combo,
        )
        assert combo.fontMetrics().horizontalAdvance(combo.currentText()) <= shown.width()
        assert combo.itemData(i, Qt.ItemDataRole.ToolTipRole).startswith(combo.currentText())


def _combo_option(combo: QComboBox) -> QStyleOptionComboBox:
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    return option


def test_start_returns_the_new_draft_when_saved(
    qtbot: QtBot, services: Services, cast, prompts: FakePrompts, monkeypatch
):
    def save_at_once(dialog: NewObservationDialog) -> int:
        assert dialog.chosen_person() is not None
        assert dialog.windowTitle() == "New observation"
        give_consent(qtbot, dialog)
        save(qtbot, dialog)
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
