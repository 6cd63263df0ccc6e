"""Case references that look like a child's name or NHS number are warned about."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observer.records.case_reference import (
    NAME_WARNING,
    NHS_NUMBER_WARNING,
    case_reference_warning,
    is_nhs_number,
)


@pytest.mark.parametrize(
    "text",
    [
        "Jayden Okafor",
        "Mary-Jane O'Neil",
        "  Zoë   Łukasiewicz ",
        "Amelia Rose Turner",
        "Siobhán O’Connell",
    ],
)
def test_a_full_name_is_warned_about(text: str) -> None:
    assert case_reference_warning(text) == NAME_WARNING


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "CIN 2041",
        "Case A-77",
        "LCS-000123",
        "Jayden",  # one word is not a full name
        "jayden okafor",
        "Jayden okafor",
        "Family 12",
        "O' Neil",
        "Mary- Jane",
    ],
)
def test_case_numbers_and_single_words_pass(text: str) -> None:
    assert case_reference_warning(text) is None


@pytest.mark.parametrize(
    "text",
    ["943 476 5919", "9434765919", "943-476-5919", "NHS 943 476 5919", "4010232137"],
)
def test_an_nhs_number_with_a_valid_check_digit_is_warned_about(text: str) -> None:
    assert case_reference_warning(text) == NHS_NUMBER_WARNING


@pytest.mark.parametrize(
    "text",
    [
        "943 476 5910",  # wrong check digit
        "9434765918",
        "943 476-5919",  # mixed grouping is not how NHS numbers are written
        "94347659190",  # eleven digits
        "943476591",  # nine digits
        "1000000010",  # the check digit would be 10: never issued
    ],
)
def test_other_ten_digit_numbers_pass(text: str) -> None:
    assert case_reference_warning(text) is None


def test_a_remainder_of_zero_gives_a_check_digit_of_zero() -> None:
    # 1 * 3 + 4 * 2 = 11, which leaves no remainder.
    assert is_nhs_number("0000000140")
    assert not is_nhs_number("0000000141")
    assert not is_nhs_number("９４３４７６５９１９")  # digits, but not the ASCII ones people type


@given(st.text(max_size=80))
def test_any_text_gives_a_warning_or_none(text: str) -> None:
    assert case_reference_warning(text) in (None, NAME_WARNING, NHS_NUMBER_WARNING)
