"""What the status line says about sync, in plain words, from the service's status and
how the last try went. Pure: the tests read every state without a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from observer.sync.service import SyncStatus
from ui.formatting import count, local


class Attempt(Enum):
    """How the last sync went in this session (NONE: not tried yet)."""

    NONE = "none"
    RUNNING = "running"
    DONE = "done"
    OFFLINE = "offline"  # the server could not be reached
    REFUSED = "refused"  # it answered, and said no


@dataclass(frozen=True)
class Shown:
    text: str
    tooltip: str


def waiting_words(n: int) -> str:
    return count(n, "change waiting", "changes waiting")


def ago(then: datetime, now: datetime) -> str:
    """ "just now", "3 minutes ago", "2 hours ago", "yesterday at 14:05", "on 03/12 at 09:30"."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return count(seconds // 60, "minute") + " ago"
    if seconds < 12 * 3600:
        return count(seconds // 3600, "hour") + " ago"
    when, today = local(then), local(now)
    if when.date() == today.date():
        return f"today at {when:%H:%M}"
    if (today.date() - when.date()).days == 1:
        return f"yesterday at {when:%H:%M}"
    return f"on {when:%d/%m} at {when:%H:%M}"


def status_words(status: SyncStatus, attempt: Attempt, problem: str, now: datetime) -> Shown:
    """The main part of the line: when it last synced and what is waiting."""
    waiting = status.waiting
    where = f"Team server: {status.server}"
    if attempt is Attempt.RUNNING:
        return Shown("Syncing…", where)
    if attempt is Attempt.OFFLINE:
        text = f"Offline: {waiting_words(waiting)}" if waiting else "Offline: nothing waiting"
        return Shown(text, f"{problem} {where}".strip())
    if attempt is Attempt.REFUSED:
        text = "Sync did not finish" + (f" · {waiting_words(waiting)}" if waiting else "")
        return Shown(text, f"{problem} {where}".strip())
    if status.last_synced_at is None:
        text = "Not synced yet" + (f" · {waiting_words(waiting)}" if waiting else "")
        return Shown(text, where)
    text = f"Synced {ago(status.last_synced_at, now)}"
    if waiting:
        text += f" · {waiting_words(waiting)}"
    if status.notice:
        # Short on the line (a 1366-pixel status bar); the sentence is the tooltip.
        short = "joined again" if status.notice_kind == "rejoined" else "restored from a backup"
        return Shown(f"{text} · {short}", f"{status.notice} {where}")
    return Shown(text, where)


def refused_words(status: SyncStatus) -> str:
    """Short: beside the sample-data banner, a 1366-pixel status bar has little room; the
    click says the rest (that the team server did not accept them, and why)."""
    n = len(status.refused)
    return f"{count(n, 'change')} not accepted" if n else ""


def conflict_words(status: SyncStatus) -> str:
    n = status.open_conflicts
    return f"{count(n, 'conflict')} to settle" if n else ""
