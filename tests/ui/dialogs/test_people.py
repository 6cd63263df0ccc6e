"""Adding and editing people and teams through their dialogs, as a practice lead would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from observer.services import Services
from observer.vocabulary import Role
from tests.support.accessibility import announced_name, names_not_matching_labels
from tests.support.qt import column_texts, type_text
from ui.dialogs.person import PersonDialog
from ui.dialogs.teams import TeamDialog, TeamsDialog
from ui.main_window import MainWindow


def _save(qtbot: QtBot, dialog: PersonDialog | TeamDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompts, cast) -> MainWindow:
    main_window = MainWindow(services, prompts)
    qtbot.addWidget(main_window)
    with qtbot.waitSignal(main_window.first_data_loaded, timeout=5000):
        main_window.show()
        main_window.load_data()
    return main_window


def test_adding_a_person_stores_them_and_lists_them(
    qtbot: QtBot, services: Services, window: MainWindow, monkeypatch
):
    def fill_and_save(dialog: PersonDialog) -> int:
        type_text(dialog.name, "  Siobhán  O'Neill ")
        dialog.role.setCurrentIndex(dialog.role.findText("Senior practitioner"))
        dialog.team.setCurrentIndex(dialog.team.findText("Assessment North"))
        qtbot.keyClicks(dialog.staff_reference, "SP-04")
        _save(qtbot, dialog)
        return dialog.result()

    monkeypatch.setattr(PersonDialog, "exec", fill_and_save)
    window.workers_panel.add_button.click()

    stored = services.people.find_by_name("Siobhán O'Neill")
    assert len(stored) == 1
    assert stored[0].role is Role.SENIOR_PRACTITIONER
    assert stored[0].team_name == "Assessment North"
    assert stored[0].staff_reference == "SP-04"
    view = window.workers_panel.table.view
    assert "Siobhán O'Neill" in column_texts(view, "Name")
    assert window.workers_panel.selected().person.name == "Siobhán O'Neill"


def test_editing_a_person_through_edit_person_changes_them(
    qtbot: QtBot, services: Services, window: MainWindow, monkeypatch
):
    def leave_and_save(dialog: PersonDialog) -> int:
        assert dialog.name.text() == "Zoë Łukasiewicz"
        assert dialog.team.currentText() == "Assessment North"
        dialog.active.setChecked(False)
        dialog.team.setCurrentIndex(dialog.team.findText("No team"))
        _save(qtbot, dialog)
        return dialog.result()

    monkeypatch.setattr(PersonDialog, "exec", leave_and_save)
    view = window.workers_panel.table.view
    row = column_texts(view, "Name").index("Zoë Łukasiewicz")
    where = view.visualRect(view.model().index(row, 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseClick(window.workers_panel.edit_button, Qt.MouseButton.LeftButton)

    (zoe,) = services.people.find_by_name("Zoë Łukasiewicz")
    assert not zoe.active
    assert zoe.team_name == ""
    row = column_texts(view, "Name").index("Zoë Łukasiewicz")
    assert column_texts(view, "Active")[row] == "No"
    assert column_texts(view, "Team")[row] == "No team"


def test_every_mistake_shows_beside_its_field_and_the_typing_stays_put(
    qtbot: QtBot, services: Services, prompts
):
    dialog = PersonDialog(services.people, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClicks(dialog.name, "   ")
    dialog.staff_reference.setFocus()
    qtbot.waitUntil(dialog.staff_reference.hasFocus)
    qtbot.keyClicks(dialog.staff_reference, "S" * 61)

    qtbot.keyClick(dialog.staff_reference, Qt.Key.Key_Return)  # Save

    assert prompts.shown == []  # no pop-up, one error at a time
    assert dialog.isVisible()
    assert dialog.result() == 0
    assert dialog.name_error.text() == "A name cannot be empty."
    assert dialog.staff_reference_error.text() == "A staff reference is at most 60 characters."
    assert QApplication.focusWidget() is dialog.staff_reference
    assert dialog.name.text() == "   "
    assert services.people.list_people() == []

    dialog.name.setText("Sam Okafor")
    dialog.staff_reference.setText("SW-99")
    _save(qtbot, dialog)

    assert [(p.name, p.staff_reference) for p in services.people.list_people()] == [
        ("Sam Okafor", "SW-99")
    ]


def test_renaming_a_team_through_the_teams_dialog_persists(
    qtbot: QtBot, services: Services, prompts, cast, monkeypatch
):
    teams = TeamsDialog(services.people, prompts)
    qtbot.addWidget(teams)
    teams.show()
    teams.select_team("Assessment North")

    def rename(dialog: TeamDialog) -> int:
        dialog.name.selectAll()
        qtbot.keyClicks(dialog.name, "Assessment and Intervention North")
        dialog.manager.setCurrentIndex(dialog.manager.findText("Priya Shah (Practice lead)"))
        _save(qtbot, dialog)
        return dialog.result()

    monkeypatch.setattr(TeamDialog, "exec", rename)
    teams.edit_button.click()

    (team,) = services.people.list_teams()
    assert team.name == "Assessment and Intervention North"
    assert team.manager_name == "Priya Shah"
    assert column_texts(teams.table.view, "Team") == ["Assessment and Intervention North"]
    assert teams.changed


def test_a_duplicate_team_name_is_refused_and_the_dialog_stays_open(
    qtbot: QtBot, services: Services, prompts, cast
):
    dialog = TeamDialog(services.people, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "assessment north")

    _save(qtbot, dialog)

    assert prompts.shown == [("error", "There is already a team called 'assessment north'.")]
    assert dialog.isVisible()
    assert dialog.name.text() == "assessment north"
    assert len(services.people.list_teams()) == 1


def test_teams_menu_refreshes_the_workers_table(
    qtbot: QtBot, services: Services, window: MainWindow, monkeypatch
):
    def rename_directly(dialog: TeamsDialog) -> int:
        team = services.people.list_teams()[0]
        services.people.update_team(team.id, "Court team", None)
        dialog.changed = True
        return 1

    monkeypatch.setattr(TeamsDialog, "exec", rename_directly)
    window.teams_action.trigger()

    qtbot.waitUntil(lambda: "Court team" in column_texts(window.workers_panel.table.view, "Team"))


def test_return_on_a_selected_worker_opens_their_history_not_their_details(
    qtbot: QtBot, window: MainWindow, monkeypatch
):
    opened: list[str] = []

    def look(dialog: PersonDialog) -> int:
        opened.append(dialog.name.text())
        return 0

    monkeypatch.setattr(PersonDialog, "exec", look)
    view = window.workers_panel.table.view
    view.setFocus()
    view.selectRow(column_texts(view, "Name").index("Priya Shah"))

    with qtbot.waitSignal(window.worker_page.loaded, timeout=5000):
        qtbot.keyClick(view, Qt.Key.Key_Return)

    assert opened == []
    assert window.stack.currentWidget() is window.worker_page
    assert window.worker_page.name.text() == "Priya Shah"


def test_marking_someone_inactive_records_the_day_they_left(
    qtbot: QtBot, services: Services, prompts, cast
):
    from datetime import date

    from PySide6.QtCore import QDate

    person = services.people.get_person(cast.worker)
    dialog = PersonDialog(services.people, prompts, person)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.left_on.isVisible()

    dialog.active.setChecked(False)

    assert dialog.left_on.isVisible()
    assert dialog.left_on.date().toPython() == date.today()
    dialog.left_on.setDate(QDate(2024, 9, 30))
    _save(qtbot, dialog)
    left = services.people.get_person(cast.worker)
    assert (left.active, left.left_on) == (False, date(2024, 9, 30))

    again = PersonDialog(services.people, prompts, left)
    qtbot.addWidget(again)
    again.show()
    assert again.left_on.date().toPython() == date(2024, 9, 30)
    again.active.setChecked(True)
    assert not again.left_on.isVisible()
    _save(qtbot, again)
    back = services.people.get_person(cast.worker)
    assert (back.active, back.left_on) == (True, None)


def test_the_asye_start_is_asked_for_a_newly_qualified_worker_only(
    qtbot: QtBot, services: Services, prompts, cast
):
    from datetime import date

    from PySide6.QtCore import QDate

    dialog = PersonDialog(services.people, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.name, "Nia Roberts")
    assert not dialog.asye_started_on.isVisible()

    dialog.role.setCurrentIndex(dialog.role.findText(Role.ASYE.label))

    assert dialog.asye_started_on.isVisible()
    assert dialog.asye_started_on.text() == "Not recorded"
    dialog.asye_started_on.setDate(QDate(2025, 9, 1))
    _save(qtbot, dialog)
    (nia,) = services.people.find_by_name("Nia Roberts")
    assert (nia.role, nia.asye_started_on) == (Role.ASYE, date(2025, 9, 1))

    again = PersonDialog(services.people, prompts, nia)
    qtbot.addWidget(again)
    again.show()
    assert again.asye_started_on.date().toPython() == date(2025, 9, 1)
    again.role.setCurrentIndex(again.role.findText(Role.SOCIAL_WORKER.label))
    assert not again.asye_started_on.isVisible()
    _save(qtbot, again)
    (qualified,) = services.people.find_by_name("Nia Roberts")
    assert (qualified.role, qualified.asye_started_on) == (Role.SOCIAL_WORKER, None)


def test_every_input_of_the_people_and_team_dialogs_is_announced_by_its_label(
    qtbot: QtBot, services: Services, prompts
):
    person = PersonDialog(services.people, prompts)
    dialogs = [person, TeamDialog(services.people, prompts), TeamsDialog(services.people, prompts)]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        assert names_not_matching_labels(dialog) == [], dialog.windowTitle()
    # Combo boxes are read by what they choose, not by their current choice (AT-SPI on Linux).
    assert announced_name(person.role) == "Role"
    assert announced_name(person.team) == "Team"
