"""A stored moment's day on this laptop's calendar, as the review pages read it without
making aware datetimes of two thousand moments, is the day `astimezone` gives: around
midnight, across the clocks' changes and in zones half an hour off UTC."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from observer.store.models import UTCDateTime, stored_local_day

pytestmark = pytest.mark.skipif(not hasattr(time, "tzset"), reason="zones are set with tzset")

ZONES = ("UTC", "Europe/London", "America/St_Johns", "Asia/Kolkata", "Australia/Lord_Howe")
# Weeks holding the spring and autumn clock changes of each zone above, in 2026.
SPANS = ((datetime(2026, 3, 1, tzinfo=UTC), 42), (datetime(2026, 9, 24, tzinfo=UTC), 42))


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def moments() -> Iterator[datetime]:
    """Every quarter of an hour of the spans, and a microsecond either side."""
    for start, days in SPANS:
        for quarter in range(days * 96):
            moment = start + timedelta(minutes=15 * quarter)
            yield from (moment - timedelta(microseconds=1), moment, moment + timedelta(1e-6))


def test_a_moment_stored_on_sqlite_falls_on_the_day_the_laptop_calls_it(zone: str) -> None:
    as_stored = UTCDateTime()
    wrong = [
        moment
        for moment in moments()
        if stored_local_day(as_stored.process_bind_param(moment, sqlite.dialect()))
        != moment.astimezone().date()
    ]
    assert wrong == []


def test_a_moment_from_another_database_or_stored_as_text_falls_on_the_same_day(
    zone: str,
) -> None:
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    naive = UTCDateTime().process_bind_param(moment, postgresql.dialect())  # as PostgreSQL gives

    assert stored_local_day(naive) == moment.astimezone().date()
    assert stored_local_day("2026-03-29 00:30:00.000000") == moment.astimezone().date()
