"""Which words of a narrative are worth checking, and where they are.

Narrative carries much that is not a dictionary word: case references (CR-20417, S47),
abbreviations (CAMHS, SENCo), addresses of web pages and e-mail. Underlining those would
teach the user to ignore the underline, so they are skipped here: anything with a digit,
any word with a capital after its first letter, single letters, and web or e-mail
addresses. Positions are indexes into the text as Python counts them; narrative beyond the
Basic Multilingual Plane is rare, and the interface converts where it matters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A run of letters, digits, apostrophes and hyphens: one candidate, checked or skipped whole.
_CHUNK = re.compile(r"[\w'’\-]+")
_ADDRESS = re.compile(r"(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
_EDGES = "'’-_"
MAX_WORD_LENGTH = 45


@dataclass(frozen=True)
class Span:
    """A word at text[start:end]."""

    start: int
    end: int
    word: str


def words_to_check(text: str) -> Iterator[Span]:
    """Every word of `text` that a dictionary should judge, in order."""
    addresses = [m.span() for m in _ADDRESS.finditer(text)]
    for match in _CHUNK.finditer(text):
        start, end = match.span()
        if any(a <= start < b for a, b in addresses):
            continue
        chunk = match.group()
        stripped = chunk.strip(_EDGES)
        if not stripped:
            continue
        start += len(chunk) - len(chunk.lstrip(_EDGES))
        end = start + len(stripped)
        if checkable(stripped):
            yield Span(start, end, stripped)


def checkable(word: str) -> bool:
    """Whether `word` looks like something a dictionary can judge."""
    if len(word) < 2 or len(word) > MAX_WORD_LENGTH or "_" in word:
        return False
    if any(c.isdigit() for c in word):
        return False  # case references, dates, S47, 2nd
    return not any(c.isupper() for c in word[1:])  # CAMHS, SENCo, iPad, McDonald


def word_at(text: str, position: int) -> Span | None:
    """The checkable word at or just before `position` (a right-click lands in or after one)."""
    for span in words_to_check(text):
        if span.start <= position <= span.end:
            return span
        if span.start > position:
            break
    return None


def normalised(word: str) -> str:
    """The word as dictionaries spell it: a typographic apostrophe as a plain one."""
    return word.replace("’", "'")
