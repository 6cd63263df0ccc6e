"""A conflict that a sync brings is counted on the main window's status line; a click opens
the record's window on it, with both versions, and an edit set aside from a record signed
on another laptop becomes a signed addendum (against a real team server)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from observer.conflicts.service import Choice
from observer.records.merge import Change
from observer.server import schema
from observer.services import Services
from observer.vocabulary import SignatureRole
from tests.support.prompts import FakePrompts
from tests.support.sync import Laptop, LiveServer, lead_with_a_draft
from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.sync.test_sync_window import HOUR_MS, RAISE_NOISE, window_of
from ui.signoff import AddendumDialog
from ui.sync.control import SyncControl
from ui.sync.words import Attempt

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier


def complete(laptop: Services, record: object) -> None:
    for rating in laptop.recording.get(record).ratings:  # type: ignore[arg-type]
        laptop.recording.set_rating(
            record,  # type: ignore[arg-type]
            rating.standard_code,
            level_code="good",
            evidence="Seen on the visit.",
        )
    laptop.recording.update(
        record,  # type: ignore[arg-type]
        {
            "overall_level": "good",
            "overall_rationale": "Clear and warm.",
            "strengths": "Calm with the family.",
        },
    )


def sign_it(qtbot: QtBot, offered: list[str]) -> object:
    def signing(dialog: QDialog) -> int:
        assert isinstance(dialog, AddendumDialog)
        offered.append(dialog.text.toPlainText())
        dialog.show()
        qtbot.waitExposed(dialog)
        pad = dialog.fields.pad
        points = [QPoint(30 + 25 * i, 90 + (25 if i % 2 else -20)) for i in range(12)]
        QTest.mousePress(pad, LEFT, NONE, points[0])
        for point in points[1:]:
            QTest.mouseMove(pad, point)
        QTest.mouseRelease(pad, LEFT, NONE, points[-1])
        qtbot.mouseClick(dialog.save_button, LEFT)
        result = dialog.result()
        dialog.hide()
        return result

    return signing


@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, RAISE_NOISE)
def test_an_edit_set_aside_by_a_signature_elsewhere_is_shown_and_becomes_an_addendum(
    qtbot: QtBot,
    prompts: FakePrompts,
    live_server: LiveServer,
    make_laptop: Laptop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    complete(lead.laptop, lead.draft)
    lead.laptop.sync.sync()
    other = make_laptop("Aled Hughes")
    other.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    other.sync.sync()

    lead.laptop.signoff.sign(lead.draft, SignatureRole.OBSERVER, "Aled Hughes")
    lead.laptop.signoff.sign(lead.draft, SignatureRole.PRACTITIONER, "Siobhán Walker")
    lead.laptop.sync.sync()
    other.recording.save(
        lead.draft,
        [Change("strengths", "Calm with the family.", "Calm with the family. A good ending.")],
    )

    window = window_of(qtbot, other, prompts)
    control = SyncControl(window, other, prompts, every_ms=HOUR_MS, first_after_ms=HOUR_MS)
    with qtbot.waitSignal(control.finished, timeout=30000):
        control.sync_now()
    assert control.attempt is Attempt.DONE, control.problem
    qtbot.waitUntil(lambda: bool(control.line.parts.get("conflicts")), timeout=10000)
    assert control.line.plain() == "Synced just now · 1 conflict to settle"
    assert other.recording.get(lead.draft).strengths == "Calm with the family."

    control.line.linkActivated.emit("conflicts")  # what a click on the link does
    editor = window.editors.windows[lead.draft]
    qtbot.waitExposed(editor)
    assert editor.conflicts.panel.isVisible()
    (card,) = editor.conflicts.panel.cards
    shown = " | ".join(label.text() for label in card.findChildren(QLabel))
    assert "An edit set aside from the signed record" in shown
    assert "Strengths: A good ending." in shown
    assert (
        "Made on this laptop while the record was being signed on another (it came back "
        "from the team server)." in shown
    )

    offered: list[str] = []
    monkeypatch.setattr(AddendumDialog, "exec", sign_it(qtbot, offered))
    qtbot.mouseClick(card.buttons[Choice.ADDENDUM], LEFT)
    assert offered == ["Strengths: A good ending."]
    (addendum,) = other.signoff.addenda(lead.draft)
    assert addendum.text == "Strengths: A good ending."
    qtbot.waitUntil(
        # The addendum, and the conflict settled (protocol v2: the server is told).
        lambda: control.line.plain() == "Synced just now · 2 changes waiting",
        timeout=10000,
    )

    with qtbot.waitSignal(control.finished, timeout=30000):
        control.sync_now()
    assert control.attempt is Attempt.DONE, control.problem
    lead.laptop.sync.sync()
    assert [a.text for a in lead.laptop.signoff.addenda(lead.draft)] == [
        "Strengths: A good ending."
    ]
    with live_server.db.owner.connect() as conn:
        settled = conn.execute(select(schema.conflicts.c.resolution)).scalars().all()
    assert settled == ["addendum"]
    editor.close()
