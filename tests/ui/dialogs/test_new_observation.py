"""Starting an observation through the New observation dialog, as a practice lead would."""

from __future__ import annotations

import uuid
from datetime import datetime
from itertools import pairwise

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QStyle,
    QStyleOptionComboBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from observer.people.directory import PersonDetails
from observer.records.case_reference import NAME_WARNING, NHS_NUMBER_WARNING
from observer.services import Services
from observer.vocabulary import Kind, Role
from tests.support.accessibility import announced_name, names_not_matching_labels, visible_inputs
from tests.support.prompts import FakePrompts
from tests.support.qt import type_text
from ui.dialogs.new_observation import (
    CHOOSE_PERSON,
    DISCARD,
    NOBODY_YET,
    PICKED_HINT,
    NewObservationDialog,
)
from ui.dialogs.person import PersonDialog

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


def _type_date(qtbot: QtBot, dialog: NewObservationDialog, text: str) -> None:
    dialog.when.line.setFocus()
    dialog.when.line.selectAll()
    qtbot.keyClicks(dialog.when.line, text)


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
    _type_date(qtbot, dialog, "14/3/25 10:30am")
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
    _type_date(qtbot, dialog, "05/01/2026 09:00")

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


def test_every_input_is_announced_by_its_label(dialog: NewObservationDialog):
    dialog.family_present.setChecked(True)
    assert names_not_matching_labels(dialog) == []
    assert announced_name(dialog.kind) == "Kind"
    assert announced_name(dialog.framework) == "Framework"
    assert announced_name(dialog.when.line) == "Date and time"
    assert dialog.person.lineEdit().accessibleName() == "Observed person"
    kind = QAccessible.queryAccessibleInterface(dialog.kind)
    assert kind.role() == QAccessible.Role.ComboBox
    assert kind.text(QAccessible.Text.Value) == "Direct work with a child"
    for widget in visible_inputs(dialog):
        if widget.parent() is not dialog.buttons:
            assert widget.accessibleDescription(), widget.accessibleName()


def test_tab_moves_through_the_form_in_the_order_it_is_shown(
    qtbot: QtBot, dialog: NewObservationDialog
):
    dialog.family_present.setChecked(True)
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    expected = [
        dialog.person,
        dialog.add_person,
        dialog.kind,
        dialog.when.line,  # one stop: the calendar button is for the mouse
        dialog.duration,
        dialog.framework,
        dialog.case_reference,
        dialog.others_present,
        dialog.family_present,
        dialog.consent_given_by,
        dialog.consent_how,
        dialog.focus,
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save),
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
    ]
    dialog.person.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    seen: list[QWidget] = []
    for _ in expected:
        focused = QApplication.focusWidget()
        inner = isinstance(focused.parent(), QAbstractSpinBox | QComboBox)
        seen.append(focused.parent() if inner else focused)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert [announced_name(w) for w in seen] == [announced_name(w) for w in expected]
    assert seen == expected
    # Top to bottom, and left to right within a row.
    places = [(w.mapTo(dialog, QPoint(0, 0)).y(), w.mapTo(dialog, QPoint(0, 0)).x()) for w in seen]
    rows = [(y + w.height() // 2, x) for (y, x), w in zip(places, seen, strict=True)]
    assert all(
        later[0] > earlier[0] or (abs(later[0] - earlier[0]) < 8 and later[1] > earlier[1])
        for earlier, later in pairwise(rows)
    ), rows


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07/12/2026 14:30", datetime(2026, 12, 7, 14, 30)),
        ("7/12/26 2:30pm", datetime(2026, 12, 7, 14, 30)),
        ("2026-12-07T09:05", datetime(2026, 12, 7, 9, 5)),
    ],
)
def test_the_date_and_time_are_typed_as_people_write_them(
    qtbot: QtBot, services: Services, dialog: NewObservationDialog, typed: str, stored: datetime
):
    _choose(dialog.person, "Zoë")
    _give_consent(qtbot, dialog)
    _type_date(qtbot, dialog, typed)
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.duration
    assert dialog.when.line.text() == stored.strftime("%d/%m/%Y %H:%M")  # as it was read
    _save(qtbot, dialog)
    assert services.recording.get(dialog.saved_id).observed_at == stored.astimezone()


def test_a_date_alone_keeps_the_time_already_shown(qtbot: QtBot, dialog: NewObservationDialog):
    shown_time = dialog.when.line.text()[-5:]
    _type_date(qtbot, dialog, "01/12/2026")
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Tab)
    assert dialog.when.line.text() == f"01/12/2026 {shown_time}"


def test_typing_meant_for_duration_never_changes_the_date_behind_the_users_back(
    qtbot: QtBot, services: Services, dialog: NewObservationDialog, prompts: FakePrompts
):
    _choose(dialog.person, "Zoë")
    _give_consent(qtbot, dialog)
    _type_date(qtbot, dialog, "07/12/2026 14:30")
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Tab)
    assert dialog.when.line.text() == "07/12/2026 14:30"
    # The slip the issue describes: '60' typed while the date still had the focus.
    dialog.when.line.setFocus()
    qtbot.keyClicks(dialog.when.line, "60")
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Tab)

    assert dialog.when.line.text() == "07/12/2026 14:3060"  # exactly as typed, not "fixed"
    assert dialog.when.message.isVisible()
    assert dialog.when.error() == dialog.when.message.text()
    assert dialog.when.error().endswith(".")
    assert ". " not in dialog.when.error()  # one sentence
    _save(qtbot, dialog)
    assert prompts.shown == [("error", dialog.when.error())]
    assert services.recording.count() == 0

    dialog.when.line.setFocus()
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Backspace)
    assert dialog.when.message.isHidden()
    _save(qtbot, dialog)
    assert (
        services.recording.get(dialog.saved_id).observed_at
        == datetime(2026, 12, 7, 14, 30).astimezone()
    )


def test_saving_a_date_that_does_not_exist_says_why_at_the_field(
    qtbot: QtBot, services: Services, dialog: NewObservationDialog, prompts: FakePrompts
):
    _choose(dialog.person, "Zoë")
    _give_consent(qtbot, dialog)
    _type_date(qtbot, dialog, "31/02/2026 10:00")
    _save(qtbot, dialog)
    refusal = "There is no day 31 in February 2026: it has 28 days."
    assert prompts.shown == [("error", refusal)]
    assert dialog.when.error() == refusal
    assert dialog.when.line.text() == "31/02/2026 10:00"
    assert refusal in dialog.when.line.accessibleDescription()
    assert services.recording.count() == 0


def test_the_sentence_under_the_date_leaves_no_gaps_when_it_comes_and_goes(
    qtbot: QtBot, dialog: NewObservationDialog
):
    def snug() -> bool:
        return dialog.height() == dialog.layout().totalHeightForWidth(dialog.width())

    height = dialog.height()
    _type_date(qtbot, dialog, "31/02/2026 10:00")
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: dialog.height() > height and snug())
    assert dialog.framework_hint.height() == dialog.framework_hint.heightForWidth(
        dialog.framework_hint.width()
    )
    _type_date(qtbot, dialog, "28/02/2026 10:00")
    qtbot.waitUntil(lambda: dialog.height() == height)


@uses_popup
def test_the_calendar_sets_the_day_and_keeps_the_time(qtbot: QtBot, dialog: NewObservationDialog):
    assert dialog.when.calendar_button.focusPolicy() == Qt.FocusPolicy.NoFocus
    _type_date(qtbot, dialog, "07/12/2026 14:30")
    qtbot.mouseClick(dialog.when.calendar_button, Qt.MouseButton.LeftButton)
    calendar = dialog.when.calendar
    assert calendar is not None
    assert calendar.selectedDate() == QDate(2026, 12, 7)
    keys = calendar.focusProxy() or calendar
    for _ in range(4):
        qtbot.keyClick(keys, Qt.Key.Key_Left)
    qtbot.keyClick(keys, Qt.Key.Key_Return)
    assert dialog.when.line.text() == "03/12/2026 14:30"
    qtbot.waitUntil(lambda: dialog.when.calendar is None)


@uses_popup
def test_the_calendar_opens_from_the_keyboard_too(
    qtbot: QtBot, dialog: NewObservationDialog, prompts: FakePrompts
):
    qtbot.keyClicks(dialog.case_reference, "CIN 2041")
    dialog.when.line.setFocus()
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_F4)
    assert dialog.when.calendar is not None
    qtbot.keyClick(dialog.when.calendar.focusProxy() or dialog.when.calendar, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.when.calendar is None)
    assert dialog.isVisible()  # Escape closed the calendar, not the form
    assert prompts.shown == []
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert dialog.when.calendar is not None


@pytest.mark.parametrize("leave", ["escape", "cancel", "close"])
def test_leaving_a_filled_in_form_asks_first_and_keeps_editing_by_default(
    qtbot: QtBot, dialog: NewObservationDialog, prompts: FakePrompts, leave: str
):
    qtbot.keyClicks(dialog.case_reference, "CIN 2041")

    _leave(qtbot, dialog, leave)  # the fake answers as the default button would: keep editing
    assert prompts.shown == [("discard", DISCARD)]
    assert dialog.isVisible()
    assert dialog.case_reference.text() == "CIN 2041"

    prompts.answers.append(True)
    _leave(qtbot, dialog, leave)
    assert prompts.shown[-1] == ("discard", DISCARD)
    assert not dialog.isVisible()
    assert dialog.result() == 0


@pytest.mark.parametrize("leave", ["escape", "cancel", "close"])
def test_an_untouched_form_closes_without_asking(
    qtbot: QtBot, dialog: NewObservationDialog, prompts: FakePrompts, leave: str
):
    _leave(qtbot, dialog, leave)
    assert prompts.shown == []
    assert not dialog.isVisible()


def _leave(qtbot: QtBot, dialog: NewObservationDialog, how: str) -> None:
    if how == "escape":
        qtbot.keyClick(dialog.case_reference, Qt.Key.Key_Escape)
    elif how == "cancel":
        cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setFocus()
        qtbot.keyClick(cancel, Qt.Key.Key_Space)
    else:
        dialog.close()


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
    _save(qtbot, new)
    assert prompts.shown == [("error", NOBODY_YET)]

    def fill_in(person_dialog: PersonDialog) -> int:
        assert person_dialog.windowTitle() == "Add person"
        qtbot.keyClicks(person_dialog.name, "Amara Osei")
        _choose(person_dialog.role, "Senior practitioner")
        person_dialog.accept()
        return person_dialog.result()

    monkeypatch.setattr(PersonDialog, "exec", fill_in)
    qtbot.mouseClick(new.add_person, Qt.MouseButton.LeftButton)

    assert new.person.currentText() == "Amara Osei — Senior practitioner"
    assert new.chosen_person() is not None
    assert new.person_hint.isHidden()
    _give_consent(qtbot, new)
    _save(qtbot, new)
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
        assert combo.itemData(i, Qt.ItemDataRole.ToolTipRole)


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
