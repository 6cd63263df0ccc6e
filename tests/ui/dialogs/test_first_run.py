"""The first start on a laptop: who uses it is recorded before anything else; someone
already in the store is chosen rather than made again; mistakes show beside their fields."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.vocabulary import Role
from tests.support.qt import type_text
from ui.dialogs.first_run import NEW_PERSON, FirstRunDialog


def _start(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def _shown(qtbot: QtBot, dialog: FirstRunDialog) -> FirstRunDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_first_run_records_who_uses_this_laptop(qtbot: QtBot, services: Services, prompts):
    dialog = _shown(qtbot, FirstRunDialog(services.profiles, prompts))
    assert dialog.role.currentText() == "Practice lead"
    assert not dialog.sample.isChecked()

    type_text(dialog.name, "Zoë Łukasiewicz")
    dialog.role.setCurrentIndex(dialog.role.findText("Team manager"))
    qtbot.keyClicks(dialog.organisation, "Northshire County Council")
    _start(qtbot, dialog)

    profile = services.profiles.current()
    assert profile is not None
    assert (profile.name, profile.role, profile.organisation) == (
        "Zoë Łukasiewicz",
        Role.TEAM_MANAGER,
        "Northshire County Council",
    )
    assert dialog.result() == 1
    assert not dialog.sample_chosen
    assert prompts.shown == []


def test_every_mistake_shows_beside_its_field_and_typing_stays_where_it_was(
    qtbot: QtBot, services: Services, prompts
):
    dialog = _shown(qtbot, FirstRunDialog(services.profiles, prompts))
    dialog.organisation.setFocus()
    qtbot.waitUntil(dialog.organisation.hasFocus)

    qtbot.keyClick(dialog.organisation, Qt.Key.Key_Return)  # Start, with both fields empty

    assert prompts.shown == []  # no pop-up
    assert dialog.isVisible()
    assert dialog.name_error.isVisible()
    assert dialog.name_error.text() == "Your name cannot be empty."
    assert dialog.organisation_error.isVisible()
    assert dialog.organisation_error.text() == "The organisation's name cannot be empty."
    assert QApplication.focusWidget() is dialog.organisation
    qtbot.keyClicks(QApplication.focusWidget(), "Northshire County Council")
    assert dialog.organisation.text() == "Northshire County Council"
    assert dialog.name.text() == ""

    qtbot.keyClicks(dialog.name, "Sam Okafor")
    _start(qtbot, dialog)

    assert not dialog.isVisible()
    profile = services.profiles.current()
    assert profile is not None
    assert (profile.name, profile.organisation) == ("Sam Okafor", "Northshire County Council")


def test_someone_already_in_the_store_is_chosen_not_made_again(
    qtbot: QtBot, services: Services, prompts
):
    ayaan = services.people.add_person(PersonDetails("Ayaan Hughes", Role.PRACTICE_LEAD))
    dialog = _shown(qtbot, FirstRunDialog(services.profiles, prompts))
    assert dialog.existing.itemText(0) == NEW_PERSON
    assert dialog.existing.itemText(1) == "Ayaan Hughes (Practice lead)"

    dialog.existing.setCurrentIndex(1)
    assert not dialog.name.isEnabled()
    qtbot.keyClicks(dialog.organisation, "Northshire County Council")
    _start(qtbot, dialog)

    profile = services.profiles.current()
    assert profile is not None
    assert profile.person_id == ayaan
    assert [p.name for p in services.people.list_people()] == ["Ayaan Hughes"]


def test_typing_a_name_already_here_asks_whether_it_is_them(
    qtbot: QtBot, services: Services, prompts
):
    ayaan = services.people.add_person(PersonDetails("Ayaan Hughes", Role.PRACTICE_LEAD))
    prompts.answers = [True]
    dialog = _shown(qtbot, FirstRunDialog(services.profiles, prompts))

    qtbot.keyClicks(dialog.name, "ayaan hughes")
    qtbot.keyClicks(dialog.organisation, "Northshire County Council")
    _start(qtbot, dialog)

    assert len(prompts.shown) == 1
    assert prompts.shown[0][0] == "ask"
    assert prompts.shown[0][1].startswith(
        "Ayaan Hughes (Practice lead) is already in this store. Is that you?"
    )
    profile = services.profiles.current()
    assert profile is not None
    assert profile.person_id == ayaan
    assert len(services.people.list_people()) == 1


def test_saying_it_is_not_them_adds_another_person(qtbot: QtBot, services: Services, prompts):
    services.people.add_person(PersonDetails("Ayaan Hughes", Role.PRACTICE_LEAD))
    prompts.answers = [False]
    dialog = _shown(qtbot, FirstRunDialog(services.profiles, prompts))

    qtbot.keyClicks(dialog.name, "Ayaan Hughes")
    qtbot.keyClicks(dialog.organisation, "Northshire County Council")
    _start(qtbot, dialog)

    assert len(services.people.find_by_name("Ayaan Hughes")) == 2


def test_set_up_returns_the_profile_when_accepted(
    qtbot: QtBot, services: Services, prompts, monkeypatch
):
    def fill(dialog: FirstRunDialog) -> int:
        qtbot.keyClicks(dialog.name, "Priya Shah")
        qtbot.keyClicks(dialog.organisation, "Westmoor Borough Council")
        _start(qtbot, dialog)
        return dialog.result()

    monkeypatch.setattr(FirstRunDialog, "exec", fill)
    profile, accepted = FirstRunDialog.set_up(None, services.profiles, prompts)

    assert accepted
    assert profile is not None
    assert profile.organisation == "Westmoor Borough Council"
