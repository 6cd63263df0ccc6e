"""Recording an observation from the main window, as a user does it from start to finish.

Every step goes through the main window (its menus, its shortcuts, the Observations
list) and checks both what the user sees and what the store holds.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from observer.records.recording import DraftDetails
from observer.services import Services
from observer.store.models import Observation
from observer.vocabulary import Kind, Status
from tests.support.prompts import FakePrompts
from tests.support.qt import column_texts
from ui.dialogs.new_observation import NewObservationDialog
from ui.editor.window import EditorWindow
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton
OBSERVATIONS = 1
WORKER = "Zoë Łukasiewicz"
# Editors.open raises each editor, which the offscreen platform cannot do, and it says so.
# (A marker on the test, not the module: the conftest's own marker on each test would win.)
raises_windows = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints|raise)\(\)$"
)


# Driving the main window


def new_window(qtbot: QtBot, services: Services, prompts: FakePrompts) -> MainWindow:
    """A main window shown and filled from the store, as the app starts it."""
    window = MainWindow(services, prompts)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_loaded, timeout=5000):
        window.show()
        window.load_data()
    return window


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Shortcuts reach only the active window, as on a desktop."""
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompts: FakePrompts, cast) -> MainWindow:
    main = new_window(qtbot, services, prompts)
    main.show_section(OBSERVATIONS)
    activate(qtbot, main)
    return main


def _choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text, Qt.MatchFlag.MatchStartsWith)
    assert index >= 0, text
    combo.setCurrentIndex(index)


@pytest.fixture
def dialogs_seen(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The New observation dialog, filled in and saved as a user would; its titles, in order."""
    seen: list[str] = []

    def fill_and_save(dialog: NewObservationDialog) -> int:
        seen.append(dialog.windowTitle())
        _choose(dialog.person, "Zoë")
        _choose(dialog.kind, "Home visit")
        qtbot.keyClicks(dialog.case_reference, "CIN 2041")
        qtbot.keyClicks(dialog.consent_given_by, "The children's mother")  # home visit: family
        qtbot.keyClicks(dialog.consent_how, "Verbally, at the door")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), LEFT)
        return dialog.result()

    monkeypatch.setattr(NewObservationDialog, "exec", fill_and_save)
    return seen


def editors_on_screen() -> list[EditorWindow]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, EditorWindow) and w.isVisible()
    ]


def only_new_id(window: MainWindow, before: set[uuid.UUID]) -> uuid.UUID:
    added = set(window.editors.windows) - before
    assert len(added) == 1, added
    return added.pop()


def listed_workers(window: MainWindow) -> list[str]:
    return column_texts(window.observations_panel.table.view, "Worker")


def click(qtbot: QtBot, button: QWidget) -> None:
    assert button.isEnabled()
    qtbot.mouseClick(button, LEFT)


def sign(services: Services, observation_id: uuid.UUID) -> None:
    """Sets the status in the store directly (sign-off is not built yet)."""
    with services.db.session() as s, s.begin():
        s.execute(
            update(Observation)
            .where(Observation.id == observation_id)
            .values(status=Status.SIGNED.value)
        )


def second_draft(services: Services, cast) -> uuid.UUID:
    return services.recording.create_draft(
        DraftDetails(
            observed_person_id=cast.worker,
            observer_id=cast.observer,
            kind=Kind.DIRECT_WORK,
            observed_at=datetime(2025, 2, 3, 9, 0, tzinfo=UTC),
        )
    )


# 1. A new observation, from Ctrl+N to the list


@raises_windows
def test_ctrl_n_starts_a_draft_that_opens_in_its_editor_and_is_listed_at_once(
    qtbot: QtBot, services: Services, window: MainWindow, dialogs_seen: list[str], cast
):
    assert window.new_observation_action.shortcut().toString() == "Ctrl+N"
    assert services.recording.count() == 0

    QTest.keyClick(window, Qt.Key.Key_N, CTRL)

    assert dialogs_seen == ["New observation"]
    new_id = only_new_id(window, set())
    editor = window.editors.windows[new_id]
    qtbot.waitExposed(editor)
    assert editor.isVisible()
    assert editors_on_screen() == [editor]
    assert WORKER in editor.windowTitle()
    assert editor.title.text() == f"Home visit — {WORKER}"
    stored = services.recording.get(new_id)
    assert stored.status is Status.DRAFT
    assert stored.observed_person_id == cast.worker
    assert stored.observer_id == cast.observer
    assert stored.case_reference == "CIN 2041"
    assert services.workspace.left_open() == [new_id]
    # The list in view catches up while the editor is still open, not only once it closes.
    qtbot.waitUntil(lambda: listed_workers(window) == [WORKER])
    assert window.observations_panel.model.rowCount() == 1

    editor.close()
    assert window.editors.windows == {}
    assert listed_workers(window) == [WORKER]


@raises_windows
def test_a_draft_started_with_another_section_in_view_is_listed_when_the_list_is_shown(
    qtbot: QtBot, services: Services, window: MainWindow, dialogs_seen: list[str]
):
    window.show_section(0)
    window.new_observation_action.trigger()
    new_id = only_new_id(window, set())

    window.section_actions[OBSERVATIONS].trigger()

    assert listed_workers(window) == [WORKER]
    assert window.observations_panel.select(new_id)


@raises_windows
def test_cancelling_the_new_observation_dialog_records_and_opens_nothing(
    services: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(NewObservationDialog, "exec", lambda dialog: 0)

    window.new_observation_action.trigger()

    assert services.recording.count() == 0
    assert window.editors.windows == {}
    assert editors_on_screen() == []


@raises_windows
def test_the_lists_new_observation_button_opens_the_same_dialog(
    qtbot: QtBot, services: Services, window: MainWindow, dialogs_seen: list[str]
):
    click(qtbot, window.observations_panel.new_button)

    assert dialogs_seen == ["New observation"]
    assert services.recording.count() == 1
    assert len(editors_on_screen()) == 1


# 2. One window per record


@raises_windows
def test_opening_a_record_twice_from_the_list_gives_one_editor(
    qtbot: QtBot, services: Services, window: MainWindow, observation: uuid.UUID
):
    window.load_data()
    panel = window.observations_panel
    assert panel.select(observation)

    click(qtbot, panel.open_button)
    first = window.editors.windows[observation]
    qtbot.waitExposed(first)
    assert panel.select(observation)
    click(qtbot, panel.open_button)

    assert window.editors.windows == {observation: first}
    assert window.editors.windows[observation] is first
    assert editors_on_screen() == [first]
    assert services.workspace.left_open() == [observation]


# 3. Duplicate as new draft


@raises_windows
def test_duplicate_from_the_list_opens_a_new_draft_with_the_set_up_but_no_judgements(
    qtbot: QtBot, services: Services, window: MainWindow, cast
):
    recording = services.recording
    original = recording.create_draft(
        DraftDetails(
            observed_person_id=cast.worker,
            observer_id=cast.observer,
            kind=Kind.HOME_VISIT,
            observed_at=datetime(2025, 3, 14, 10, 30, tzinfo=UTC),
            family_present=True,
            consent_given_by="The children's mother",
            consent_how="Verbally, at the start of the visit",
        )
    )
    recording.update(
        original,
        {
            "strengths": "Warm, unhurried introduction.",
            "development_areas": "Summarise the plan before leaving.",
            "child_voice": "Wants to see Nan at weekends.",
            "overall_level": "good",
            "overall_rationale": "Mostly good.",
        },
    )
    recording.set_rating(original, "1", level_code="good", evidence="Clear thresholds.")
    recording.set_rating(original, "3", evidence="Asked the child about a good day.")
    window.load_data()
    panel = window.observations_panel
    assert panel.select(original)

    click(qtbot, panel.duplicate_button)

    assert recording.count() == 2
    copy_id = only_new_id(window, set())
    assert copy_id != original
    editor = window.editors.windows[copy_id]
    qtbot.waitExposed(editor)
    assert editors_on_screen() == [editor]
    assert "(draft)" in editor.windowTitle()
    source, copy = recording.get(original), recording.get(copy_id)
    assert copy.status is Status.DRAFT
    assert (copy.observed_person_id, copy.kind, copy.framework) == (
        source.observed_person_id,
        source.kind,
        source.framework,
    )
    assert {(r.level_code, r.evidence) for r in copy.ratings} == {(None, "")}
    for field in ("strengths", "development_areas", "child_voice", "overall_rationale"):
        assert getattr(copy, field) == "", field
    assert copy.overall_level_code is None
    assert (copy.consent_given_by, copy.consent_how) == ("", "")
    # What the user sees in the new editor: a fresh record to fill in for this visit.
    strengths = editor.page.bindings["strengths"].widget
    assert strengths.toPlainText() == ""
    assert editor.page.standards["1"].rating.value() is None
    assert editor.page.bindings["consent_given_by"].widget.text() == ""
    assert editor.page.bindings["consent_how"].widget.text() == ""
    qtbot.waitUntil(lambda: listed_workers(window) == [WORKER, WORKER])
    # The original is untouched.
    assert source.consent_given_by == "The children's mother"


# 4. Delete draft


@raises_windows
def test_delete_draft_after_confirming_removes_it_from_the_list_and_the_store(
    qtbot: QtBot,
    services: Services,
    window: MainWindow,
    prompts: FakePrompts,
    observation: uuid.UUID,
):
    window.load_data()
    panel = window.observations_panel
    assert panel.select(observation)
    prompts.answers = [True]

    click(qtbot, panel.delete_button)

    assert [kind for kind, _ in prompts.shown] == ["ask"]
    assert WORKER in prompts.shown[0][1]
    assert services.recording.count() == 0
    assert listed_workers(window) == []
    assert "No observations have been recorded yet" in panel.table.message()


@raises_windows
def test_deleting_a_draft_that_is_open_in_an_editor_leaves_no_editor_on_it(
    qtbot: QtBot,
    services: Services,
    window: MainWindow,
    prompts: FakePrompts,
    observation: uuid.UUID,
):
    window.load_data()
    panel = window.observations_panel
    assert panel.select(observation)
    click(qtbot, panel.open_button)
    qtbot.waitExposed(window.editors.windows[observation])
    assert panel.select(observation)
    prompts.answers = [True]

    click(qtbot, panel.delete_button)

    assert services.recording.count() == 0
    assert listed_workers(window) == []
    # Either the delete is refused while the draft is open, or its editor goes with it;
    # an editor left open on a record the store no longer has takes typing that is lost.
    assert observation not in window.editors.windows, "an editor stays open on a deleted draft"
    assert editors_on_screen() == []
    assert services.workspace.left_open() == []


# 5. Reopening after a crash


@raises_windows
def test_a_draft_left_open_by_a_killed_app_is_reopened_but_not_a_signed_record(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    cast,
    observation: uuid.UUID,
):
    signed = second_draft(services, cast)
    sign(services, signed)
    services.workspace.opened(observation)  # as an app killed with these editors open left it
    services.workspace.opened(signed)

    first = new_window(qtbot, services, prompts)

    assert set(first.editors.windows) == {observation}
    editor = first.editors.windows[observation]
    qtbot.waitExposed(editor)
    assert editors_on_screen() == [editor]
    assert WORKER in editor.windowTitle()
    assert "(draft)" in editor.windowTitle()

    editor.close()
    assert first.editors.windows == {}
    assert services.workspace.left_open() == []
    # The app is killed again, this time with no editor open: the next start opens none.
    second = new_window(qtbot, services, prompts)
    assert second.editors.windows == {}
    assert editors_on_screen() == []


# 6. Closing the main window


@raises_windows
def test_closing_the_main_window_saves_what_was_typed_and_closes_every_editor(
    qtbot: QtBot,
    services: Services,
    window: MainWindow,
    observation: uuid.UUID,
    cast,
):
    other = second_draft(services, cast)
    first = window.editors.open(observation)
    second = window.editors.open(other)
    assert first is not None
    assert second is not None
    activate(qtbot, first)
    strengths = first.page.bindings["strengths"].widget
    strengths.setFocus()
    typed = "Explained why she was there in words the child used."
    qtbot.keyClicks(strengths, typed)

    assert window.close()  # at once: the autosave pause has not passed

    assert services.recording.get(observation).strengths == typed
    assert window.editors.windows == {}
    assert editors_on_screen() == []
    assert services.workspace.left_open() == []


# 7. Find


@raises_windows
def test_ctrl_shift_f_goes_to_the_find_box_of_the_section_in_view(
    qtbot: QtBot, window: MainWindow, observation: uuid.UUID
):
    """Ctrl+F searches every observation (tests/ui/test_search_panel.py); Ctrl+Shift+F filters
    the list in view."""
    window.load_data()
    assert window.filter_action.shortcut().toString() == "Ctrl+Shift+F"
    for section, action in enumerate(window.section_actions):
        action.trigger()
        search = window.stack.currentWidget().search
        search.setText("shah")
        window.navigation.setFocus()
        assert QApplication.focusWidget() is window.navigation

        QTest.keyClick(window.navigation, Qt.Key.Key_F, CTRL | Qt.KeyboardModifier.ShiftModifier)

        qtbot.waitUntil(lambda search=search: QApplication.focusWidget() is search)
        assert search.selectedText() == "shah", section


# 8. Ctrl+N from an editor


@raises_windows
def test_ctrl_n_in_an_editor_starts_another_observation(
    qtbot: QtBot,
    services: Services,
    window: MainWindow,
    observation: uuid.UUID,
    dialogs_seen: list[str],
):
    first = window.editors.open(observation)
    assert first is not None
    activate(qtbot, first)

    QTest.keyClick(first, Qt.Key.Key_N, CTRL)

    assert dialogs_seen == ["New observation"]
    assert services.recording.count() == 2
    new_id = only_new_id(window, {observation})
    editor = window.editors.windows[new_id]
    qtbot.waitExposed(editor)
    assert {*editors_on_screen()} == {first, editor}
    assert WORKER in editor.windowTitle()
    qtbot.waitUntil(lambda: window.observations_panel.select(new_id))
