"""The words of the team overview's laptops line, in every case, without a window."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from observer.sync.laptops import LaptopSync
from ui.panels.team_laptops import laptop_words, since

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def laptop(
    person: str | None,
    ago: timedelta | None,
    *,
    mine: bool = False,
    name: str = "NCC-LT-0423",
    person_id: uuid.UUID | None = None,
) -> LaptopSync:
    return LaptopSync(
        uuid.uuid4(),
        name,
        person_id or uuid.uuid4(),
        person,
        None if ago is None else NOW - ago,
        mine,
    )


def test_nothing_is_said_without_another_laptop() -> None:
    assert laptop_words([], NOW) is None
    assert laptop_words([laptop("Dana Lewis", timedelta(0), mine=True)], NOW) is None


def test_a_few_laptops_are_each_named_the_overdue_first_and_in_bold() -> None:
    shown = laptop_words(
        [
            laptop("Priya Shah", timedelta(hours=2)),
            laptop("Tom Reed", timedelta(days=9)),
            laptop("Dana Lewis", timedelta(0), mine=True),
        ],
        NOW,
    )
    assert shown is not None
    assert shown.plain == (
        "Laptops: Tom Reed's laptop last synced 9 days ago, may hold records not yet sent; "
        "Priya Shah's laptop synced 2 hours ago."
    )
    assert shown.text.startswith("Laptops: <b>Tom Reed&#x27;s laptop last synced 9 days ago")
    assert "<b>Priya" not in shown.text


def test_a_week_is_not_yet_overdue_and_a_laptop_never_synced_says_so() -> None:
    shown = laptop_words([laptop("Priya Shah", timedelta(days=7)), laptop("Tom Reed", None)], NOW)
    assert shown is not None
    assert shown.plain == (
        "Laptops: Priya Shah's laptop synced 7 days ago; Tom Reed's laptop has not finished "
        "a sync yet."
    )
    assert "<b>" not in shown.text


def test_many_laptops_name_only_those_behind_and_count_the_rest() -> None:
    team = [laptop(f"Worker {n}", timedelta(hours=n + 1)) for n in range(5)]
    shown = laptop_words([*team, laptop("Tom Reed", timedelta(days=12))], NOW)
    assert shown is not None
    assert shown.plain == (
        "Laptops: Tom Reed's laptop last synced 12 days ago, may hold records not yet sent; "
        "5 others synced in the last week."
    )
    assert "Worker 4's laptop synced 5 hours ago" in shown.tooltip


def test_a_person_with_two_laptops_and_a_person_this_laptop_does_not_hold() -> None:
    priya = uuid.uuid4()
    shown = laptop_words(
        [
            laptop("Priya Shah", timedelta(minutes=5), name="PS-01", person_id=priya),
            laptop("Priya Shah", timedelta(days=1), name="PS-02", person_id=priya),
            laptop(None, timedelta(seconds=20), name="NCC-LT-0423"),
        ],
        NOW,
    )
    assert shown is not None
    assert shown.plain == (
        "Laptops: Priya Shah's laptop PS-01 synced 5 minutes ago; Priya Shah's laptop PS-02 "
        "synced yesterday; the laptop NCC-LT-0423 synced just now."
    )


def test_since_reads_as_people_say_it() -> None:
    assert since(NOW - timedelta(seconds=30), NOW) == "just now"
    assert since(NOW - timedelta(minutes=1), NOW) == "1 minute ago"
    assert since(NOW - timedelta(hours=3), NOW) == "3 hours ago"
    assert since(NOW - timedelta(days=3), NOW) == "3 days ago"
