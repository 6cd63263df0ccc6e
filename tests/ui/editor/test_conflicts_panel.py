"""Conflicts in the record's window (pytest-qt, real widgets, a second laptop's real store):
both versions shown with whose and where from, and each settled with its buttons; an edit set
aside from a signed record becomes a signed addendum through the addendum dialog."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from observer.bundle import export_bundle, import_bundle
from observer.conflicts.service import Choice
from observer.records.merge import Change
from observer.services import Services, open_services
from observer.vocabulary import SignatureRole
from tests.support.core import trusting
from tests.support.editor import open_editor
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.prompts import FakePrompts
from tests.support.text_fits import LARGE_FONT_POINTS, app_font, clipped_labels, settle_layouts
from ui.editor.conflicts_panel import ConflictCard
from ui.editor.window import EditorWindow
from ui.signoff import AddendumDialog

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def other_laptop(tmp_path: Path) -> Iterator[Services]:
    opened = open_services(tmp_path / "home", STORE_PASSPHRASE)
    yield opened
    opened.close()


def _share(source: Services, target: Services, name: str = "home.json") -> None:
    import_bundle(target.db, export_bundle(source.db, exported_by="Daniel Okafor"), "T", name)


def _save(laptop: Services, record: uuid.UUID, target: str, value: object) -> None:
    from ui.editor.page import values_of

    base = values_of(laptop.recording.get(record))[target]
    laptop.recording.save(record, [Change(target, base, value)])


def _complete(services: Services, record: uuid.UUID) -> None:
    for rating in services.recording.get(record).ratings:
        services.recording.set_rating(
            record, rating.standard_code, level_code="good", evidence="Seen on the visit."
        )
    services.recording.update(
        record,
        {
            "overall_level": "good",
            "overall_rationale": "Clear and warm.",
            "consent_given_by": "Mother",
            "consent_how": "Verbally",
            "strengths": "Warm with the child.",
        },
    )


def _cards(window: EditorWindow) -> list[ConflictCard]:
    return window.conflicts.panel.cards


def _texts(card: ConflictCard) -> list[str]:
    return [label.text() for label in card.findChildren(QLabel)]


def test_a_rating_changed_on_both_laptops_shows_both_and_keeping_this_version_writes_it(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    other_laptop: Services,
) -> None:
    _complete(services, observation)
    _share(services, other_laptop)
    code = services.recording.get(observation).ratings[0].standard_code
    _save(services, observation, f"rating:{code}:level", "outstanding")
    _save(other_laptop, observation, f"rating:{code}:level", "inadequate")
    _save(other_laptop, observation, "reflection", "Later words.")
    _share(other_laptop, services)

    window = open_editor(qtbot, services, prompts, observation)

    assert window.conflicts.panel.isVisible()
    assert window.conflicts.button.text() == "1 conflict to settle…"
    (card,) = _cards(window)
    shown = " | ".join(_texts(card))
    assert "Rating for" in shown
    assert "This laptop · changed" in shown
    assert "Daniel Okafor's laptop" in shown
    assert "from home.json · in the record now" in shown
    assert "Outstanding" in shown
    assert "Inadequate" in shown
    assert set(card.buttons) == {Choice.THIS, Choice.OTHER}

    qtbot.mouseClick(card.buttons[Choice.THIS], LEFT)

    level = services.recording.get(observation).ratings[0].level_code
    assert level == "outstanding"
    assert window.page.standards[code].rating.buttons["outstanding"].isChecked()
    assert services.conflicts.open() == []
    qtbot.waitUntil(lambda: not window.conflicts.panel.isVisible())
    assert not window.conflicts.button.isVisible()
    assert prompts.shown == []


def test_both_peoples_words_are_kept_and_using_the_other_puts_only_theirs_in_the_record(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    other_laptop: Services,
) -> None:
    _complete(services, observation)
    _share(services, other_laptop)
    _save(services, observation, "strengths", "Warm with the child. Office words.")
    _save(other_laptop, observation, "strengths", "Warm with the child. Home words.")
    _share(other_laptop, services)
    both = services.recording.get(observation).strengths
    assert "Office words." in both
    assert "Home words." in both

    window = open_editor(qtbot, services, prompts, observation)
    (card,) = _cards(window)
    assert "The record holds both people's words, one after the other." in _texts(card)
    assert set(card.buttons) == {Choice.THIS, Choice.OTHER, Choice.BOTH}

    qtbot.mouseClick(card.buttons[Choice.OTHER], LEFT)

    assert services.recording.get(observation).strengths == "Warm with the child. Home words."
    assert window.page.bindings["strengths"].read() == "Warm with the child. Home words."
    assert services.conflicts.open() == []


def test_an_edit_set_aside_from_a_signed_record_becomes_a_signed_addendum(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    other_laptop: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _complete(services, observation)
    _share(services, other_laptop)
    services.signoff.sign(observation, SignatureRole.OBSERVER, "Priya Shah")
    services.signoff.sign(observation, SignatureRole.PRACTITIONER, "Zoë Łukasiewicz")
    trusting(other_laptop, services)
    _save(other_laptop, observation, "strengths", "Warm with the child. Also: a good ending.")
    _share(other_laptop, services)

    window = open_editor(qtbot, services, prompts, observation)
    (card,) = _cards(window)
    shown = " | ".join(_texts(card))
    assert "An edit set aside from the signed record" in shown
    assert "Made on Daniel Okafor's laptop (home.json) on a copy from before it was signed" in shown
    assert "Strengths: Also: a good ending." in shown
    offered: list[str] = []

    def sign_it(dialog: QDialog) -> int:
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

    monkeypatch.setattr(AddendumDialog, "exec", sign_it)
    qtbot.mouseClick(card.buttons[Choice.ADDENDUM], LEFT)

    assert offered == ["Strengths: Also: a good ending."]
    (addendum,) = services.signoff.addenda(observation)
    assert addendum.text == "Strengths: Also: a good ending."
    assert services.recording.get(observation).strengths == "Warm with the child."
    assert services.conflicts.open() == []
    assert window.sign_off.addenda_card.texts == ["Strengths: Also: a good ending."]
    assert window.statusBar().currentMessage() == "Added as a signed addendum."


def test_using_the_other_version_once_the_record_is_signed_says_why_not_in_one_sentence(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    other_laptop: Services,
) -> None:
    _complete(services, observation)
    _share(services, other_laptop)
    code = services.recording.get(observation).ratings[0].standard_code
    _save(services, observation, f"rating:{code}:level", "outstanding")
    _save(other_laptop, observation, f"rating:{code}:level", "inadequate")
    _share(other_laptop, services)
    window = open_editor(qtbot, services, prompts, observation)
    services.signoff.sign(observation, SignatureRole.OBSERVER, "Priya Shah")
    (card,) = _cards(window)

    qtbot.mouseClick(card.buttons[Choice.THIS], LEFT)

    assert prompts.shown == [
        (
            "error",
            "This observation has been signed since; add an addendum to say which version "
            "is right.",
        )
    ]
    assert len(services.conflicts.open()) == 1


@pytest.mark.parametrize("points", [None, LARGE_FONT_POINTS], ids=["default", "large"])
def test_every_word_of_a_conflict_shows_whole_at_the_default_and_a_large_font(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    other_laptop: Services,
    points: float | None,
) -> None:
    _complete(services, observation)
    _share(services, other_laptop, "a-bundle-with-a-long-file-name-from-the-office.json")
    code = services.recording.get(observation).ratings[0].standard_code
    _save(services, observation, f"rating:{code}:level", "outstanding")
    _save(other_laptop, observation, f"rating:{code}:level", "requires_improvement")
    _share(other_laptop, services, "a-bundle-with-a-long-file-name-from-home.json")

    with app_font(points):
        window = open_editor(qtbot, services, prompts, observation)
        window.resize(1366, 740)
        settle_layouts()
        (card,) = _cards(window)
        assert clipped_labels(card) == []
        assert all(b.width() >= b.sizeHint().width() for b in card.buttons.values())
