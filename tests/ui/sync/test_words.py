"""What the status line says in each state, read without a window."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from observer.sync.service import RefusedChange, SyncStatus
from ui.sync.words import Attempt, ago, conflict_words, refused_words, status_words

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
SERVER = "https://observer.northshire.example"


def status(waiting: int = 0, synced: datetime | None = None, **kw: object) -> SyncStatus:
    return SyncStatus(SERVER, synced, waiting, kw.get("refused", ()), kw.get("conflicts", 0))  # type: ignore[arg-type]


def test_each_state_reads_as_one_calm_line() -> None:
    three_minutes = NOW - timedelta(minutes=3)
    said = {
        "synced": status(2, three_minutes),
        "synced, nothing waiting": status(0, three_minutes),
        "never": status(12),
    }
    assert status_words(said["synced"], Attempt.DONE, "", NOW).text == (
        "Synced 3 minutes ago · 2 changes waiting"
    )
    assert status_words(said["synced, nothing waiting"], Attempt.NONE, "", NOW).text == (
        "Synced 3 minutes ago"
    )
    assert status_words(said["never"], Attempt.NONE, "", NOW).text == (
        "Not synced yet · 12 changes waiting"
    )
    assert status_words(status(5), Attempt.OFFLINE, "Not reached.", NOW).text == (
        "Offline: 5 changes waiting"
    )
    assert status_words(status(1), Attempt.OFFLINE, "", NOW).text == "Offline: 1 change waiting"
    assert status_words(status(5), Attempt.RUNNING, "", NOW).text == "Syncing…"
    refused = status_words(status(2), Attempt.REFUSED, "The team server refused (403).", NOW)
    assert refused.text == "Sync did not finish · 2 changes waiting"
    assert refused.tooltip.startswith("The team server refused (403).")


def test_a_restore_of_this_laptop_is_said_once_on_the_line_and_in_full_on_hover() -> None:
    told = replace(status(0, NOW - timedelta(minutes=3)), notice="This laptop was restored.")
    shown = status_words(told, Attempt.DONE, "", NOW)
    assert shown.text == "Synced 3 minutes ago · restored from a backup"
    assert shown.tooltip == f"This laptop was restored. Team server: {SERVER}"


def test_times_read_as_a_person_says_them() -> None:
    assert ago(NOW - timedelta(seconds=20), NOW) == "just now"
    assert ago(NOW - timedelta(minutes=1), NOW) == "1 minute ago"
    assert ago(NOW - timedelta(hours=2, minutes=5), NOW) == "2 hours ago"
    assert ago(NOW - timedelta(days=1), NOW).startswith("yesterday at ")
    assert ago(NOW - timedelta(days=9), NOW).startswith("on ")


def test_refused_changes_and_conflicts_are_counted_in_words() -> None:
    one = RefusedChange("observation", uuid.uuid4(), "Not yours to change.")
    assert refused_words(status(refused=(one,))) == "1 change not accepted"
    assert refused_words(status(refused=(one, one))) == "2 changes not accepted"
    assert refused_words(status()) == ""
    assert conflict_words(status(conflicts=1)) == "1 conflict to settle"
    assert conflict_words(status(conflicts=3)) == "3 conflicts to settle"
