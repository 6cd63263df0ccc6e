"""The audit trail window: what happened to a record, and whether the trail is intact."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRect, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind
from tests.support.prompts import FakePrompts
from tests.support.qt import column_texts, headers, row_texts
from tests.support.text_fits import cut_cells
from ui.dialogs import audit_trail
from ui.dialogs.audit_trail import AuditTrailDialog
from ui.editor.window import EditorWindow
from ui.main_window import MainWindow
from ui.widgets.layout import opening_size


def opened_by(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, trigger: object) -> AuditTrailDialog:
    """The dialog a menu item opens, shown without blocking the test."""
    shown: list[AuditTrailDialog] = []

    def show_instead(dialog: AuditTrailDialog) -> int:
        shown.append(dialog)
        dialog.show()
        return 0

    monkeypatch.setattr(AuditTrailDialog, "exec", show_instead)
    trigger.trigger()  # type: ignore[attr-defined]
    (dialog,) = shown
    qtbot.addWidget(dialog)
    return dialog


def checked(qtbot: QtBot, dialog: AuditTrailDialog, prompts: FakePrompts) -> tuple[str, str]:
    prompts.shown.clear()
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.checking(), timeout=10_000)
    (message,) = prompts.shown
    return message


def another_record(services: Services, cast) -> uuid.UUID:
    return services.recording.create_draft(
        DraftDetails(cast.worker, cast.observer, Kind.DIRECT_WORK, datetime(2025, 4, 1, tzinfo=UTC))
    )


def test_the_editor_shows_what_happened_to_its_record_newest_first(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    cast,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    another_record(services, cast)
    (overdue, _) = [a.id for a in services.recording.get(observation).actions]
    services.actions.complete_action(overdue, "Priya Shah")
    editor = EditorWindow(services.for_record(), prompts, observation)
    qtbot.addWidget(editor)
    editor.show()

    dialog = opened_by(qtbot, monkeypatch, editor.audit_trail_action)

    view = dialog.table.view
    assert dialog.windowTitle() == "Audit trail for this record"
    assert headers(view) == ["When", "Who", "What", "Record", "Content hash"]
    assert column_texts(view, "What") == ["Marked an action done", "Edited", "Created"]
    assert set(column_texts(view, "Who")) == {"Priya Shah"}
    assert row_texts(view, 2)["Record"] == f"Observation {str(observation)[:8]}"
    assert dialog.note.isHidden()


def test_the_main_window_shows_the_whole_trail(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    cast,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = another_record(services, cast)
    window = MainWindow(services, prompts)
    qtbot.addWidget(window)

    dialog = opened_by(qtbot, monkeypatch, window.audit_trail_action)

    view = dialog.table.view
    assert dialog.windowTitle() == "Audit trail"
    assert column_texts(view, "What") == ["Created", "Edited", "Created"]
    assert column_texts(view, "Record")[0] == f"Observation {str(other)[:8]}"


def test_only_the_latest_events_are_listed_and_the_dialog_says_so(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    cast,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    another_record(services, cast)
    monkeypatch.setattr(audit_trail, "SHOWN", 2)

    dialog = AuditTrailDialog(services.audit, prompts)
    qtbot.addWidget(dialog)

    assert column_texts(dialog.table.view, "What") == ["Created", "Edited"]
    assert not dialog.note.isHidden()
    assert "observer audit list" in dialog.note.text()


def test_checking_says_the_trail_is_intact_then_names_an_altered_event(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
) -> None:
    dialog = AuditTrailDialog(services.audit, prompts, record_id=observation)
    qtbot.addWidget(dialog)
    dialog.show()

    assert checked(qtbot, dialog, prompts) == (
        "information",
        "The audit trail is intact: all 2 events checked, none altered or removed.",
    )
    assert dialog.problems.isHidden()

    with services.db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET actor = 'Someone Else' WHERE sequence = 1"))

    assert checked(qtbot, dialog, prompts) == (
        "warning",
        "The audit trail is not intact: event 1 was altered.",
    )
    assert not dialog.problems.isHidden()
    assert dialog.problems.text() == "Event 1 was altered."
    assert dialog.check_button.isEnabled()


def test_who_and_what_show_whole_on_a_laptop(
    qtbot, services: Services, cast, prompts, monkeypatch: pytest.MonkeyPatch
):
    from tests.ui.dialogs.test_summaries import signed_record

    signed_record(services, cast)  # "Signed as practitioner (signature 1a2b…)" and the like
    laptop = QRect(0, 0, 1366, 768)  # the offscreen screen is smaller than any laptop's
    monkeypatch.setattr(
        audit_trail,
        "opening_size",
        lambda window, chars, lines: opening_size(window, chars, lines, laptop),
        raising=False,
    )
    dialog = AuditTrailDialog(services.audit, prompts)  # at the size it opens at by itself
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    view = dialog.table.view
    assert view.model().rowCount() > 0
    assert cut_cells(view, "Who") == []
    assert cut_cells(view, "What") == []
    assert cut_cells(view, "Record") == []
