"""File → Profile…: correcting your own details is the same person; someone else using the
laptop is another person, and nobody's records are renamed. People → Merge duplicates…"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind, Role
from ui.dialogs.choices import select_id
from ui.dialogs.first_run import FirstRunDialog
from ui.dialogs.merge_people import MergePeopleDialog
from ui.dialogs.profile import ProfileDialog


def _save(qtbot: QtBot, dialog: ProfileDialog | MergePeopleDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def _draft(services: Services, observer: uuid.UUID) -> uuid.UUID:
    worker = services.people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER))
    return services.recording.create_draft(
        DraftDetails(
            observed_person_id=worker,
            observer_id=observer,
            kind=Kind.SUPERVISION_INDIVIDUAL,
            observed_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
        )
    )


def test_a_correction_respells_the_same_person(qtbot: QtBot, services: Services, prompts):
    me = services.profiles.set_up("Ayan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    record = _draft(services, me.person_id)
    dialog = ProfileDialog(services.profiles, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.name.text() == "Ayan Hughes"

    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "Ayaan Hughes")
    dialog.organisation.clear()
    qtbot.keyClicks(dialog.organisation, "Northshire County Council")
    _save(qtbot, dialog)

    assert dialog.result() == 1
    profile = services.profiles.current()
    assert profile is not None
    assert profile.person_id == me.person_id
    assert (profile.name, profile.organisation) == ("Ayaan Hughes", "Northshire County Council")
    assert services.recording.get(record).observer_name == "Ayaan Hughes"
    assert prompts.shown == []


def test_profile_mistakes_show_beside_their_fields(qtbot: QtBot, services: Services, prompts):
    services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    dialog = ProfileDialog(services.profiles, prompts)
    qtbot.addWidget(dialog)
    dialog.show()

    dialog.name.clear()
    dialog.organisation.clear()
    _save(qtbot, dialog)

    assert prompts.shown == []
    assert dialog.isVisible()
    assert dialog.name_error.text() == "Your name cannot be empty."
    assert dialog.organisation_error.text() == "The organisation's name cannot be empty."
    current = services.profiles.current()
    assert current is not None
    assert current.name == "Ayaan Hughes"


def test_someone_else_using_the_laptop_is_another_person(
    qtbot: QtBot, services: Services, prompts, monkeypatch
):
    ayaan = services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire CC")
    record = _draft(services, ayaan.person_id)

    def hand_over(dialog: FirstRunDialog) -> int:
        assert dialog.organisation.text() == "Northshire CC"
        assert not dialog.sample.isVisible()
        qtbot.keyClicks(dialog.name, "Priya Shah")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(FirstRunDialog, "exec", hand_over)
    dialog = ProfileDialog(services.profiles, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.someone_else, Qt.MouseButton.LeftButton)

    assert dialog.result() == 1
    profile = services.profiles.current()
    assert profile is not None
    assert profile.name == "Priya Shah"
    assert profile.person_id != ayaan.person_id
    assert services.recording.get(record).observer_name == "Ayaan Hughes"
    assert sorted(p.name for p in services.people.list_people()) == [
        "Ayaan Hughes",
        "Priya Shah",
        "Siobhán Walker",
    ]


def test_merging_duplicates_from_the_people_menu(qtbot: QtBot, services: Services, prompts):
    one = services.people.add_person(PersonDetails("Ayaan Hughes", Role.PRACTICE_LEAD))
    two = services.people.add_person(PersonDetails("Ayaan Hughes", Role.PRACTICE_LEAD))
    record = _draft(services, two)
    prompts.answers = [True]
    dialog = MergePeopleDialog(services.people, services.duplicates, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    select_id(dialog.keep, one)
    select_id(dialog.duplicate, two)
    assert dialog.keep.currentText() == "Ayaan Hughes (Practice lead, no team, observed 0 times)"

    _save(qtbot, dialog)

    assert prompts.shown[0][0] == "ask"
    assert not dialog.isVisible()
    assert services.recording.get(record).observer_id == one
    assert [p.id for p in services.people.find_by_name("Ayaan Hughes")] == [one]
    assert QApplication.activeModalWidget() is None
