"""The editor's status is a tag beside the buttons: it neither looks nor grows like one."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind, Role
from tests.support.prompts import FakePrompts
from ui.editor.window import EditorWindow


def test_the_status_chip_keeps_its_own_height_beside_a_wrapped_title(
    qtbot: QtBot, services: Services, cast
) -> None:
    long_name = "Oluwaseun Adebayo-Richardson Montgomery-Fitzwilliam de la Cruz Hernández"
    worker = services.people.add_person(PersonDetails(long_name, Role.SOCIAL_WORKER))
    record = services.recording.create_draft(
        DraftDetails(
            worker, cast.observer, Kind.CHILD_PROTECTION_MEETING, datetime(2026, 1, 5, tzinfo=UTC)
        )
    )
    window = EditorWindow(services.for_record(), FakePrompts(), record)
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    chip = window.status_chip
    assert window.title.height() > 2 * window.title.fontMetrics().height()  # the title wraps

    assert chip.text() == "Draft"
    assert not isinstance(chip, QAbstractButton)
    assert chip.height() == chip.sizeHint().height()  # it does not swell with the row
    assert chip.height() < window.ready_button.height() + 4
    # No button-like outline: the chip's edge is drawn in its own fill, as a tag is.
    image = chip.grab().toImage()
    middle = image.height() // 2
    fill = image.pixelColor(3, middle)
    assert image.pixelColor(0, middle) == fill
    assert image.pixelColor(image.width() - 1, middle) == fill
    assert fill != window.palette().color(window.backgroundRole())  # it is a tag, not bare text
