"""The team overview's line about laptops: when each laptop of the team last synced, so a
manager sees at a glance which may hold records the team server has not got.

Shown only once this laptop has joined a team server that told it of other laptops
(protocol v2; observer/sync/laptops.py). Calm words; a laptop not synced for more than a
week is in bold, as the overview marks what is overdue, and says it may hold records not
yet sent. The words are pure (`laptop_words`), so the tests read every case without a
window.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from ui.formatting import count, local

if TYPE_CHECKING:
    from observer.sync.laptops import LaptopSync

log = logging.getLogger(__name__)

OVERDUE_DAYS = 7
# Up to this many laptops, each is named; beyond, those synced lately are counted.
NAMED = 4
TICK_MS = 60 * 1000  # "2 hours ago" moves on
MAY_HOLD = "may hold records not yet sent"


@dataclass(frozen=True)
class LaptopsShown:
    text: str
    """Rich text: names escaped, an overdue laptop in bold."""
    plain: str
    tooltip: str


def laptop_words(laptops: Sequence[LaptopSync], now: datetime) -> LaptopsShown | None:
    """What the line says, or None when there is nothing to say (no other laptop)."""
    others = [laptop for laptop in laptops if not laptop.this_laptop]
    if not others:
        return None
    several = _people_with_several(others)
    parts = [_Part(_who(laptop, several), laptop, now) for laptop in others]
    parts.sort(key=lambda part: (not part.overdue, part.who.casefold()))
    every = "; ".join(part.plain for part in parts)
    if len(parts) <= NAMED:
        shown = parts
        lately: list[_Part] = []
    else:
        shown = [part for part in parts if part.overdue or part.never]
        lately = [part for part in parts if part not in shown]
    rich = [part.rich for part in shown]
    plain = [part.plain for part in shown]
    if lately:
        summary = f"{count(len(lately), 'other')} synced in the last week"
        rich.append(html.escape(summary))
        plain.append(summary)
    tooltip = (
        "When each laptop last finished a sync with the team server, as of this laptop's "
        f"last sync: {every}."
    )
    return LaptopsShown(f"Laptops: {'; '.join(rich)}.", f"Laptops: {'; '.join(plain)}.", tooltip)


class _Part:
    def __init__(self, who: str, laptop: LaptopSync, now: datetime) -> None:
        self.who = who
        synced = laptop.last_synced_at
        self.never = synced is None
        days = None if synced is None else (local(now).date() - local(synced).date()).days
        self.overdue = days is not None and days > OVERDUE_DAYS
        if synced is None:
            self.plain = f"{who} has not finished a sync yet"
        elif self.overdue:
            self.plain = f"{who} last synced {days} days ago, {MAY_HOLD}"
        else:
            self.plain = f"{who} synced {since(synced, now)}"
        escaped = html.escape(self.plain)
        self.rich = f"<b>{escaped}</b>" if self.overdue else escaped


def since(then: datetime, now: datetime) -> str:
    """ "just now", "5 minutes ago", "2 hours ago", "yesterday", "3 days ago"."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return count(seconds // 60, "minute") + " ago"
    days = (local(now).date() - local(then).date()).days
    if seconds < 12 * 3600 or days == 0:
        return count(seconds // 3600, "hour") + " ago"
    return "yesterday" if days == 1 else f"{days} days ago"


def _people_with_several(laptops: Sequence[LaptopSync]) -> set[object]:
    seen: set[object] = set()
    several: set[object] = set()
    for laptop in laptops:
        (several if laptop.person_id in seen else seen).add(laptop.person_id)
    return several


def _who(laptop: LaptopSync, several: set[object]) -> str:
    if laptop.person_name is None:
        return f"the laptop {laptop.name}"
    if laptop.person_id in several:
        return f"{laptop.person_name}'s laptop {laptop.name}"
    return f"{laptop.person_name}'s laptop"


class LaptopsLine(QLabel):
    """The line itself: read off the GUI thread, hidden while there is nothing to say."""

    def __init__(
        self,
        read: Callable[[], list[LaptopSync]],
        parent: QWidget | None = None,
        *,
        pool: QThreadPool | None = None,
    ) -> None:
        from ui.latest_result import LatestResult

        super().__init__(parent)
        self.setAccessibleName("When the team's laptops last synced")
        # Always rich: a line with no bold in it would otherwise show its escapes as typed
        # ("Aled Hughes&#x27;s laptop").
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setVisible(False)
        self.laptops: list[LaptopSync] = []
        self.shown: LaptopsShown | None = None
        self._read = read
        self._loader = LatestResult(self, pool)
        self._loader.ready.connect(self._arrived)
        self._loader.failed.connect(lambda _sentence: log.warning("laptops' syncs unread"))
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._show)
        self._tick.start()

    def read(self) -> None:
        self._loader.request(self._read)

    @property
    def loading(self) -> bool:
        return self._loader.busy

    def _arrived(self, laptops: object) -> None:
        assert isinstance(laptops, list)
        self.laptops = laptops
        self._show()

    def _show(self) -> None:
        self.shown = laptop_words(self.laptops, datetime.now(UTC))
        self.setVisible(self.shown is not None)
        if self.shown is not None:
            self.setText(self.shown.text)
            self.setToolTip(self.shown.tooltip)
            self.setAccessibleDescription(self.shown.plain)
