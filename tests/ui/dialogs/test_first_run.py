"""The first start on a laptop: who uses it is recorded before anything else."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from observer.services import Services
from observer.vocabulary import Role
from tests.support.qt import type_text
from ui.dialogs.first_run import FirstRunDialog


def _start(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def test_first_run_records_who_uses_this_laptop(qtbot: QtBot, services: Services, prompts):
    dialog = FirstRunDialog(services.profiles, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.role.currentText() == "Practice lead"

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
    assert prompts.shown == []


def test_first_run_without_organisation_says_so_and_keeps_the_name(
    qtbot: QtBot, services: Services, prompts
):
    dialog = FirstRunDialog(services.profiles, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Priya Shah")

    _start(qtbot, dialog)

    assert prompts.shown == [("error", "The organisation's name cannot be empty.")]
    assert dialog.isVisible()
    assert dialog.name.text() == "Priya Shah"
    assert services.profiles.current() is None


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
