"""Reading dates and times as people in England type them, and refusing what is not one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observer.dates import InvalidDate, format_date_time, parse_date, parse_date_time
from observer.errors import InvalidInput

NOON = time(12, 0)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("07/12/2026 14:30", datetime(2026, 12, 7, 14, 30)),
        ("7/12/26 2:30pm", datetime(2026, 12, 7, 14, 30)),
        ("7/12/26 2:30 p.m.", datetime(2026, 12, 7, 14, 30)),
        ("7.12.2026 09.05", datetime(2026, 12, 7, 9, 5)),
        ("07-12-2026, 9am", datetime(2026, 12, 7, 9, 0)),
        ("7 Dec 2026 at 12am", datetime(2026, 12, 7, 0, 0)),
        ("7th December 2026 12pm", datetime(2026, 12, 7, 12, 0)),
        ("2026-12-07T14:30", datetime(2026, 12, 7, 14, 30)),
        ("2026-12-07 14:30", datetime(2026, 12, 7, 14, 30)),
        ("  07/12/2026   14:30  ", datetime(2026, 12, 7, 14, 30)),
        ("29/02/2028 10:00", datetime(2028, 2, 29, 10, 0)),
    ],
)
def test_what_people_type_is_read_day_first(typed: str, meant: datetime) -> None:
    assert parse_date_time(typed, NOON) == meant


def test_a_date_alone_takes_the_time_it_is_given() -> None:
    assert parse_date_time("07/12/2026", time(16, 45, 12)) == datetime(2026, 12, 7, 16, 45)
    assert parse_date("7/12/26") == date(2026, 12, 7)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type the date and time"),
        ("07/60/2026 14:30", "There is no month 60"),
        ("31/11/2026", "There is no day 31 in November 2026: it has 30 days."),
        ("29/02/2026", "it has 28 days"),
        ("07/12/2026 14:3060", "is not a time"),
        ("07/12/2026 25:00", "is not a time of day"),
        ("07/12/2026 13pm", "with am or pm the hour is 1 to 12"),
        ("07/12/2026 14", "is not a time"),
        ("07/12/202614:30", "not a date"),
        ("12/07", "not a date"),
        ("next Tuesday", "not a date"),
        ("7 Smarch 2026", "'Smarch' is not a month"),
        ("07/12/1066", "1066 is not a year"),
    ],
)
def test_what_is_not_a_date_is_refused_in_one_sentence_never_rolled_over(
    typed: str, says: str
) -> None:
    with pytest.raises(InvalidDate) as refused:
        parse_date_time(typed, NOON)
    assert says in str(refused.value)
    assert str(refused.value).endswith(".")
    assert isinstance(refused.value, InvalidInput)


def test_a_date_field_refuses_a_time() -> None:
    with pytest.raises(InvalidDate, match="only a date"):
        parse_date("07/12/2026 14:30")


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31)))
def test_what_the_field_shows_reads_back_as_the_same_minute(moment: datetime) -> None:
    minute = moment.replace(second=0, microsecond=0)
    assert parse_date_time(format_date_time(minute), NOON) == minute


@given(st.text(max_size=40))
def test_any_text_is_a_minute_or_one_clear_refusal(typed: str) -> None:
    refusal: InvalidDate | None = None
    try:
        parse_date_time(typed, NOON)
    except InvalidDate as refused:
        refusal = refused
    assert refusal is None or str(refusal).endswith(".")


# The command line reads dates with the same parser as the app (observer/cli/common.py).


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_a_date_reads_back_as_the_app_shows_it_and_as_iso(day: date) -> None:
    assert parse_date(f"{day:%d/%m/%Y}") == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(f" {day.isoformat()} ") == day


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_a_date_and_time_reads_back(day: date, hour: int, minute: int) -> None:
    expected = datetime.combine(day, time(hour, minute))
    assert parse_date_time(f"{day:%d/%m/%Y} {hour:02d}:{minute:02d}", NOON) == expected
    assert parse_date_time(f"{day.isoformat()}T{hour}:{minute:02d}", NOON) == expected


def refusal(parse: Callable[[str], object], typed: str) -> str | None:
    """The sentence `parse` refuses `typed` with, or None when it takes it."""
    try:
        parse(typed)
    except InvalidInput as refused:
        return str(refused)
    return None


def is_one_sentence(message: str | None) -> bool:
    return message is None or (message.endswith(".") and "\n" not in message and len(message) < 200)


PARSERS = (parse_date, lambda typed: parse_date_time(typed, NOON))


@given(st.text(max_size=300))
def test_any_text_is_a_date_or_one_clear_sentence(typed: str) -> None:
    for parse in PARSERS:
        message = refusal(parse, typed)
        assert is_one_sentence(message), message


@given(
    st.from_regex(
        r"[0-9]{1,4}[/-][0-9]{1,4}[/-][0-9]{1,5}( [0-9]{1,3}:[0-9]{1,3})?", fullmatch=True
    )
)
def test_date_shaped_text_is_a_date_or_one_clear_sentence(typed: str) -> None:
    for parse in PARSERS:
        message = refusal(parse, typed)
        assert is_one_sentence(message), message


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("31/02/2025", "There is no day 31 in February 2025: it has 28 days."),
        ("2025-02-30", "There is no day 30 in February 2025: it has 28 days."),
        ("12/31/2025", "There is no month 31: the month comes second, from 1 to 12."),
        ("0001-01-01", "1 is not a year this can be: check the year."),
        ("20250331", "'20250331' is not a date: type the day first, then month and year, "
         "as in 07/12/2026."),
        ("31/03/2025 and more", "Type only a date here, for example 07/12/2026, not "
         "'31/03/2025 and more'."),
        ("３１/０３/２０２５", "'３１/０３/２０２５' is not a date: type the day first, then month "
         "and year, as in 07/12/2026."),
    ],
)  # fmt: skip
def test_what_is_not_a_date_is_said_in_one_sentence(typed: str, sentence: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_date(typed)
    assert str(refused.value) == sentence


def test_a_time_of_day_must_exist() -> None:
    with pytest.raises(InvalidInput, match=r"^'24:00' is not a time of day"):
        parse_date_time("31/03/2025 24:00", NOON)
    with pytest.raises(InvalidInput, match=r"^Type only a date here"):
        parse_date("31/03/2025 14:30")


def test_what_was_typed_is_quoted_back_cut_short() -> None:
    message = refusal(parse_date, "x" * 5000)
    assert message is not None
    assert "…" in message
    assert len(message) < 200
