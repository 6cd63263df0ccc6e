"""Conflicts in the record's window: what merging a copy from another laptop left to settle,
with both versions side by side (whose, when, from which bundle) and the buttons that
settle each one. An edit set aside from a signed record becomes a signed addendum through
the record's own addendum dialog.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from observer.conflicts.rules import ConflictKind, Side
from observer.conflicts.service import Choice, ConflictView, label
from observer.errors import ObserverError
from observer.records.recording import ObservationView
from observer.services import RecordServices
from observer.vocabulary import Kind, Status
from ui.editor.autosave import Autosaver
from ui.editor.page import EditorPage, values_of
from ui.editor.sign_off_part import SignOffPart
from ui.formatting import count, uk_date, uk_date_time
from ui.prompts import Prompts
from ui.signoff.addendum_dialog import AddendumDialog
from ui.widgets.cards import describe, heading, muted

log = logging.getLogger(__name__)

INTRO = (
    "This record was changed both here and on another laptop. What needs your decision is "
    "below, with both versions; nothing is lost meanwhile."
)
BUTTON_WORDS = {
    Choice.THIS: ("Keep this version", "Keeps this laptop's version in the record."),
    Choice.OTHER: ("Use the other", "Puts the other laptop's version in the record."),
    Choice.BOTH: ("Keep both", "Keeps both people's words, as the record holds them now."),
    Choice.ADDENDUM: (
        "Add as addendum…",
        "Opens the addendum dialog with these words, to sign and add after the signed record.",
    ),
    Choice.SIGNED_ONLY: (
        "Leave it out",
        "Leaves the signed record as it is, without these words; the conflict keeps them.",
    ),
}
SHOWN_CHARACTERS = 600
CARD_STYLE = """
QFrame#conflict {
    background: palette(base);
    border: 1px solid palette(mid);
    border-radius: 8px;
}
QLabel#version {
    background: palette(alternate-base);
    border: 1px solid palette(midlight);
    border-radius: 6px;
    padding: 6px 8px;
}
"""


class ConflictsHost(Protocol):
    """What the conflicts part needs of the editor window (ui.editor.window.EditorWindow)."""

    observation_id: uuid.UUID
    page: EditorPage
    autosaver: Autosaver
    status: Status

    def statusBar(self) -> QStatusBar: ...

    def save_now(self) -> bool: ...

    def sign_off_changed(self, status: Status) -> None: ...

    @property
    def sign_off(self) -> SignOffPart: ...


def in_words(target: str, value: Any, view: ObservationView, names: dict[str, str]) -> str:
    """A stored value as the record shows it: a rating's label, a date, a person's name."""
    if value is None or value == "" or value == []:
        return "(empty)"
    levels = {level.code: level.label for level in view.levels}
    if target == "overall_level" or target.endswith(":level"):
        return levels.get(str(value), str(value))
    if target == "kind":
        try:
            return Kind(value).label
        except ValueError:
            return str(value)
    if target == "observed_at" and isinstance(value, str):
        return uk_date_time(datetime.fromisoformat(value))
    if target.endswith(":due") and isinstance(value, str):
        return uk_date(date.fromisoformat(value))
    if target.endswith((":owner", "_person_id", "observer_id")):
        return names.get(str(value), "someone no longer listed")
    if target.endswith(":progress") and isinstance(value, list):
        status, done_at, done_by = [*value, None, None, None][:3]
        if status == "done":
            when = uk_date(datetime.fromisoformat(done_at)) if done_at else ""
            return " ".join(p for p in ("Done", when, f"by {done_by}" if done_by else "") if p)
        return "Open"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def came_from(source: str) -> str:
    """Where a conflict came from: a bundle's file name, or the team server (its address)."""
    return "the team server" if source.startswith(("https://", "http://")) else source


def whose(view: ConflictView, here: bool) -> str:
    """Where one side of a conflict comes from, and when it was changed."""
    moment = view.here_changed_at if here else view.other_changed_at
    changed = f" · changed {uk_date_time(moment)}" if moment is not None else ""
    if here:
        return f"This laptop{changed}"
    by = f"{view.source_by}'s laptop" if view.source_by else "Another laptop"
    return f"{by}{changed} · from {came_from(view.source)}"


class ConflictCard(QFrame):
    """One conflict: what it is about, both versions, and its buttons."""

    chosen = Signal(object, object)  # the ConflictView, the Choice

    def __init__(
        self,
        conflict: ConflictView,
        words: Callable[[str, Any], str],
        title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.setObjectName("conflict")
        self.setAccessibleName(f"Conflict: {conflict.label}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(6)
        layout.addWidget(heading(title or conflict.label, 1.05))
        if conflict.kind is ConflictKind.SET_ASIDE:
            self._set_aside(layout, words)
        else:
            self._versions(layout, words)
        self.buttons: dict[Choice, QPushButton] = {}
        row = QGridLayout()  # two a row: the panel is narrow
        row.setSpacing(6)
        for number, choice in enumerate(conflict.choices):
            text, description = BUTTON_WORDS[choice]
            button = QPushButton(text)
            button.setAutoDefault(False)
            describe(button, f"{text}: {conflict.label}", description)
            button.clicked.connect(lambda _=False, c=choice: self.chosen.emit(self.conflict, c))
            self.buttons[choice] = button
            row.addWidget(button, number // 2, number % 2)
        row.setColumnStretch(2, 1)
        layout.addLayout(row)

    def _versions(self, layout: QVBoxLayout, words: Callable[[str, Any], str]) -> None:
        c = self.conflict
        start = shared_start(c.here, c.other) if c.kind is ConflictKind.TEXT else 0
        for here in (True, False):
            value = c.here if here else c.other
            if start:
                value = "…" + value[start:]
            holds = c.kept is not Side.BOTH and (c.kept is Side.HERE) == here
            note = muted(whose(c, here) + (" · in the record now" if holds else ""))
            layout.addWidget(note)
            shown = version_label(words(c.target, value))
            shown.setAccessibleName("This laptop's version" if here else "The other version")
            layout.addWidget(shown)
        if c.kind is ConflictKind.TEXT and c.kept is Side.BOTH:
            layout.addWidget(muted("The record holds both people's words, one after the other."))
        elif c.kind is ConflictKind.PROGRESS:
            layout.addWidget(muted("Both kept here; the record shows the later."))

    def _set_aside(self, layout: QVBoxLayout, words: Callable[[str, Any], str]) -> None:
        c = self.conflict
        source = came_from(c.source)
        if c.set_aside_here:
            made = "Made on this laptop while the record was being signed on another"
            made += f" (it came back from {source})."
        else:
            by = f"{c.source_by}'s laptop" if c.source_by else "another laptop"
            made = f"Made on {by} ({source}) on a copy from before it was signed here."
        layout.addWidget(muted(f"{made} The signed record stands; these words are kept aside:"))
        shown = version_label(c.edit_words())
        shown.setAccessibleName("The edit set aside")
        layout.addWidget(shown)


def shared_start(one: Any, other: Any) -> int:
    """How much two texts share at their start, back to a word's end; 0 when it is too
    little to leave out (each version then shows whole)."""
    if not isinstance(one, str) or not isinstance(other, str):
        return 0
    length = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        length += 1
    cut = max(one.rfind(" ", 0, length), one.rfind("\n", 0, length))
    return cut + 1 if cut >= 40 and length < min(len(one), len(other)) else 0


def version_label(text: str) -> QLabel:
    shown = QLabel(text)
    shown.setObjectName("version")
    shown.setWordWrap(True)
    shown.setTextFormat(Qt.TextFormat.PlainText)
    shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return shown


class ConflictsPanel(QFrame):
    """The side panel listing a record's open conflicts."""

    hide_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflicts")
        self.setStyleSheet(CARD_STYLE)
        self.title = heading("Conflicts to settle", 1.2)
        self.summary = muted(INTRO)
        self.summary.setAccessibleName("About these conflicts")
        self.cards: list[ConflictCard] = []
        self.list = QWidget()
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, 4, 0)
        self.list_layout.setSpacing(10)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        hide = QPushButton("Hide")
        hide.setAutoDefault(False)
        describe(hide, "Hide the conflicts", "Hides this list; the button at the top shows it.")
        hide.clicked.connect(self.hide_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(hide)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)

    def show_conflicts(self, cards: list[ConflictCard]) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = cards
        for card in cards:
            self.list_layout.insertWidget(self.list_layout.count() - 1, card)
        self.title.setText(
            f"{count(len(cards), 'conflict', 'conflicts')} to settle" if cards else "No conflicts"
        )


class ConflictsPart(QObject):
    """The header's button and the side panel, kept in step with the store."""

    def __init__(self, window: ConflictsHost, services: RecordServices, prompts: Prompts) -> None:
        super().__init__()
        self._window = window
        self._services = services
        self._prompts = prompts
        self.button = QPushButton()
        self.button.setAutoDefault(False)
        describe(
            self.button,
            "Conflicts",
            "Shows what changed both here and on another laptop, to settle each.",
        )
        self.button.clicked.connect(self.show_panel)
        self.panel = ConflictsPanel()
        self.panel.hide_requested.connect(lambda: self.panel.setVisible(False))
        self.open: list[ConflictView] = []
        self.reload()
        self.panel.setVisible(bool(self.open))

    def show_panel(self) -> None:
        self.reload()
        self.panel.setVisible(True)
        if self.panel.cards:
            self.panel.cards[0].setFocus()

    def reload(self) -> None:
        try:
            self.open = self._services.conflicts.open(self._window.observation_id)
            view = self._services.recording.get(self._window.observation_id)
            names = {str(i): n for i, n in self._services.people.names()}
        except ObserverError as error:
            log.warning("could not read the conflicts of a record: %s", type(error).__name__)
            return
        n = len(self.open)
        self.button.setText(f"{count(n, 'conflict', 'conflicts')} to settle…")
        self.button.setVisible(bool(n))
        cards = []
        titles = {f"rating:{r.standard_code}:level": r.title for r in view.ratings}
        titles |= {f"rating:{r.standard_code}:evidence": r.title for r in view.ratings}
        for conflict in self.open:
            title = titles.get(conflict.target, "")
            if title:
                title = f"{conflict.label} · {title}"
            card = ConflictCard(conflict, lambda t, v: in_words(t, v, view, names), title)
            card.chosen.connect(self.settle)
            cards.append(card)
        self.panel.show_conflicts(cards)
        if not n:
            self.panel.setVisible(False)

    def settle(self, conflict: ConflictView, choice: Choice) -> None:
        window = self._window
        if choice is Choice.ADDENDUM:
            self._as_addendum(conflict)
            return
        if not window.save_now():
            self._prompts.error(window, "Your latest typing is not saved yet; try again shortly.")
            return
        try:
            self._services.conflicts.settle(conflict.id, choice)
        except ObserverError as error:
            self._prompts.error(window, str(error))
            self.reload()
            return
        self._show_stored(conflict.target)
        window.statusBar().showMessage(f"Settled: {label(conflict.target)}.", 5000)
        self.reload()

    def _as_addendum(self, conflict: ConflictView) -> None:
        window = self._window
        added = AddendumDialog.add(
            window,  # type: ignore[arg-type]
            self._services,
            window.observation_id,
            self._prompts,
            text=conflict.edit_words(),
        )
        if not added:
            return
        try:
            self._services.conflicts.settled_by_addendum(conflict.id)
        except ObserverError as error:
            self._prompts.error(window, str(error))
        record = self._services.recording.get(window.observation_id)
        window.sign_off.reload()
        window.sign_off_changed(record.status)
        window.statusBar().showMessage("Added as a signed addendum.", 5000)
        self.reload()

    def _show_stored(self, target: str) -> None:
        """The editor shows what the store now holds, and saves from there."""
        window = self._window
        values = values_of(self._services.recording.get(window.observation_id))
        if target not in values:
            return
        value = values[target]
        binding = window.page.bindings.get(target) or window.page.actions.bindings.get(target)
        if binding is not None and value is not None:
            binding.show(value)
        window.autosaver.track(target, value)
