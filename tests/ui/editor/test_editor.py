"""The observation editor, driven by keyboard and mouse; every check reads the store back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QListWidget,
    QMenuBar,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

import observer.store.db
import ui.editor.autosave
from observer.people.directory import PersonDetails
from observer.records.case_reference import NAME_WARNING
from observer.records.recording import DraftDetails
from observer.services import Services, open_services
from observer.store import encryption
from observer.vocabulary import Kind, Role, Status
from tests.support.core import force_status
from tests.support.editor import (
    CTRL,
    focused,
    open_editor,
    press,
    save_by_keyboard,
    text_box,
    type_into,
)
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.prompts import FakePrompts
from ui.editor.window import LOCKED_BANNER, EditorWindow
from ui.widgets.rating_buttons import TICK

LEFT = Qt.MouseButton.LeftButton


# Opening and driving the editor


def level_button(window: EditorWindow, code: str, level: str) -> QPushButton:
    return window.page.standards[code].rating.buttons[level]


def accessible_name(widget: QWidget | None) -> str:
    """The name a screen reader speaks for the input that has focus (its own or its owner's)."""
    while widget is not None and not widget.accessibleName():
        widget = widget.parentWidget()
    return widget.accessibleName() if widget is not None else ""


def rating_of(services: Services, observation_id: uuid.UUID, code: str) -> str | None:
    view = services.recording.get(observation_id)
    return next(r.level_code for r in view.ratings if r.standard_code == code)


def evidence_of(services: Services, observation_id: uuid.UUID, code: str) -> str:
    view = services.recording.get(observation_id)
    return next(r.evidence for r in view.ratings if r.standard_code == code)


# Autosave and saving


def test_typing_reaches_the_store_without_saving_by_hand(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    typed = "Warm, unhurried introduction; explained why she was there."
    evidence = "Asked the child what a good day looks like and wrote his words down."

    type_into(qtbot, text_box(window, "strengths"), typed)
    type_into(qtbot, window.page.standards["3"].evidence, evidence)
    assert window.save_label.text() == "Saving…"

    qtbot.waitUntil(lambda: services.recording.get(observation).strengths == typed, timeout=3000)
    qtbot.waitUntil(lambda: evidence_of(services, observation, "3") == evidence, timeout=3000)
    assert window.save_label.text().startswith("All changes saved")


def test_ctrl_s_saves_at_once(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    type_into(qtbot, text_box(window, "reflection"), "I would slow down next time.")
    assert services.recording.get(observation).reflection == ""

    save_by_keyboard()

    assert services.recording.get(observation).reflection == "I would slow down next time."
    assert window.save_label.text().startswith("All changes saved")
    assert window.statusBar().currentMessage() == "Saved."


# Ratings


def test_a_rating_is_chosen_and_cleared_by_mouse(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    outstanding = level_button(window, "1", "outstanding")

    qtbot.mouseClick(outstanding, LEFT)
    save_by_keyboard()
    assert rating_of(services, observation, "1") == "outstanding"
    assert outstanding.text() == f"{TICK}Outstanding"
    assert outstanding.font().bold()

    qtbot.mouseClick(outstanding, LEFT)
    save_by_keyboard()
    assert rating_of(services, observation, "1") is None
    assert outstanding.text() == "Outstanding"


def test_a_rating_row_is_one_tab_stop_worked_by_the_arrow_keys(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    row = window.page.standards["1"]
    buttons = list(row.rating.buttons.values())
    tab_stops = [b for b in buttons if b.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert tab_stops == [buttons[0]]

    window.page.bindings["focus"].widget.setFocus()  # the last input before the standards
    press(Qt.Key.Key_Tab)
    assert focused() is buttons[0]
    press(Qt.Key.Key_Tab)
    assert focused() is row.evidence  # one Tab passes the whole row
    press(Qt.Key.Key_Backtab)
    assert focused() is buttons[0]

    press(Qt.Key.Key_Right)
    assert focused() is buttons[1]
    press(Qt.Key.Key_Space)
    save_by_keyboard()
    assert rating_of(services, observation, "1") == "good"
    assert buttons[1].text().startswith("✓")
    assert not any(b.text().startswith("✓") for b in buttons if b is not buttons[1])
    assert [b for b in buttons if b.focusPolicy() & Qt.FocusPolicy.TabFocus] == [buttons[1]]

    press(Qt.Key.Key_Delete)
    save_by_keyboard()
    assert rating_of(services, observation, "1") is None
    assert not any(b.text().startswith("✓") for b in buttons)


def test_the_overall_judgement_and_its_rationale_are_saved(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    qtbot.mouseClick(window.page.overall.buttons["requires_improvement"], LEFT)
    rationale = "Sound relationship, but the plan was not reviewed with the family."
    type_into(qtbot, text_box(window, "overall_rationale"), rationale)
    save_by_keyboard()

    view = services.recording.get(observation)
    assert view.overall_level_code == "requires_improvement"
    assert view.overall_rationale == rationale
    assert window.page.overall.buttons["requires_improvement"].text().startswith("✓")


# Actions


def test_an_added_action_is_stored_with_what_who_and_when(
    qtbot: QtBot, services: Services, cast, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    before = {a.id for a in services.recording.get(observation).actions}

    qtbot.mouseClick(window.page.actions.add_button, LEFT)

    added = [a for a in services.recording.get(observation).actions if a.id not in before]
    assert len(added) == 1
    row = window.page.actions.rows[added[0].id]
    qtbot.waitUntil(lambda: focused() is row.what)  # the new row is ready for typing
    assert row.what.accessibleName() == "What, action 3"
    qtbot.keyClicks(row.what, "Book a joint visit with the health visitor")
    row.owner.setFocus()
    qtbot.keyClicks(row.owner, "Priya")  # a closed list finds an entry as its name is typed
    assert row.owner.currentText() == "Priya Shah"
    row.due.setDate(QDate(2031, 6, 1))  # as the calendar sets it
    save_by_keyboard()

    stored = next(a for a in services.recording.get(observation).actions if a.id == row.id)
    assert stored.description == "Book a joint visit with the health visitor"
    assert stored.owner_id == cast.observer
    assert stored.due_date == date(2031, 6, 1)


def test_removing_an_action_with_words_asks_first(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    first = services.recording.get(observation).actions[0]
    row = window.page.actions.rows[first.id]

    prompts.answers = [False]
    qtbot.mouseClick(row.remove, LEFT)
    assert prompts.shown == [("ask", f"Remove the action “{first.description}”?")]
    assert first.id in {a.id for a in services.recording.get(observation).actions}
    assert row.what.isVisible()

    prompts.answers = [True]
    qtbot.mouseClick(row.remove, LEFT)
    remaining = services.recording.get(observation).actions
    assert first.id not in {a.id for a in remaining}
    assert len(remaining) == 1
    assert first.id not in window.page.actions.rows
    assert focused() is window.page.actions.add_button


# Readiness for sign-off


def test_readiness_lists_what_is_missing_and_goes_to_each_item(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    view = services.recording.get(observation)
    family = window.page.bindings["family_present"].widget
    assert family.isChecked()  # a home visit starts with the family present

    window.show_readiness()

    items = window.readiness.items
    texts = [items.item(i).text() for i in range(items.count())]
    assert "consent" in texts[0]
    assert "consent" in texts[1]
    for rating in view.ratings:
        assert any(rating.title in text for text in texts[2:]), rating.title
    assert any("overall judgement" in text for text in texts)
    assert len(texts) == 2 + len(view.ratings) + 2
    assert focused() is items

    # Enter on an item goes to the standard's rating row.
    items.setCurrentRow(next(i for i, t in enumerate(texts) if view.ratings[2].title in t))
    press(Qt.Key.Key_Return)
    assert focused() is window.page.standards["3"].rating.buttons["outstanding"]

    items.itemActivated.emit(items.item(0))
    assert focused() is window.page.bindings["consent_given_by"].widget

    # A rated standard without evidence sends the user to its evidence box.
    qtbot.mouseClick(level_button(window, "2", "good"), LEFT)
    save_by_keyboard()
    texts = [items.item(i).text() for i in range(items.count())]
    evidence_row = next(i for i, t in enumerate(texts) if "evidence" in t)
    assert view.ratings[1].title in texts[evidence_row]
    items.setFocus()
    items.setCurrentRow(evidence_row)
    press(Qt.Key.Key_Return)
    assert focused() is window.page.standards["2"].evidence


def test_a_complete_record_is_marked_ready_and_returned_to_draft(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    assert window.page.bindings["family_present"].widget.isChecked()  # a home visit
    window.show_readiness()
    assert not window.readiness.ready_button.isEnabled()

    for code, row in window.page.standards.items():
        qtbot.mouseClick(row.rating.buttons["good"], LEFT)
        type_into(qtbot, row.evidence, f"Evidence seen for standard {code}.")
    qtbot.mouseClick(window.page.overall.buttons["good"], LEFT)
    type_into(qtbot, text_box(window, "overall_rationale"), "Consistently sound practice.")
    type_into(qtbot, text_box(window, "consent_given_by"), "Mother")
    type_into(qtbot, text_box(window, "consent_how"), "Verbally at the start of the visit")
    save_by_keyboard()

    assert window.readiness.items.count() == 0
    assert window.readiness.summary.text() == "Everything sign-off needs is here."
    assert services.recording.readiness(observation) == []
    assert window.readiness.ready_button.isEnabled()

    qtbot.mouseClick(window.readiness.ready_button, LEFT)
    assert services.recording.get(observation).status is Status.READY
    assert window.status_chip.text() == Status.READY.label
    assert window.readiness.draft_button.isVisible()

    qtbot.mouseClick(window.readiness.draft_button, LEFT)
    assert services.recording.get(observation).status is Status.DRAFT
    assert window.status_chip.text() == Status.DRAFT.label


# A signed record


def _sign(services: Services, observation_id: uuid.UUID) -> None:
    """A record with words and a rating, then signed (sign-off is built elsewhere)."""
    services.recording.update(observation_id, {"strengths": "Calm and clear."})
    services.recording.set_rating(observation_id, "1", level_code="good", evidence="Seen.")
    force_status(services.db, observation_id, Status.SIGNED)


def test_a_signed_record_opens_read_only(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    _sign(services, observation)
    before = services.recording.get(observation)

    window = open_editor(qtbot, services, prompts, observation)

    assert window.banner.isVisible()
    assert window.banner.text() == LOCKED_BANNER
    assert "signed and locked" in window.banner.text().lower()
    assert window.status_chip.text() == Status.SIGNED.label
    assert not window.page.actions.add_button.isVisible()
    assert not window.add_action_action.isEnabled()
    assert not window.save_action.isEnabled()

    strengths = text_box(window, "strengths")
    type_into(qtbot, strengths, "changed")
    qtbot.mouseClick(level_button(window, "1", "outstanding"), LEFT)
    qtbot.mouseClick(level_button(window, "2", "good"), LEFT)

    assert strengths.text() == "Calm and clear."
    assert level_button(window, "1", "good").text() == f"{TICK}Good"
    assert window.page.standards["2"].rating.value() is None
    assert not window.autosaver.has_pending()  # so nothing will be written
    assert services.recording.get(observation) == before
    assert prompts.shown == []


def test_a_signed_rating_cannot_be_cleared_on_screen(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    _sign(services, observation)
    window = open_editor(qtbot, services, prompts, observation)
    chosen = level_button(window, "1", "good")
    assert chosen.isEnabled()  # the chosen level stays readable, not greyed out

    qtbot.mouseClick(chosen, LEFT)
    assert chosen.text() == f"{TICK}Good", "the signed rating looks cleared"
    assert not window.autosaver.has_pending()

    chosen.setFocus()
    press(Qt.Key.Key_Delete)
    assert chosen.text() == f"{TICK}Good", "Delete cleared the signed rating on screen"
    assert not window.autosaver.has_pending()
    assert rating_of(services, observation, "1") == "good"


# Two apps on one draft


def test_two_windows_typing_into_one_field_keep_both_peoples_words(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    first = open_editor(qtbot, services, prompts, observation)
    second = open_editor(qtbot, services, FakePrompts(), observation)

    qtbot.keyClicks(text_box(first, "strengths"), "Alpha saw warmth.")
    qtbot.keyClicks(text_box(second, "strengths"), "Beta heard the child.")

    def both_kept() -> bool:
        stored = services.recording.get(observation).strengths
        return "Alpha saw warmth." in stored and "Beta heard the child." in stored

    qtbot.waitUntil(both_kept, timeout=3000)
    qtbot.waitUntil(lambda: not (first.autosaver.has_pending() or second.autosaver.has_pending()))
    stored = services.recording.get(observation).strengths
    # The window that saved second shows what the store now holds.
    assert stored in (text_box(first, "strengths").text(), text_box(second, "strengths").text())


def test_words_merged_in_from_another_window_leave_the_cursor_where_the_user_types(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    first = open_editor(qtbot, services, prompts, observation)
    second = open_editor(qtbot, services, FakePrompts(), observation)
    mine = text_box(first, "strengths")
    qtbot.keyClicks(text_box(second, "strengths"), "Beta heard the child.")
    assert second.save_now()

    qtbot.keyClicks(mine, "Alpha saw warmth.")
    assert first.save_now()
    qtbot.keyClicks(mine, " And calm.")
    assert first.save_now()

    stored = services.recording.get(observation).strengths
    assert stored == "Alpha saw warmth. And calm.\n\nBeta heard the child."
    assert mine.text() == stored


def test_two_windows_typing_into_different_fields_keep_both(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    first = open_editor(qtbot, services, prompts, observation)
    second = open_editor(qtbot, services, FakePrompts(), observation)

    qtbot.keyClicks(text_box(first, "development_areas"), "Check the plan with the family.")
    qtbot.keyClicks(text_box(second, "child_voice"), "He said school is the best bit.")

    def both_kept() -> bool:
        view = services.recording.get(observation)
        return (view.development_areas, view.child_voice) == (
            "Check the plan with the family.",
            "He said school is the best bit.",
        )

    qtbot.waitUntil(both_kept, timeout=3000)


# A busy store


def _home_visit(services: Services) -> uuid.UUID:
    lead = services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire County Council")
    worker = services.people.add_person(PersonDetails("Zoë Łukasiewicz", Role.SOCIAL_WORKER))
    return services.recording.create_draft(
        DraftDetails(
            observed_person_id=worker,
            observer_id=lead.person_id,
            kind=Kind.HOME_VISIT,
            observed_at=datetime(2025, 3, 14, 10, 30, tzinfo=UTC),
        )
    )


@pytest.fixture
def impatient_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """A store that gives up on a lock at once, and an editor that retries soon."""
    monkeypatch.setattr(observer.store.db, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(ui.editor.autosave, "RETRY_MS", 200)
    opened = open_services(tmp_path / "impatient-data", STORE_PASSPHRASE)
    yield opened
    opened.close()


def test_typing_while_the_store_is_busy_is_kept_and_saved_when_it_frees(
    qtbot: QtBot, impatient_services: Services, prompts: FakePrompts
):
    services = impatient_services
    observation = _home_visit(services)
    window = open_editor(qtbot, services, prompts, observation)
    strengths = text_box(window, "strengths")
    typed = "Listened before advising."

    holder = encryption.connect(services.db.path, services.key)
    holder.isolation_level = None
    try:
        holder.execute("BEGIN EXCLUSIVE")
        type_into(qtbot, strengths, typed)
        qtbot.waitUntil(lambda: window.save_label.text().startswith("Not saved yet"), timeout=3000)
        assert window.banner.isVisible()
        assert "not saved yet" in window.banner.text()
        assert strengths.text() == typed
        assert services.recording.get(observation).strengths == ""

        prompts.answers = [False]
        assert not window.close()
        assert window.isVisible()
        assert prompts.shown[-1][0] == "ask"
        assert "could not be saved" in prompts.shown[-1][1]
        assert strengths.text() == typed
    finally:
        holder.rollback()
        holder.close()

    qtbot.waitUntil(lambda: services.recording.get(observation).strengths == typed, timeout=3000)
    qtbot.waitUntil(lambda: window.save_label.text().startswith("All changes saved"))
    assert not window.banner.isVisible()


# Accessibility and keyboard


INPUTS = (
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QListWidget,
)


def _qt_internal(widget: QWidget, window: EditorWindow) -> bool:
    """Parts Qt builds inside its own widgets: spin box and combo editors, clear buttons,
    scroll bars and the menu bar's overflow button."""
    if widget.objectName().startswith("qt_"):
        return True
    if isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox | QLineEdit):
        return True
    bars = (window.scroll.verticalScrollBar(), window.scroll.horizontalScrollBar())
    ancestor = widget.parentWidget()
    while ancestor is not None:
        if isinstance(ancestor, QMenuBar) or ancestor in bars:
            return True
        ancestor = ancestor.parentWidget()
    return False


def test_every_input_has_a_name_and_a_description(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    inputs = [
        w
        for w in window.findChildren(QWidget)
        if isinstance(w, INPUTS) and not _qt_internal(w, window)
    ]
    names = {w.accessibleName() for w in inputs}
    assert {"What, action 1", "Owner, action 2", "Remove action 2"} <= names  # rows included
    assert "Strengths" in names

    for widget in inputs:
        assert widget.accessibleName(), f"{type(widget).__name__} has no accessible name"
        if not isinstance(widget, QAbstractButton):
            assert widget.accessibleDescription(), widget.accessibleName()
    undescribed = [
        w.accessibleName()
        for w in inputs
        if isinstance(w, QAbstractButton) and not w.accessibleDescription()
    ]
    assert undescribed == []


def test_find_selects_a_word_in_a_later_standards_evidence(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    services.recording.set_rating(observation, "5", evidence="We drew a genogram together.")
    window = open_editor(qtbot, services, prompts, observation)
    text_box(window, "case_reference").setFocus()

    press(Qt.Key.Key_F, CTRL)
    assert window.find_bar.isVisible()
    assert focused() is window.find_bar.query
    qtbot.keyClicks(window.find_bar.query, "Genogram")
    press(Qt.Key.Key_Return)

    evidence = window.page.standards["5"].evidence
    assert focused() is evidence
    assert evidence.textCursor().selectedText() == "genogram"


def test_tab_moves_through_the_details_from_top_to_bottom(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    assert window.page.bindings["family_present"].widget.isChecked()  # consent is asked
    window.page.bindings["kind"].widget.setFocus()

    visited: list[str] = []
    for _ in range(20):
        name = accessible_name(focused())
        if not visited or visited[-1] != name:  # the date moves section by section
            visited.append(name)
        if name == "Agreed focus":
            break
        press(Qt.Key.Key_Tab)

    assert visited == [
        "Kind of observation",
        "Date and time",
        "Duration in minutes",
        "Case reference",
        "Who else was present",
        "A child or family member was present",
        "Consent given by",
        "How consent was given",
        "Agreed focus",
    ]


def test_a_case_reference_that_looks_like_a_name_is_warned_about(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    reference = text_box(window, "case_reference")

    type_into(qtbot, reference, "Jayden Okafor")
    assert window.page.case_warning.isVisible()
    assert "name" in window.page.case_warning.text()
    assert NAME_WARNING in window.page.case_warning.text()

    press(Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(reference, "CIN-2041")
    assert not window.page.case_warning.isVisible()
    save_by_keyboard()
    assert services.recording.get(observation).case_reference == "CIN-2041"


def test_a_new_record_opens_with_the_cursor_on_the_first_standard_to_rate(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    services.recording.set_rating(observation, "1", level_code="good", evidence="Seen.")

    window = open_editor(qtbot, services, prompts, observation)

    second_row = window.page.standards["2"].rating
    qtbot.waitUntil(lambda: focused().parentWidget() is second_row)
