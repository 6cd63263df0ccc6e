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
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# A run of letters, digits, apostrophes and hyphens: one candidate, checked or skipped whole.
_CHUNK = re.compile(r"[\w'’\-]+")
_ADDRESS = re.compile(r"(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
_EDGES = "'’-_"
_DIGIT = re.compile(r"\d")
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
    if _DIGIT.search(word):
        return False  # case references, dates, S47, 2nd
    rest = word[1:]
    return rest == rest.lower()  # not CAMHS, SENCo, iPad, McDonald


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


def edited_region(before: str, after: str) -> tuple[int, int, int]:
    """Where `after` differs from `before`, widened to whole whitespace-separated runs (no
    word or address crosses whitespace): (start, end in `before`, end in `after`).
    Everything before `start` is the same in both, and so is all after the two ends."""
    shortest = min(len(before), len(after))
    prefix = _longest(lambda n: before[:n] == after[:n], shortest)
    suffix = _longest(
        lambda n: before[len(before) - n :] == after[len(after) - n :], shortest - prefix
    )
    start = prefix
    while start > 0 and not after[start - 1].isspace():
        start -= 1
    end = len(after) - suffix
    while end < len(after) and not after[end].isspace():
        end += 1
    return start, end - (len(after) - len(before)), end


def _longest(holds: Callable[[int], bool], most: int) -> int:
    """The largest n <= `most` for which `holds(n)`, which holds up to some n and not after:
    a binary search of string slices, so a long paragraph is compared in C, not by letter."""
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if holds(middle):
            low = middle
        else:
            high = middle - 1
    return low
