"""An agreed action's due date in the editor: it starts from four weeks after the observation,
and a record whose observation moved past a due date says so before sign-off."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, QPoint, Qt, QTime
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind
from tests.support.editor import (
    focused,
    open_editor,
    press,
    save_by_keyboard,
    text_box,
    type_into,
)
from tests.support.prompts import FakePrompts
from ui.editor.window import EditorWindow

LEFT = Qt.MouseButton.LeftButton
# The observation fixture is a home visit on 14 March 2025; four weeks on is 11 April.
DEFAULT_DUE = date(2025, 4, 11)
uses_popup = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)$"
)


def type_digits(digits: str) -> None:
    """Digits typed into the date that has focus, one key at a time, as a person types."""
    for digit in digits:
        QTest.keyClick(focused(), digit)


def _new_action(qtbot: QtBot, services: Services, window: EditorWindow, observation: uuid.UUID):
    before = {a.id for a in services.recording.get(observation).actions}
    qtbot.mouseClick(window.page.actions.add_button, LEFT)
    added = [a for a in services.recording.get(observation).actions if a.id not in before]
    assert len(added) == 1
    row = window.page.actions.rows[added[0].id]
    qtbot.waitUntil(lambda: focused() is row.what)  # the new row is ready for typing
    return row


@uses_popup
def test_a_new_due_date_opens_its_calendar_four_weeks_after_the_observation(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    row = _new_action(qtbot, services, window, observation)
    assert row.due.text() == "No due date"

    arrow = QPoint(row.due.width() - 6, row.due.height() // 2)
    qtbot.mouseClick(row.due, LEFT, pos=arrow)  # the calendar opens from its arrow
    calendar = row.due.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)

    assert (calendar.yearShown(), calendar.monthShown()) == (2025, 4)
    assert calendar.minimumDate() == row.due.minimumDate()
    press(Qt.Key.Key_Escape)
    assert row.due.text() == "No due date"  # looking is not choosing


def test_up_on_an_empty_due_date_gives_four_weeks_after_the_observation(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    row = _new_action(qtbot, services, window, observation)

    row.due.setFocus()
    press(Qt.Key.Key_Up)
    assert row.due.text() == "11/04/2025"
    press(Qt.Key.Key_Up)  # then it steps as usual, by the section the cursor is in
    assert row.due.date() > QDate(2025, 4, 11)
    row.due.setDate(QDate(2025, 4, 11))
    save_by_keyboard()

    stored = next(a for a in services.recording.get(observation).actions if a.id == row.id)
    assert stored.due_date == DEFAULT_DUE


def test_a_due_date_typed_before_the_observation_is_said_at_the_field_and_the_rest_saves(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    row = _new_action(qtbot, services, window, observation)
    type_into(qtbot, row.what, "Visit K at school")

    row.due.setFocus()
    press(Qt.Key.Key_Up)  # 11/04/2025; then into the field again, and day and month typed over
    row.owner.setFocus()
    press(Qt.Key.Key_Tab)
    assert focused() is row.due
    type_digits("0103")
    assert row.due.text() == "01/03/2025"
    type_into(qtbot, text_box(window, "strengths"), "Calm and warm with K.")
    save_by_keyboard()

    assert row.due_problem.isVisible()
    assert row.due_problem.text() == (
        "⚠ The due date must be on or after the observation date, 14 March 2025. "
        "This date is not saved; the rest of the record is."
    )
    assert not window.banner.isVisible()  # nothing misleading about the store
    assert window.save_label.text().startswith("All changes saved")
    stored = services.recording.get(observation)
    assert stored.strengths == "Calm and warm with K."
    action = next(a for a in stored.actions if a.id == row.id)
    assert (action.description, action.due_date) == ("Visit K at school", None)

    row.owner.setFocus()
    press(Qt.Key.Key_Tab)
    type_digits("1104")  # corrected: the message goes and the date is saved
    save_by_keyboard()
    assert not row.due_problem.isVisible()
    action = next(a for a in services.recording.get(observation).actions if a.id == row.id)
    assert action.due_date == DEFAULT_DUE


def test_moving_the_observation_past_a_due_date_is_listed_and_leads_to_the_date(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    late = services.recording.get(observation).actions[1]  # due in 30 days' time

    when = window.page.bindings["observed_at"].widget
    later = date.today().replace(day=1).replace(year=date.today().year + 1)
    when.setDateTime(QDateTime(QDate(later.year, later.month, later.day), QTime(10, 30)))
    save_by_keyboard()
    assert services.recording.get(observation).observed_at.astimezone().date() == later  # kept
    late_row = window.page.actions.rows[late.id]
    assert late_row.due_problem.isVisible()  # said at the field as well as in the checklist
    assert "must be on or after the observation date" in late_row.due_problem.text()
    window.show_readiness()

    items = window.readiness.items
    texts = [items.item(i).text() for i in range(items.count())]
    overdue = [t for t in texts if t.startswith("Action")]
    assert len(overdue) == 2, texts
    assert overdue[1].startswith("Action 2 is due on ")
    assert "before the observation on" in overdue[1]
    assert not window.readiness.ready_button.isEnabled()

    items.itemActivated.emit(items.item(texts.index(overdue[1])))
    assert focused() is window.page.actions.rows[late.id].due


def test_direct_work_with_the_box_unticked_is_listed_and_leads_to_the_box(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast
):
    observation = services.recording.create_draft(
        DraftDetails(
            observed_person_id=cast.worker,
            observer_id=cast.observer,
            kind=Kind.DIRECT_WORK,
            observed_at=datetime(2025, 3, 14, 10, 30, tzinfo=UTC),
            family_present=False,
        )
    )
    window = open_editor(qtbot, services, prompts, observation)
    family = window.page.bindings["family_present"].widget
    assert not family.isChecked()
    window.show_readiness()

    items = window.readiness.items
    assert items.item(0).text() == (
        "“Direct work with a child” involves a child or family: tick “A child or family "
        "member was present” and say who gave consent and how."
    )
    items.itemActivated.emit(items.item(0))
    assert QApplication.focusWidget() is family
