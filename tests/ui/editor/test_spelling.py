"""Spell-checking in the editor's narrative: misspelt words underlined as they would be in a
word processor, corrections on right-click, and a personal dictionary that outlives the app.

These run against the system's real en_GB dictionary, which `bash scripts/test.sh`
installs (scripts/bootstrap.sh): they never skip."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from observer.records.merge import Change
from observer.services import Services, open_services
from observer.vocabulary import SignatureRole, Status
from tests.support.core import force_status
from tests.support.editor import CTRL, open_editor, press, save_by_keyboard, text_box, type_into
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.prompts import FakePrompts
from ui.editor.window import EditorWindow
from ui.signoff import AddendumDialog, SignOffDialog
from ui.widgets.growing_text import GrowingTextEdit
from ui.widgets.spell_check import ADD, IGNORE, REMOVE, SpellCheck, TextArea

WAVY = QTextCharFormat.UnderlineStyle.SpellCheckUnderline


def underlined(edit: TextArea) -> list[str]:
    """The words shown with the spelling underline, in order."""
    words = []
    block = edit.document().begin()
    while block.isValid():
        for part in block.layout().formats():
            if part.format.underlineStyle() == WAVY:
                words.append(block.text()[part.start : part.start + part.length])
        block = block.next()
    return words


def point_at(edit: TextArea, word: str) -> QPoint:
    """Where a right-click on the middle of `word` lands, in the box's viewport."""
    cursor = QTextCursor(edit.document())
    cursor.setPosition(edit.toPlainText().index(word) + len(word) // 2)
    return edit.cursorRect(cursor).center()


def menu_texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def choose(menu: QMenu, text: str) -> None:
    next(a for a in menu.actions() if a.text() == text).trigger()


def spell_check(edit: GrowingTextEdit) -> SpellCheck:
    check = edit.findChild(SpellCheck)
    assert check is not None
    return check


def stored_narrative(services: Services, record: uuid.UUID, field: str) -> str:
    return str(getattr(services.recording.get(record), field))


@pytest.fixture
def narrative(services: Services, observation: uuid.UUID) -> uuid.UUID:
    """The observation, its strengths and child's voice already written, with mistakes."""
    services.recording.save(
        observation,
        [
            Change("strengths", "", "Kayden will recieve a clear plan; his colour chart helped."),
            Change("child_voice", "", "Kayden said CR-20417 was not his school."),
        ],
    )
    return observation


@pytest.fixture
def editor(
    qtbot: QtBot, services: Services, prompts: FakePrompts, narrative: uuid.UUID
) -> EditorWindow:
    return open_editor(qtbot, services, prompts, narrative)


def test_misspelt_words_in_the_narrative_are_underlined(qtbot: QtBot, editor: EditorWindow) -> None:
    strengths = text_box(editor, "strengths")
    assert isinstance(strengths, GrowingTextEdit)
    qtbot.waitUntil(lambda: underlined(strengths) == ["Kayden", "recieve"])
    part = next(p for p in strengths.document().begin().layout().formats() if p.start == 12)
    assert part.length == len("recieve")
    assert part.format.underlineColor().red() > 150
    # A case reference and a British spelling are left alone.
    child_voice = text_box(editor, "child_voice")
    assert isinstance(child_voice, GrowingTextEdit)
    qtbot.waitUntil(lambda: underlined(child_voice) == ["Kayden"])


def test_underlining_is_not_an_edit(qtbot: QtBot, editor: EditorWindow) -> None:
    strengths = text_box(editor, "strengths")
    assert isinstance(strengths, GrowingTextEdit)
    qtbot.waitUntil(lambda: "recieve" in underlined(strengths))
    assert not editor.autosaver.has_pending()
    assert not strengths.document().isUndoAvailable()


def test_the_word_being_typed_is_underlined_once_the_cursor_leaves_it(
    qtbot: QtBot, editor: EditorWindow
) -> None:
    reflection = text_box(editor, "reflection")
    assert isinstance(reflection, GrowingTextEdit)
    type_into(qtbot, reflection, "I would seperate")
    QApplication.processEvents()
    assert underlined(reflection) == []
    press(Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: underlined(reflection) == ["seperate"])


def test_a_suggestion_from_the_menu_replaces_the_word_and_is_saved(
    qtbot: QtBot, editor: EditorWindow, services: Services, narrative: uuid.UUID
) -> None:
    strengths = text_box(editor, "strengths")
    assert isinstance(strengths, GrowingTextEdit)
    qtbot.waitUntil(lambda: "recieve" in underlined(strengths))
    menu = spell_check(strengths).menu_at(point_at(strengths, "recieve"))
    texts = menu_texts(menu)
    assert texts[0] == "receive"
    assert texts.index(ADD) < texts.index(IGNORE) <= 7
    assert any("Copy" in t for t in texts[texts.index(IGNORE) :])  # then the usual commands
    assert menu.actions()[0].font().bold()

    choose(menu, "receive")

    assert strengths.toPlainText() == ("Kayden will receive a clear plan; his colour chart helped.")
    qtbot.waitUntil(lambda: underlined(strengths) == ["Kayden"])
    strengths.setFocus()
    save_by_keyboard()
    assert "will receive a clear plan" in stored_narrative(services, narrative, "strengths")
    press(Qt.Key.Key_Z, CTRL)
    assert "will recieve a clear plan" in strengths.toPlainText()


def test_a_correct_word_gets_the_usual_menu_only(qtbot: QtBot, editor: EditorWindow) -> None:
    strengths = text_box(editor, "strengths")
    assert isinstance(strengths, GrowingTextEdit)
    menu = spell_check(strengths).menu_at(point_at(strengths, "colour"))
    texts = menu_texts(menu)
    assert ADD not in texts
    assert any("Copy" in t for t in texts)


def test_ignore_clears_the_word_in_every_box_for_this_session(
    qtbot: QtBot, editor: EditorWindow, services: Services
) -> None:
    strengths, child_voice = text_box(editor, "strengths"), text_box(editor, "child_voice")
    assert isinstance(strengths, GrowingTextEdit)
    assert isinstance(child_voice, GrowingTextEdit)
    qtbot.waitUntil(lambda: "Kayden" in underlined(child_voice))
    choose(spell_check(strengths).menu_at(point_at(strengths, "Kayden")), IGNORE)
    qtbot.waitUntil(lambda: underlined(strengths) == ["recieve"])
    assert underlined(child_voice) == []
    assert services.spelling.added_words() == []


def test_a_word_added_to_the_dictionary_stays_added_after_a_restart(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    narrative: uuid.UUID,
    data_dir: Path,
) -> None:
    closed: list[EditorWindow] = []
    editor = open_editor(qtbot, services, prompts, narrative, closed_by_test=closed)
    strengths, child_voice = text_box(editor, "strengths"), text_box(editor, "child_voice")
    assert isinstance(strengths, GrowingTextEdit)
    assert isinstance(child_voice, GrowingTextEdit)
    qtbot.waitUntil(lambda: underlined(strengths) == ["Kayden", "recieve"])

    choose(spell_check(strengths).menu_at(point_at(strengths, "Kayden")), ADD)

    qtbot.waitUntil(lambda: underlined(strengths) == ["recieve"])
    assert underlined(child_voice) == []
    editor.close()
    services.close()

    restarted = open_services(data_dir, STORE_PASSPHRASE)
    try:
        again = open_editor(qtbot, restarted, prompts, narrative, closed_by_test=closed)
        strengths = text_box(again, "strengths")
        assert isinstance(strengths, GrowingTextEdit)
        qtbot.waitUntil(lambda: underlined(strengths) == ["recieve"])
        # The added word can be taken out again, from its own menu.
        menu = spell_check(strengths).menu_at(point_at(strengths, "Kayden"))
        assert menu_texts(menu)[0] == REMOVE
        choose(menu, REMOVE)
        qtbot.waitUntil(lambda: underlined(strengths) == ["Kayden", "recieve"])
        again.close()
    finally:
        restarted.close()


def test_a_signed_record_shows_no_underlines(
    qtbot: QtBot, services: Services, prompts: FakePrompts, narrative: uuid.UUID
) -> None:
    force_status(services.db, narrative, Status.SIGNED)
    editor = open_editor(qtbot, services, prompts, narrative)
    strengths = text_box(editor, "strengths")
    assert isinstance(strengths, GrowingTextEdit)
    QApplication.processEvents()  # the first underlining waits for the event loop
    assert underlined(strengths) == []
    assert ADD not in menu_texts(spell_check(strengths).menu_at(point_at(strengths, "recieve")))


def test_an_addendum_is_spell_checked_too(
    qtbot: QtBot, services: Services, prompts: FakePrompts, narrative: uuid.UUID
) -> None:
    dialog = AddendumDialog(services.for_record(), narrative, prompts)
    qtbot.addWidget(dialog)
    dialog.text.setPlainText("The familly moved in May.")
    qtbot.waitUntil(lambda: underlined(dialog.text) == ["familly"])
    check = dialog.text.findChild(SpellCheck)
    assert check is not None
    choose(check.menu_at(point_at(dialog.text, "familly")), "family")
    assert dialog.text.toPlainText() == "The family moved in May."


def test_a_sign_off_comment_is_spell_checked_too(
    qtbot: QtBot, services: Services, prompts: FakePrompts, narrative: uuid.UUID
) -> None:
    dialog = SignOffDialog(services.for_record(), narrative, SignatureRole.OBSERVER, prompts)
    qtbot.addWidget(dialog)
    comment = dialog.fields.comment
    assert comment is not None
    comment.setPlainText("We agreed the familly plan.")
    qtbot.waitUntil(lambda: underlined(comment) == ["familly"])
    check = comment.findChild(SpellCheck)
    assert check is not None
    choose(check.menu_at(point_at(comment, "familly")), "family")
    assert comment.toPlainText() == "We agreed the family plan."


def test_the_keyboard_menu_offers_corrections_of_the_word_at_the_cursor(
    qtbot: QtBot, editor: EditorWindow
) -> None:
    strengths = text_box(editor, "strengths")
    assert isinstance(strengths, GrowingTextEdit)
    cursor = strengths.textCursor()
    cursor.setPosition(strengths.toPlainText().index("recieve") + 2)
    strengths.setTextCursor(cursor)
    menu, _ = spell_check(strengths).keyboard_menu()
    assert menu_texts(menu)[0] == "receive"


def test_the_menu_key_opens_the_spelling_menu_at_the_cursor(
    qtbot: QtBot, editor: EditorWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    strengths = text_box(editor, "strengths")
    assert isinstance(strengths, GrowingTextEdit)
    cursor = strengths.textCursor()
    cursor.setPosition(strengths.toPlainText().index("recieve") + 2)
    strengths.setTextCursor(cursor)
    opened: list[list[str]] = []
    monkeypatch.setattr(
        SpellCheck, "_show_menu", lambda _check, _pos, menu: opened.append(menu_texts(menu))
    )
    key = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, QPoint(1, 1), strengths.mapToGlobal(QPoint(1, 1))
    )
    QApplication.sendEvent(strengths, key)
    assert opened
    assert opened[0][0] == "receive"


def test_the_agreed_focus_of_a_new_observation_is_spell_checked(
    qtbot: QtBot, services: Services, prompts: FakePrompts, cast
) -> None:
    from tests.support.new_observation import shown
    from ui.dialogs.new_observation import NewObservationDialog

    dialog = NewObservationDialog(
        services.recording,
        services.people,
        cast.observer,
        prompts,
        spelling=services.spelling,
    )
    shown(qtbot, dialog)
    dialog.focus.setPlainText("How the worker helps the child recieve support.")
    qtbot.waitUntil(lambda: underlined(dialog.focus) == ["recieve"])
