"""Opening New observation and filling it in as a user would, for its tests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox
from pytestqt.qtbot import QtBot

from ui.dialogs.new_observation import NewObservationDialog

# The completer's and calendar's popups ask the offscreen platform for what it cannot do,
# and it says so.
uses_popup = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)$"
)


def shown(qtbot: QtBot, dialog: NewObservationDialog) -> NewObservationDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def save(qtbot: QtBot, dialog: NewObservationDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def give_consent(qtbot: QtBot, dialog: NewObservationDialog) -> None:
    """Direct work, the kind a new observation starts with, has the child there."""
    assert dialog.family_present.isChecked()
    qtbot.keyClicks(dialog.consent_given_by, "The child, with her foster carer")
    qtbot.keyClicks(dialog.consent_how, "Verbally, before the session")


def type_date(qtbot: QtBot, dialog: NewObservationDialog, text: str) -> None:
    dialog.when.line.setFocus()
    dialog.when.line.selectAll()
    qtbot.keyClicks(dialog.when.line, text)


def choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text, Qt.MatchFlag.MatchStartsWith)
    assert index >= 0, text
    combo.setCurrentIndex(index)
