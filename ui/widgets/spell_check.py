"""Spell-checking in a text box: misspelt words underlined, corrections on right-click.

The underline is a QSyntaxHighlighter, which Qt runs on a paragraph only when that
paragraph changes, and the words it has judged are remembered by the Spelling service, so
typing in a long narrative re-checks one paragraph of mostly known words. The word being
typed is not underlined until the cursor leaves it: a half-typed word is not a mistake.
A correction chosen from the menu is typed into the box like any edit, so Undo takes it
back and the autosave saves it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QTextEdit
from shiboken6 import isValid

from observer.errors import ObserverError
from observer.spelling.service import Checked, Spelling
from observer.spelling.words import Span, word_at
from ui.prompts import Prompts

TextArea = QTextEdit | QPlainTextEdit
ADD = "Add to dictionary"
IGNORE = "Ignore"
REMOVE = "Remove from dictionary"
NO_SUGGESTIONS = "No suggestions"
UNDERLINE = QColor("#d32f2f")


def check_spelling(edits: list[TextArea], spelling: Spelling, prompts: Prompts) -> list[SpellCheck]:
    """Spell-checks each of `edits` (the narrative boxes of a window)."""
    return [SpellCheck(edit, spelling, prompts) for edit in edits]


class Underline(QSyntaxHighlighter):
    def __init__(self, check: SpellCheck) -> None:
        super().__init__(check.edit.document())
        self._check = check
        self.format = QTextCharFormat()
        self.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self.format.setUnderlineColor(UNDERLINE)
        # Each paragraph's last judgement, by its number: the next is judged from it.
        # A number that now means another paragraph costs time, never correctness.
        self._checked: dict[int, Checked] = {}

    def highlightBlock(self, text: str) -> None:
        check = self._check
        if check.edit.isReadOnly():
            return
        block = self.currentBlock()
        checked = check.spelling.recheck(text, self._checked.get(block.blockNumber()))
        self._checked[block.blockNumber()] = checked
        held = check.held_in(block.position())
        wide = beyond_bmp(text)
        for span in checked.misspelt:
            if span.end == held:
                continue
            start, end = span.start, span.end
            if wide:
                start, end = utf16(text, start), utf16(text, end)
            self.setFormat(start, end - start, self.format)


class SpellCheck(QObject):
    """The underline and the right-click menu of one text box."""

    def __init__(self, edit: TextArea, spelling: Spelling, prompts: Prompts) -> None:
        super().__init__(edit)
        self.edit = edit
        self.spelling = spelling
        self._prompts = prompts
        self._held: int | None = None  # where the word being typed ends, in the document
        # Connected before the underline exists, so it is told of typing before it redraws.
        edit.document().contentsChange.connect(self._typed)
        self.underline = Underline(self)
        edit.cursorPositionChanged.connect(self._moved)
        edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        edit.customContextMenuRequested.connect(self._show_menu)
        edit.installEventFilter(self)
        spelling.watch(self.refresh)

    def refresh(self) -> None:
        """Underlines again: the words accepted, or whether the box is editable, changed."""
        if isValid(self) and isValid(self.underline):
            self.underline.rehighlight()

    # The menu

    def menu_at(self, pos: QPoint) -> QMenu:
        """The right-click menu at `pos` (the viewport's coordinates): corrections of the word
        there, if it is misspelt, then the usual editing commands."""
        bar_x, bar_y = self.edit.horizontalScrollBar(), self.edit.verticalScrollBar()
        standard = self.edit.createStandardContextMenu(pos + QPoint(bar_x.value(), bar_y.value()))
        found = None
        if not self.edit.isReadOnly() and self.spelling.available:
            found = self._word_at(self.edit.cursorForPosition(pos).position())
        if found is None:
            return standard
        menu = QMenu(self.edit)
        block, span = found
        if self.spelling.is_added(span.word):
            self._add(menu, REMOVE, lambda: self._change(self.spelling.remove, span.word))
        elif not self.spelling.is_correct(span.word):
            suggestions = self.spelling.suggestions(span.word)
            for suggestion in suggestions:
                action = self._add(menu, suggestion, self._replacer(block, span, suggestion))
                font = action.font()
                font.setBold(True)
                action.setFont(font)
            if not suggestions:
                menu.addAction(NO_SUGGESTIONS).setEnabled(False)
            menu.addSeparator()
            self._add(menu, ADD, lambda: self._change(self.spelling.add, span.word))
            self._add(menu, IGNORE, lambda: self.spelling.ignore(span.word))
        if menu.actions() and standard.actions():
            menu.addSeparator()
        for action in standard.actions():
            action.setParent(menu)
            menu.addAction(action)
        standard.deleteLater()
        return menu

    def keyboard_menu(self) -> tuple[QMenu, QPoint]:
        """The menu for the word at the text cursor (the Menu key, Shift+F10), and where."""
        pos = self.edit.cursorRect().center()
        return self.menu_at(pos), pos

    def _show_menu(self, pos: QPoint, menu: QMenu | None = None) -> None:
        menu = menu or self.menu_at(pos)
        menu.exec(self.edit.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _add(self, menu: QMenu, text: str, slot: Callable[[], None]) -> QAction:
        action = menu.addAction(text.replace("&", "&&"))
        action.triggered.connect(slot)
        return action

    def _replacer(self, block: int, span: Span, replacement: str) -> Callable[[], None]:
        def replace() -> None:
            text = self.edit.document().findBlock(block).text()
            if text[span.start : span.end] != span.word:
                return  # changed meanwhile (merged in from another window)
            cursor = QTextCursor(self.edit.document())
            cursor.setPosition(block + utf16(text, span.start))
            cursor.setPosition(block + utf16(text, span.end), QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(replacement)
            self.edit.setTextCursor(cursor)

        return replace

    def _change(self, change: Callable[[str], None], word: str) -> None:
        try:
            change(word)
        except ObserverError as error:
            self._prompts.error(self.edit, str(error))

    def _word_at(self, position: int) -> tuple[int, Span] | None:
        block = self.edit.document().findBlock(position)
        text = block.text()
        span = word_at(text, python_index(text, position - block.position()))
        return None if span is None else (block.position(), span)

    # The word being typed

    def held_in(self, block: int) -> int | None:
        """Where the word being typed ends within the paragraph that starts at `block`."""
        if self._held is None:
            return None
        found = self.edit.document().findBlock(self._held)
        if found.position() != block:
            return None
        text = found.text()
        return python_index(text, self._held - block)

    def _typed(self, position: int, removed: int, added: int) -> None:
        # A key or two typed where the user is working holds that word's underline back;
        # a paste, a correction from the menu or words merged in are judged at once.
        typing = self.edit.hasFocus() and 0 < removed + added <= 2
        self._held = position + added if typing else None

    def _moved(self) -> None:
        if self._held is not None and self.edit.textCursor().position() != self._held:
            self._release()

    def _release(self) -> None:
        if self._held is None:
            return
        block = self.edit.document().findBlock(self._held)
        self._held = None
        if block.isValid():
            self.underline.rehighlightBlock(block)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(event, QContextMenuEvent)
            and event.reason() == QContextMenuEvent.Reason.Keyboard
        ):
            menu, pos = self.keyboard_menu()  # at the word being worked on, not the middle
            self._show_menu(pos, menu)
            return True
        if event.type() == QEvent.Type.ReadOnlyChange:
            self.refresh()
        elif event.type() == QEvent.Type.FocusOut:
            self._release()
        return False


def utf16(text: str, index: int) -> int:
    """A Python index into `text` as Qt counts it (UTF-16 code units)."""
    head = text[:index]
    if not beyond_bmp(head):
        return index
    return index + sum(1 for c in head if ord(c) > 0xFFFF)


def python_index(text: str, units: int) -> int:
    """A Qt position within `text` (UTF-16 code units) as a Python index."""
    if not beyond_bmp(text):
        return min(units, len(text))
    index = counted = 0
    while index < len(text) and counted < units:
        counted += 2 if ord(text[index]) > 0xFFFF else 1
        index += 1
    return index


def beyond_bmp(text: str) -> bool:
    """Whether Qt counts `text` differently (an emoji, say, is two UTF-16 code units)."""
    if text.isascii():
        return False
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)
