"""Spelling: the one way in to spell-checking, with a personal dictionary per laptop.

The words a user adds are often names — a child's, a parent's, a school's — so the personal
dictionary is personal data and lives where the records do: a settings row of the
encrypted store, in its encrypted backups, never in a plain file and never in a bundle
(bundles carry records, not settings). "Ignore" lasts until the app closes and is written
nowhere. Nothing here logs a word or sends one anywhere.

The dictionary is loaded on first use, so neither start-up nor the command line imports
Enchant. Everything runs on the caller's thread; the window's thread is the only caller.
"""

from __future__ import annotations

import difflib
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from observer.errors import InvalidInput, StoreUnavailable
from observer.spelling.dictionary import Dictionary, load_british_english, practice_words
from observer.spelling.words import (
    MAX_WORD_LENGTH,
    Span,
    checkable,
    edited_region,
    normalised,
    words_to_check,
)
from observer.store.db import Database
from observer.store.settings import store_value, stored_value

log = logging.getLogger(__name__)

PERSONAL_WORDS_SETTING = "spelling.personal_words"
MAX_SUGGESTIONS = 5
Loader = Callable[[], Dictionary | None]
Watcher = Callable[[], None]


@dataclass(frozen=True)
class Checked:
    """A text's misspelt words, as judged while the words accepted were `generation`."""

    text: str
    misspelt: tuple[Span, ...]
    generation: int


class Spelling:
    """Checks narrative against British English, this laptop's added words and the
    words ignored in this session."""

    def __init__(self, db: Database, load: Loader = load_british_english) -> None:
        self._db = db
        self._load = load
        self._dictionary: Dictionary | None = None
        self._loaded = False
        self._personal: set[str] | None = None
        self._accepted: set[str] = set()  # the personal and shipped words in every casing
        self._ignored: set[str] = set()
        self._known: dict[str, bool] = {}
        self._watchers: list[weakref.ReferenceType[Any] | Watcher] = []
        self._generation = 0

    # Checking

    @property
    def available(self) -> bool:
        """Whether there is a dictionary to check against (loads it on first call)."""
        return self._ready() is not None

    def misspellings(self, text: str) -> list[Span]:
        """The words of `text` the dictionary does not know, in order; none without one."""
        if self._ready() is None:
            return []
        return [span for span in words_to_check(text) if not self.is_correct(span.word)]

    def recheck(self, text: str, before: Checked | None = None) -> Checked:
        """The misspellings of `text`, judging again only what changed since `before` (the
        same paragraph a key ago): typing at the end of a 2,000-word paragraph then checks
        one word, not 2,000. Without `before`, or after the words accepted changed, all."""
        if before is None or before.generation != self._generation:
            return Checked(text, tuple(self.misspellings(text)), self._generation)
        if before.text == text:
            return before
        start, old_end, new_end = edited_region(before.text, text)
        shift = new_end - old_end
        kept = [s for s in before.misspelt if s.end <= start]
        fresh = [
            replace(s, start=s.start + start, end=s.end + start)
            for s in self.misspellings(text[start:new_end])
        ]
        moved = [
            replace(s, start=s.start + shift, end=s.end + shift)
            for s in before.misspelt
            if s.start >= old_end
        ]
        return Checked(text, (*kept, *fresh, *moved), self._generation)

    def is_correct(self, word: str) -> bool:
        dictionary = self._ready()
        if dictionary is None or not checkable(word):
            return True
        word = normalised(word)
        known = self._known.get(word)
        if known is None:
            known = self._judge(dictionary, word)
            self._known[word] = known
        return known

    def suggestions(self, word: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
        """Up to `limit` likely spellings, closest first; added words come first when close."""
        dictionary = self._ready()
        if dictionary is None or not word.strip():
            return []
        word = normalised(word)
        close = difflib.get_close_matches(word, sorted(self._personal_words()), limit, 0.8)
        found = [*close, *dictionary.suggest(word)]
        return list(dict.fromkeys(s for s in found if s != word))[:limit]

    # The personal dictionary

    def added_words(self) -> list[str]:
        """The words added on this laptop, in alphabetical order."""
        return sorted(self._personal_words(), key=str.casefold)

    def is_added(self, word: str) -> bool:
        return stem(normalised(word)) in self._personal_words()

    def add(self, word: str) -> None:
        """Keeps `word` in this laptop's personal dictionary, in the encrypted store."""
        word = _one_word(word)
        self._write(lambda words: words | {word})
        self._changed()

    def remove(self, word: str) -> None:
        """Takes `word` out of the personal dictionary (names should not outlive their use)."""
        word = stem(normalised(word))
        self._write(lambda words: words - {word})
        self._changed()

    def ignore(self, word: str) -> None:
        """Accepts `word` everywhere until the app closes; it is written nowhere."""
        self._ignored.add(stem(normalised(word)))
        self._changed()

    def watch(self, watcher: Watcher) -> None:
        """`watcher` is called after the words accepted change. A bound method is held
        weakly, so an underlining that has gone away is dropped, not kept alive."""
        try:
            self._watchers.append(weakref.WeakMethod(watcher))
        except TypeError:
            self._watchers.append(watcher)

    # Inside

    def _ready(self) -> Dictionary | None:
        if not self._loaded:
            self._loaded = True
            self._dictionary = self._load()
        return self._dictionary

    def _judge(self, dictionary: Dictionary, word: str) -> bool:
        accepted = self._accepted_words()
        if word in self._ignored or word in accepted:
            return True
        base = stem(word)
        if base != word and (base in self._ignored or base in accepted):
            return True  # Kayden's, once Kayden is added
        if dictionary.check(word):
            return True
        parts = [p for p in word.split("-") if p]
        # A hyphenated word the dictionary lacks is right when each part is (child-led).
        return len(parts) > 1 and all(self.is_correct(part) for part in parts)

    def _personal_words(self) -> set[str]:
        if self._personal is None:
            from sqlalchemy.exc import SQLAlchemyError

            try:
                with self._db.session() as s:
                    stored = stored_value(s, PERSONAL_WORDS_SETTING)
            except SQLAlchemyError as error:
                log.warning("the personal dictionary could not be read (%s)", _kind(error))
                return set()  # tried again next time
            self._remember(_words_in(stored))
        assert self._personal is not None
        return self._personal

    def _accepted_words(self) -> set[str]:
        self._personal_words()
        return self._accepted

    def _remember(self, words: set[str]) -> None:
        self._personal = words
        self._accepted = {form for w in words | practice_words() for form in _forms(w)}
        self._known.clear()
        self._generation += 1

    def _write(self, change: Callable[[set[str]], set[str]]) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self._db.session() as s, s.begin():
                words = change(_words_in(stored_value(s, PERSONAL_WORDS_SETTING)))
                store_value(s, PERSONAL_WORDS_SETTING, sorted(words) or None)
        except SQLAlchemyError as error:
            log.warning("the personal dictionary could not be written (%s)", _kind(error))
            raise StoreUnavailable(
                "The personal dictionary cannot be changed just now; try again in a moment."
            ) from error
        self._remember(words)

    def _changed(self) -> None:
        self._known.clear()
        self._generation += 1
        alive: list[weakref.ReferenceType[Any] | Watcher] = []
        for held in self._watchers:
            watcher = held() if isinstance(held, weakref.ReferenceType) else held
            if watcher is None:
                continue
            alive.append(held)
            watcher()
        self._watchers = alive


def _one_word(word: str) -> str:
    word = stem(normalised(word.strip()))
    if not word or len(word) > MAX_WORD_LENGTH or any(c.isspace() for c in word):
        raise InvalidInput("Only a single word can be added to the dictionary.")
    return word


def stem(word: str) -> str:
    """The word without a possessive 's: adding Kayden's adds Kayden, which then accepts
    both."""
    return word[:-2] if len(word) > 3 and word[-2:] in ("'s", "'S") else word


def _words_in(stored: object) -> set[str]:
    if stored is None:
        return set()
    if not isinstance(stored, list) or not all(isinstance(w, str) for w in stored):
        log.warning("the stored personal dictionary is unreadable; starting it afresh")
        return set()
    return set(stored)


def _forms(word: str) -> tuple[str, ...]:
    """The casings a dictionary accepts for a word: wellbeing also as Wellbeing and
    WELLBEING; Kayden also as KAYDEN, but not as kayden."""
    if word.islower():
        return word, word.capitalize(), word.upper()
    return word, word.upper()


def _kind(error: BaseException) -> str:
    return type(error).__name__
