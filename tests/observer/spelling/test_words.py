"""Which words of a narrative are checked: references, abbreviations and addresses are not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from observer.spelling.words import word_at, words_to_check


def checked(text: str) -> list[str]:
    return [span.word for span in words_to_check(text)]


def test_words_are_found_with_their_places() -> None:
    text = "Mum’s partner didn't attend; the children's wellbeing."
    spans = list(words_to_check(text))
    assert [s.word for s in spans] == [
        "Mum’s",
        "partner",
        "didn't",
        "attend",
        "the",
        "children's",
        "wellbeing",
    ]
    assert all(text[s.start : s.end] == s.word for s in spans)


def test_case_references_numbers_and_abbreviations_are_not_checked() -> None:
    text = "Case CR-20417 (FAM-3391, S47 on 2nd May): CAMHS and the SENCo at QEII, on her iPad."
    assert checked(text) == ["Case", "on", "May", "and", "the", "at", "on", "her"]


def test_web_and_email_addresses_are_not_checked() -> None:
    text = "See https://example.org/guidnce?q=recieve or www.exmaple.org, or mail a@exmple.org now"
    assert checked(text) == ["See", "or", "or", "mail", "now"]


def test_quotes_and_dashes_around_a_word_are_not_part_of_it() -> None:
    assert checked("'recieve' -- parents' child-led") == ["recieve", "parents", "child-led"]


def test_the_word_at_a_right_click_includes_just_after_its_end() -> None:
    text = "the recieve here"
    assert word_at(text, 5) is not None
    assert word_at(text, 5).word == "recieve"  # type: ignore[union-attr]
    assert word_at(text, 11).word == "recieve"  # type: ignore[union-attr]
    assert word_at(text, 3).word == "the"  # type: ignore[union-attr]
    assert word_at("CR-20417", 3) is None


@given(st.text(max_size=200))
def test_any_text_gives_spans_that_are_its_own_words(text: str) -> None:
    for span in words_to_check(text):
        assert text[span.start : span.end] == span.word
        assert len(span.word) >= 2
