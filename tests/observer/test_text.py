"""Folding text for comparison: what a person types finds what a record says."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observer.errors import InvalidInput
from observer.text import has_control_characters, parse_day, parse_day_time, searchable

PLAIN = {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"}


def folded_letter_by_letter(text: str) -> str:
    """The rule spelled out: case folded, accents off, the letters above spelled plainly,
    spacing collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(PLAIN.get(c, c) for c in bare).split())


def test_names_fold_as_people_type_them() -> None:
    assert searchable("Zoë Łukasiewicz") == "zoe lukasiewicz"
    assert searchable("  Siobhán\tÓ  Súilleabháin ") == "siobhan o suilleabhain"
    assert searchable("Straße Ørsted Þór") == "strasse orsted thor"
    assert searchable("PLAIN ascii, Text") == "plain ascii, text"


@given(st.text())
def test_any_text_folds_by_the_rule(text: str) -> None:
    assert searchable(text) == folded_letter_by_letter(text)


@pytest.mark.parametrize(
    "name",
    [
        "Morag\x1b[2J Campbell",  # clears a terminal when printed
        "Morag\x00Campbell",
        "Morag\x7fCampbell",
        "Morag\x9bCampbell",  # a C1 control
        "Morag \u202eCampbell",  # shows the rest right to left
    ],
    ids=["escape", "NUL", "DEL", "C1", "direction override"],
)
def test_control_characters_are_found(name: str) -> None:
    assert has_control_characters(name)


@pytest.mark.parametrize("name", ["Zoë Łukasiewicz", "Siobhán O'Neill-Ó Briain", "李小龍", ""])
def test_names_as_people_write_them_hold_no_control_characters(name: str) -> None:
    assert not has_control_characters(name)


# Dates as people type them


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_a_date_reads_back_as_the_app_shows_it_and_as_iso(day: date) -> None:
    assert parse_day(f"{day:%d/%m/%Y}") == day
    assert parse_day(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_day(f" {day.isoformat()} ") == day


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_a_date_and_time_reads_back(day: date, hour: int, minute: int) -> None:
    expected = datetime.combine(day, time(hour, minute))
    assert parse_day_time(f"{day:%d/%m/%Y} {hour:02d}:{minute:02d}") == expected
    assert parse_day_time(f"{day.isoformat()}T{hour}:{minute:02d}") == expected


def refusal(parse: Callable[[str], object], typed: str) -> str | None:
    """The sentence `parse` refuses `typed` with, or None when it takes it."""
    try:
        parse(typed)
    except InvalidInput as refused:
        return str(refused)
    return None


def is_one_sentence(message: str | None) -> bool:
    return message is None or (message.endswith(".") and "\n" not in message and len(message) < 200)


@given(st.text(max_size=60))
def test_any_text_is_a_date_or_one_clear_sentence(typed: str) -> None:
    for parse in (parse_day, parse_day_time):
        message = refusal(parse, typed)
        assert is_one_sentence(message), message


@given(
    st.from_regex(
        r"[0-9]{1,4}[/-][0-9]{1,4}[/-][0-9]{1,5}( [0-9]{1,3}:[0-9]{1,3})?", fullmatch=True
    )
)
def test_date_shaped_text_is_a_date_or_one_clear_sentence(typed: str) -> None:
    for parse in (parse_day, parse_day_time):
        message = refusal(parse, typed)
        assert is_one_sentence(message), message


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("31/02/2025", "'31/02/2025' is not a day on the calendar."),
        ("2025-02-30", "'2025-02-30' is not a day on the calendar."),
        ("12/31/2025", "'12/31/2025' is not a day on the calendar."),  # not month first
        ("0001-01-01", "'0001-01-01' is outside the years 1900 to 2199 that records cover."),
        ("20250331", "'20250331' is not a date: give it as dd/mm/yyyy (31/03/2025) or "
         "yyyy-mm-dd (2025-03-31)."),
        ("31/03/25", "'31/03/25' is not a date: give it as dd/mm/yyyy (31/03/2025) or "
         "yyyy-mm-dd (2025-03-31)."),
        ("３１/０３/２０２５", "'３１/０３/２０２５' is not a date: give it as dd/mm/yyyy "
         "(31/03/2025) or yyyy-mm-dd (2025-03-31)."),
    ],
)  # fmt: skip
def test_what_is_not_a_date_is_said_in_one_sentence(typed: str, sentence: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_day(typed)
    assert str(refused.value) == sentence


def test_a_time_of_day_must_exist() -> None:
    with pytest.raises(InvalidInput, match=r"^'31/03/2025 24:00' has no such time of day"):
        parse_day_time("31/03/2025 24:00")
    with pytest.raises(InvalidInput, match=r"is not a date and time: give it as dd/mm/yyyy"):
        parse_day_time("31/03/2025")
