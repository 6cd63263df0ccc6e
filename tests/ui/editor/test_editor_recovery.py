"""The editor when saving goes wrong: what the user sees, and what the store holds after."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import date

import pytest
import shiboken6
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

import ui.editor.autosave
from observer.records.merge import Change, SaveOutcome
from observer.services import Services
from observer.store import encryption
from observer.vocabulary import Status
from tests.support.core import force_status
from tests.support.editor import CTRL, focused, open_editor, save_by_keyboard, text_box, type_into
from tests.support.prompts import FakePrompts
from ui.editor.window import ACTION_ADDED_BACK, BACK_TO_DRAFT, EditorWindow

# Opening and driving the editor


def close_refused(window: EditorWindow, prompts: FakePrompts) -> None:
    """Closing asks before the unsaved typing is lost; "No" keeps the window open."""
    asked = len(prompts.shown)
    prompts.answers = [False]
    assert not window.close()
    assert window.isVisible()
    assert prompts.shown[asked:] == [prompts.shown[-1]]
    kind, question = prompts.shown[-1]
    assert kind == "ask"
    assert "could not be saved" in question
    assert "lose them" in question


def close_accepted(qtbot: QtBot, window: EditorWindow, prompts: FakePrompts) -> None:
    prompts.answers = [True]
    with qtbot.waitSignal(window.closed, timeout=1000):
        assert window.close()
    assert prompts.shown[-1][0] == "ask"


@pytest.fixture
def closed_by_test() -> Iterator[list[EditorWindow]]:
    windows: list[EditorWindow] = []
    yield windows
    for window in windows:
        if shiboken6.isValid(window):  # the test failed before closing it
            window.hide()
            window.deleteLater()


# Deleted or signed elsewhere


def test_a_draft_deleted_elsewhere_keeps_the_typing_on_screen_to_copy(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    closed_by_test: list[EditorWindow],
):
    window = open_editor(qtbot, services, prompts, observation, closed_by_test)
    strengths = text_box(window, "strengths")
    typed = "Explained the plan in words the child could follow."

    services.recording.delete_draft(observation)  # another window or the command line
    type_into(qtbot, strengths, typed)
    qtbot.waitUntil(lambda: window.save_label.text() == "Not saved", timeout=3000)

    assert window.banner.isVisible()
    assert "was deleted elsewhere" in window.banner.text()
    assert "still shown here to copy" in window.banner.text()
    assert window.page.read_only
    assert strengths.isReadOnly()
    assert strengths.text() == typed
    assert [kind for kind, _ in prompts.shown] == ["warning"]
    assert "was deleted elsewhere" in prompts.shown[0][1]

    close_refused(window, prompts)
    assert strengths.text() == typed
    close_accepted(qtbot, window, prompts)


def test_a_draft_signed_elsewhere_refuses_the_typing_but_keeps_it_on_screen(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    closed_by_test: list[EditorWindow],
):
    window = open_editor(qtbot, services, prompts, observation, closed_by_test)
    reflection = text_box(window, "reflection")
    typed = "Next time I would ask the child first."
    type_into(qtbot, reflection, typed)
    assert window.autosaver.has_pending()

    force_status(services.db, observation, Status.SIGNED)  # signed in another window
    assert not window.save_now()

    assert services.recording.get(observation).reflection == ""
    assert services.recording.get(observation).status is Status.SIGNED
    assert window.status_chip.text() == Status.SIGNED.label
    assert window.banner.isVisible()
    assert "signed and locked" in window.banner.text()
    assert "still shown here to copy" in window.banner.text()
    assert reflection.isReadOnly()
    assert reflection.text() == typed
    assert window.save_label.text() == "Not saved"
    assert [kind for kind, _ in prompts.shown] == ["warning"]

    close_refused(window, prompts)
    assert reflection.text() == typed
    close_accepted(qtbot, window, prompts)
    assert services.recording.get(observation).reflection == ""


# An action removed elsewhere


def test_an_action_removed_elsewhere_while_typed_in_comes_back_with_the_typing(
    qtbot: QtBot, services: Services, cast, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    first, second = services.recording.get(observation).actions
    row = window.page.actions.rows[first.id]
    type_into(qtbot, row.what, " and his sister")
    row.owner.setFocus()
    qtbot.keyClicks(row.owner, "Priya")  # a closed list finds an entry as its name is typed
    assert row.owner.currentText() == "Priya Shah"
    row.due.setDate(QDate(2031, 6, 1))  # as the calendar sets it
    typed = f"{first.description} and his sister"
    assert row.what.text() == typed

    services.recording.remove_action(first.id)  # removed in another window
    window.save_now()

    actions = services.recording.get(observation).actions
    assert first.id not in {a.id for a in actions}
    assert second.id in {a.id for a in actions}
    added = [a for a in actions if a.id not in (first.id, second.id)]
    assert len(added) == 1
    new = added[0]
    assert new.description == typed
    assert new.owner_id == cast.observer
    assert new.due_date == date(2031, 6, 1)

    rows = window.page.actions.rows
    assert first.id not in rows
    assert set(rows) == {second.id, new.id}
    assert rows[new.id].what.text() == typed
    assert rows[new.id].owner.currentText() == "Priya Shah"
    qtbot.waitUntil(lambda: focused() is rows[new.id].what)  # typing carries on there
    assert not window.autosaver.has_pending()
    assert prompts.shown == []


def test_an_action_brought_back_says_so_even_when_its_date_was_changed_too(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    first = services.recording.get(observation).actions[0]
    row = window.page.actions.rows[first.id]
    type_into(qtbot, row.what, " and his sister")
    row.due.setDate(QDate(2031, 6, 1))

    services.recording.remove_action(first.id)
    window.save_now()

    assert first.id not in window.page.actions.rows
    # Nothing else in the record was changed elsewhere: the only news is the action.
    assert window.statusBar().currentMessage() == ACTION_ADDED_BACK, (
        "the message about the action brought back was replaced by the one about merging"
    )


# Unexpected errors and a busy store


def test_an_unexpected_store_error_keeps_the_typing_logs_no_words_and_retries(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    monkeypatch.setattr(ui.editor.autosave, "RETRY_MS", 200)
    real_save = services.recording.save
    calls: list[int] = []

    def save_failing_once(
        observation_id: uuid.UUID, changes: Sequence[Change], wait_ms: int | None = None
    ) -> SaveOutcome:
        calls.append(len(changes))
        if len(calls) == 1:
            raise RuntimeError("a bug in the store")
        return real_save(observation_id, changes, wait_ms)

    monkeypatch.setattr(services.recording, "save", save_failing_once)
    window = open_editor(qtbot, services, prompts, observation)
    strengths = text_box(window, "strengths")
    typed = "Zephyrine sat with the toddler on the rug."

    with caplog.at_level(logging.DEBUG):
        type_into(qtbot, strengths, typed)
        assert not window.save_now()

        assert strengths.text() == typed
        assert "not saved yet" in window.save_label.text().lower()
        assert window.banner.isVisible()
        assert services.recording.get(observation).strengths == ""
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors, "the unexpected error was not logged"
        assert errors[0].exc_info is not None

        stored = lambda: services.recording.get(observation).strengths  # noqa: E731
        qtbot.waitUntil(lambda: stored() == typed, timeout=3000)  # the retry, unprompted
        qtbot.waitUntil(lambda: window.save_label.text().startswith("All changes saved"))

    assert len(calls) == 2
    assert not window.banner.isVisible()
    assert prompts.shown == []
    for record in caplog.records:
        assert "Zephyrine" not in record.getMessage()
    assert "Zephyrine" not in caplog.text  # tracebacks included


def test_autosave_never_waits_long_for_a_busy_store(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    strengths = text_box(window, "strengths")
    typed = "Listened before advising."

    holder = encryption.connect(services.db.path, services.key)
    holder.isolation_level = None
    try:
        holder.execute("BEGIN EXCLUSIVE")
        type_into(qtbot, strengths, typed)
        started = time.monotonic()
        saved = window.save_now()
        elapsed = time.monotonic() - started
        assert not saved
        assert elapsed < 1.5, f"the window froze for {elapsed:.1f} s waiting for the store"
        assert strengths.text() == typed
        assert window.autosaver.has_pending()
        assert window.save_label.text().startswith("Not saved yet")
    finally:
        holder.rollback()
        holder.close()

    assert services.recording.get(observation).strengths == ""
    assert window.save_now()
    assert services.recording.get(observation).strengths == typed
    assert window.save_label.text().startswith("All changes saved")


# Back to draft


def _ready_for_sign_off(services: Services, observation_id: uuid.UUID) -> None:
    view = services.recording.get(observation_id)
    for rating in view.ratings:
        services.recording.set_rating(
            observation_id,
            rating.standard_code,
            level_code="good",
            evidence=f"Seen for standard {rating.standard_code}.",
        )
    services.recording.update(
        observation_id,
        {
            "overall_level": "good",
            "overall_rationale": "Consistently sound practice.",
            "consent_given_by": "Mother",  # a home visit has the family there
            "consent_how": "Verbally at the start of the visit",
        },
    )
    services.recording.mark_ready(observation_id)


def _clear(qtbot: QtBot, box: QWidget) -> None:
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(box, Qt.Key.Key_Backspace)


def test_clearing_what_sign_off_needs_returns_a_ready_record_to_draft(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    _ready_for_sign_off(services, observation)
    window = open_editor(qtbot, services, prompts, observation)
    assert window.status_chip.text() == Status.READY.label
    rationale = text_box(window, "overall_rationale")

    _clear(qtbot, rationale)
    assert rationale.text() == ""
    qtbot.waitUntil(lambda: not window.autosaver.has_pending(), timeout=3000)  # the autosave

    view = services.recording.get(observation)
    assert view.overall_rationale == ""
    assert view.status is Status.DRAFT
    assert window.status_chip.text() == Status.DRAFT.label
    assert window.statusBar().currentMessage() == BACK_TO_DRAFT
    assert "draft" in window.windowTitle()


def test_saving_by_hand_still_says_why_the_record_went_back_to_draft(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    _ready_for_sign_off(services, observation)
    window = open_editor(qtbot, services, prompts, observation)
    _clear(qtbot, text_box(window, "overall_rationale"))

    save_by_keyboard()

    assert services.recording.get(observation).status is Status.DRAFT
    assert window.status_chip.text() == Status.DRAFT.label
    assert window.statusBar().currentMessage() == BACK_TO_DRAFT, (
        "Ctrl+S replaced the back-to-draft explanation with its own message"
    )


# Steady typing


def test_steady_typing_is_saved_while_it_goes_on(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    strengths = text_box(window, "strengths")
    strengths.setFocus()
    typed = "Calm, warm and clear with all."  # 30 keys, one every 100 ms: three seconds
    stored_while_typing: list[str] = []

    for count, character in enumerate(typed, start=1):
        qtbot.keyClicks(strengths, character)
        if count < len(typed):
            stored_while_typing.append(services.recording.get(observation).strengths)
        qtbot.wait(100)

    assert strengths.text() == typed
    saved = [s for s in stored_while_typing if s]
    assert saved, "nothing reached the store until typing stopped"
    assert all(typed.startswith(s) for s in saved)
    assert len(saved[0]) < len(typed) - 5  # saved well before the last key
    qtbot.waitUntil(lambda: services.recording.get(observation).strengths == typed, timeout=3000)
