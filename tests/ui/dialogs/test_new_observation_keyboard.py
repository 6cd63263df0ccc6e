"""New observation from the keyboard and a screen reader: the Tab order, the typed date,
what each input is called, and asking before typed work is thrown away."""

from __future__ import annotations

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
    QWidget,
)
from pytestqt.qtbot import QtBot

from observer.services import Services
from tests.support.accessibility import announced_name, names_not_matching_labels, visible_inputs
from tests.support.new_observation import choose, give_consent, save, shown, type_date, uses_popup
from tests.support.prompts import FakePrompts
from ui.dialogs.new_observation import DISCARD, NewObservationDialog


@pytest.fixture
def dialog(qtbot: QtBot, services: Services, cast, prompts: FakePrompts):
    new = NewObservationDialog(services.recording, services.people, cast.observer, prompts)
    return shown(qtbot, new)


def test_every_input_is_announced_by_its_label(dialog: NewObservationDialog):
    dialog.family_present.setChecked(True)
    assert names_not_matching_labels(dialog) == []
    assert announced_name(dialog.kind) == "Kind"
    assert announced_name(dialog.framework) == "Framework"
    assert announced_name(dialog.when.line) == "Date and time"
    assert dialog.person.lineEdit().accessibleName() == "Practitioner observed"
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
    choose(dialog.person, "Zoë")
    give_consent(qtbot, dialog)
    type_date(qtbot, dialog, typed)
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.duration
    assert dialog.when.line.text() == stored.strftime("%d/%m/%Y %H:%M")  # as it was read
    save(qtbot, dialog)
    assert services.recording.get(dialog.saved_id).observed_at == stored.astimezone()


def test_tab_from_the_date_then_60_is_the_duration_and_the_date_stays(
    qtbot: QtBot, services: Services, dialog: NewObservationDialog
):
    choose(dialog.person, "Zoë")
    give_consent(qtbot, dialog)
    type_date(qtbot, dialog, "07/12/2026 14:30")
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Tab)  # one Tab from the date to Duration
    qtbot.keyClicks(QApplication.focusWidget(), "60")
    assert dialog.duration.value() == 60
    assert dialog.when.line.text() == "07/12/2026 14:30"
    save(qtbot, dialog)
    stored = services.recording.get(dialog.saved_id)
    assert stored.observed_at == datetime(2026, 12, 7, 14, 30).astimezone()
    assert stored.duration_minutes == 60


def test_a_date_alone_keeps_the_time_already_shown(qtbot: QtBot, dialog: NewObservationDialog):
    shown_time = dialog.when.line.text()[-5:]
    type_date(qtbot, dialog, "01/12/2026")
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Tab)
    assert dialog.when.line.text() == f"01/12/2026 {shown_time}"


def test_typing_meant_for_duration_never_changes_the_date_behind_the_users_back(
    qtbot: QtBot, services: Services, dialog: NewObservationDialog, prompts: FakePrompts
):
    choose(dialog.person, "Zoë")
    give_consent(qtbot, dialog)
    type_date(qtbot, dialog, "07/12/2026 14:30")
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
    save(qtbot, dialog)
    assert prompts.shown == [("error", dialog.when.error())]
    assert services.recording.count() == 0

    dialog.when.line.setFocus()
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Backspace)
    assert dialog.when.message.isHidden()
    save(qtbot, dialog)
    assert (
        services.recording.get(dialog.saved_id).observed_at
        == datetime(2026, 12, 7, 14, 30).astimezone()
    )


def test_saving_a_date_that_does_not_exist_says_why_at_the_field(
    qtbot: QtBot, services: Services, dialog: NewObservationDialog, prompts: FakePrompts
):
    choose(dialog.person, "Zoë")
    give_consent(qtbot, dialog)
    type_date(qtbot, dialog, "31/02/2026 10:00")
    save(qtbot, dialog)
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
    type_date(qtbot, dialog, "31/02/2026 10:00")
    qtbot.keyClick(dialog.when.line, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: dialog.height() > height and snug())
    assert dialog.framework_hint.height() == dialog.framework_hint.heightForWidth(
        dialog.framework_hint.width()
    )
    type_date(qtbot, dialog, "28/02/2026 10:00")
    qtbot.waitUntil(lambda: dialog.height() == height)


@uses_popup
def test_the_calendar_sets_the_day_and_keeps_the_time(qtbot: QtBot, dialog: NewObservationDialog):
    assert dialog.when.calendar_button.focusPolicy() == Qt.FocusPolicy.NoFocus
    type_date(qtbot, dialog, "07/12/2026 14:30")
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
