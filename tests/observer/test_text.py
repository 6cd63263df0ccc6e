"""Folding text for comparison: what a person types finds what a record says."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observer.text import has_control_characters, name_key, searchable

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


def test_names_people_take_for_one_have_one_key() -> None:
    assert name_key("  children's TEAM   a ") == name_key("Children's Team A")
    assert name_key("Zoë Team") != name_key("Zoe Team")  # an accent may tell two apart
