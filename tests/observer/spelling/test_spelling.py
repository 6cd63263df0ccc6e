"""British English spell-checking with a personal dictionary kept in the encrypted store.

These run against the system's real en_GB dictionary: `bash scripts/test.sh` installs it
(scripts/bootstrap.sh), so they never skip."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observer.errors import InvalidInput
from observer.services import Services, open_services
from observer.spelling.service import PERSONAL_WORDS_SETTING, Spelling
from observer.store.settings import stored_value
from tests.support.passphrase import STORE_PASSPHRASE


class _NoStore:
    """A store whose personal dictionary is empty, for property tests that make many checks."""

    def session(self) -> object:
        raise AssertionError("not read")


@functools.cache
def _spelling_without_store() -> Spelling:
    spelling = Spelling(_NoStore())  # type: ignore[arg-type]
    spelling._remember(set())
    assert spelling.available  # the dictionary loaded before any example is timed
    return spelling


def test_british_spellings_are_correct(services: Services) -> None:
    spelling = services.spelling
    assert spelling.available
    for word in ("colour", "organise", "behaviour", "judgement", "programme", "Colour"):
        assert spelling.is_correct(word), word
    assert not spelling.is_correct("color")


def test_a_misspelling_is_found_with_its_correction_first(services: Services) -> None:
    text = "We will recieve the referal tomorrow."
    misspelt = services.spelling.misspellings(text)
    assert [(s.word, text[s.start : s.end]) for s in misspelt] == [
        ("recieve", "recieve"),
        ("referal", "referal"),
    ]
    assert services.spelling.suggestions("recieve")[0] == "receive"
    assert len(services.spelling.suggestions("recieve")) <= 5


def test_words_of_practice_are_known(services: Services) -> None:
    assert services.spelling.misspellings("Her wellbeing, the genogram and child-led play.") == []


def test_an_added_word_is_kept_in_the_store_and_known_after_reopening(
    services: Services, tmp_path: Path
) -> None:
    assert not services.spelling.is_correct("Kayden")
    services.spelling.add("Kayden")
    assert services.spelling.is_correct("Kayden")
    assert services.spelling.is_correct("KAYDEN")
    assert not services.spelling.is_correct("kayden")
    assert services.spelling.suggestions("Kaydne")[0] == "Kayden"
    data_dir = services.data_dir
    services.close()

    reopened = open_services(data_dir, STORE_PASSPHRASE)
    try:
        assert reopened.spelling.is_correct("Kayden")
        assert reopened.spelling.added_words() == ["Kayden"]
        with reopened.db.session() as s:
            assert stored_value(s, PERSONAL_WORDS_SETTING) == ["Kayden"]
    finally:
        reopened.close()
    # Encrypted at rest, like the records: the name is nowhere in the files as plain text.
    for file in data_dir.rglob("*"):
        if file.is_file():
            assert b"Kayden" not in file.read_bytes(), file.name


def test_a_removed_word_is_misspelt_again(services: Services) -> None:
    services.spelling.add("Kayden")
    services.spelling.remove("Kayden")
    assert not services.spelling.is_correct("Kayden")
    assert services.spelling.added_words() == []


def test_an_ignored_word_is_accepted_only_until_the_store_is_closed(services: Services) -> None:
    services.spelling.ignore("Tyreece")
    assert services.spelling.is_correct("Tyreece")
    assert services.spelling.added_words() == []
    fresh = Spelling(services.db)
    assert not fresh.is_correct("Tyreece")


def test_only_a_single_word_can_be_added(services: Services) -> None:
    with pytest.raises(InvalidInput):
        services.spelling.add("two words")
    with pytest.raises(InvalidInput):
        services.spelling.add("  ")


def test_watchers_hear_of_every_change(services: Services) -> None:
    heard: list[str] = []
    services.spelling.watch(lambda: heard.append("changed"))
    services.spelling.add("Kayden")
    services.spelling.ignore("Tyreece")
    services.spelling.remove("Kayden")
    assert heard == ["changed"] * 3


def test_without_a_dictionary_nothing_is_underlined_and_the_log_names_no_word(
    services: Services, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import enchant

    def missing(tag: str) -> None:
        raise enchant.errors.DictNotFoundError(f"Dictionary for language '{tag}' not found")

    monkeypatch.setattr(enchant, "Dict", missing)
    caplog.set_level(logging.WARNING)
    spelling = Spelling(services.db)
    assert spelling.misspellings("We will recieve it") == []
    assert spelling.suggestions("recieve") == []
    assert not spelling.available
    assert "spell-checking is off" in caplog.text
    assert "recieve" not in caplog.text
    assert "en_GB" not in caplog.text


def test_without_the_enchant_library_spelling_is_off(
    services: Services, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "enchant", None)
    caplog.set_level(logging.WARNING)
    spelling = Spelling(services.db)
    assert spelling.misspellings("We will recieve it") == []
    assert "Enchant library is missing" in caplog.text


def test_opening_the_store_does_not_load_the_dictionary(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from observer.services import open_services; "
        f"s = open_services(Path({str(tmp_path)!r}), {STORE_PASSPHRASE!r}); "
        "s.for_record(); print('enchant' in sys.modules); s.close()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_rechecking_after_typing_finds_what_checking_afresh_finds(services: Services) -> None:
    spelling = services.spelling
    text = "The familly will recieve support. See www.exmaple.org and CR-2231 "
    before = spelling.recheck(text)
    for typed in ("tommorow", " and", " ", "Kayden's", " definately"):
        text += typed
        after = spelling.recheck(text, before)
        assert after.misspelt == tuple(spelling.misspellings(text))
        before = after
    edited = "The family" + text[len("The familly") :]  # a correction at the start
    assert spelling.recheck(edited, before).misspelt == tuple(spelling.misspellings(edited))


def test_rechecking_judges_all_again_once_a_word_is_added(services: Services) -> None:
    before = services.spelling.recheck("Kayden came")
    services.spelling.add("Kayden")
    assert services.spelling.recheck("Kayden came", before).misspelt == ()


@settings(deadline=None)  # the first example loads the dictionary
@given(
    st.text(alphabet="ab recieve-’@.:/wCR2\n\t😀", max_size=60),
    st.text(alphabet="ab recieve-’@.:/wCR2\n\t😀", max_size=60),
)
def test_any_edit_rechecked_matches_a_fresh_check(before: str, after: str) -> None:
    spelling = _spelling_without_store()
    assert spelling.recheck(after, spelling.recheck(before)).misspelt == tuple(
        spelling.misspellings(after)
    )


def test_adding_a_possessive_adds_the_name(services: Services) -> None:
    assert not services.spelling.is_correct("Kayden’s")
    services.spelling.add("Kayden’s")
    assert services.spelling.added_words() == ["Kayden"]
    assert services.spelling.is_correct("Kayden's")
    assert services.spelling.is_correct("Kayden")
    assert services.spelling.is_added("Kayden’s")
    services.spelling.remove("Kayden's")
    assert not services.spelling.is_correct("Kayden's")
