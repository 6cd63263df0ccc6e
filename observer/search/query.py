"""What a user types into search, read as a query no database has seen: words (each must be
found), "phrases in quotes" and prefix* terms; what an index found for it (`IndexMatch`),
and the snippet a hit shows, with the words that matched marked. Pure: no store, no SQL.

Search text is personal data (it names what happened to a child): it is never logged.
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from observer.errors import InvalidInput
from observer.vocabulary import NARRATIVE_SECTIONS

MAX_QUERY_CHARS = 500
MAX_TERMS = 16
MIN_PREFIX = 3
ELLIPSIS = "…"

# Where a match can be, in the order a record reads; the index keeps one column for each.
FIELD_LABELS: dict[str, str] = {
    "focus": "Agreed focus",
    "others_present": "Who else was present",
    **NARRATIVE_SECTIONS,
    "evidence": "Evidence for a rating",
    "actions": "Agreed actions",
    "addenda": "Addendum",
}
SEARCHED_FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)

# Words so common that searching for them narrows nothing down but costs the most; they
# are left out of a search that has other words, never out of a phrase in quotes.
COMMON_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "had"),
        *("has", "have", "he", "her", "his", "i", "in", "is", "it", "its", "of", "on"),
        *("or", "she", "so", "that", "the", "their", "them", "they", "this", "to", "was"),
        *("were", "with", "s", "t"),  # "s" and "t" as in "child's" and "don't"
    }
)

_WORD = re.compile(r"[^\W_]+")
_QUOTED = re.compile(r'"([^"]*)"?')


@dataclass(frozen=True)
class Term:
    """One thing every hit must contain: a word, or a phrase's words in order. A prefix term
    matches any word starting with its last word."""

    words: tuple[str, ...]
    prefix: bool = False
    quoted: bool = False


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse_query(text: str) -> SearchQuery:
    """What the user asked for: words (all must be found), "phrases in quotes", prefix*.

    Anything else in the text (operators, brackets, stray quotes or stars) is read as the
    punctuation it looks like. Raises InvalidInput, with one sentence, for a search that
    cannot be run as typed; an empty query (nothing searchable) is not an error.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(f"A search can be at most {MAX_QUERY_CHARS} characters long.")
    terms: list[Term] = []
    position = 0
    for quoted in _QUOTED.finditer(text):
        terms += _bare_terms(text[position : quoted.start()])
        words = tuple(_WORD.findall(quoted.group(1)))
        ends_with_star = text[quoted.end() : quoted.end() + 1] == "*"
        if words:
            terms.append(Term(words, prefix=ends_with_star, quoted=True))
        position = quoted.end() + (1 if ends_with_star else 0)
    terms += _bare_terms(text[position:])
    terms = _without_common_words(_distinct(terms))
    if len(terms) > MAX_TERMS:
        raise InvalidInput(f"Search for at most {MAX_TERMS} words or phrases at a time.")
    for term in terms:
        if term.prefix and len(term.words[-1]) < MIN_PREFIX:
            raise InvalidInput(
                f"Type at least {MIN_PREFIX} letters before a * to find words that start with them."
            )
    return SearchQuery(tuple(terms))


def _bare_terms(text: str) -> list[Term]:
    terms: list[Term] = []
    for chunk in text.split():
        words = tuple(_WORD.findall(chunk))
        if words:
            # "child's" or "co-worker" is one term, as the index reads it: words in order.
            terms.append(Term(words, prefix=chunk.endswith("*")))
    return terms


def _distinct(terms: list[Term]) -> list[Term]:
    seen: set[tuple[tuple[str, ...], bool]] = set()
    kept: list[Term] = []
    for term in terms:
        key = (tuple(word.casefold() for word in term.words), term.prefix)
        if key not in seen:
            seen.add(key)
            kept.append(term)
    return kept


def _is_common(term: Term) -> bool:
    return (
        not term.quoted
        and not term.prefix
        and len(term.words) == 1
        and term.words[0].casefold() in COMMON_WORDS
    )


def _without_common_words(terms: list[Term]) -> list[Term]:
    specific = [term for term in terms if not _is_common(term)]
    return specific or terms


@dataclass(frozen=True)
class Snippet:
    """A few words of a field around the match. `highlights` are [start, end) offsets into
    `text` of the words that matched, for showing in bold (escape the text first) or not
    at all; "…" marks where the field goes on."""

    text: str
    highlights: tuple[tuple[int, int], ...]

    def marked(self, before: str, after: str) -> str:
        """The text with `before` and `after` round each match (for plain-text output)."""
        parts: list[str] = []
        position = 0
        for start, end in self.highlights:
            parts += [self.text[position:start], before, self.text[start:end], after]
            position = end
        parts.append(self.text[position:])
        return "".join(parts)


def parse_marked(marked: str, opening: str, closing: str) -> Snippet:
    """Reads a snippet whose matches are wrapped in `opening`/`closing` markers, collapsing
    runs of white space (a snippet is one line). Stray or unbalanced markers are dropped."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    inside = False
    start: int | None = None
    length = 0
    space_pending = False
    for piece in _markers(opening, closing).split(marked):
        if piece == opening:
            inside = True
        elif piece == closing:
            if start is not None:
                spans.append((start, length))
            inside, start = False, None
        elif words := " ".join(piece.split()):
            if (space_pending or piece[0].isspace()) and length:
                text.append(" ")
                length += 1
            if inside and start is None:
                start = length
            text.append(words)
            length += len(words)
            space_pending = piece[-1].isspace()
        elif piece:
            space_pending = True
    if start is not None:
        spans.append((start, length))
    return Snippet("".join(text), _merged(spans))


@functools.cache
def _markers(opening: str, closing: str) -> re.Pattern[str]:
    return re.compile(f"({re.escape(opening)}|{re.escape(closing)})")


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def snippet_core(snippet: Snippet) -> str:
    """The snippet's words without the ellipses an index put round them."""
    return snippet.text.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS).strip()


@dataclass(frozen=True)
class IndexMatch:
    """One observation an index found: its score (higher is better), the best snippet and
    the field it is from, and what a hit shows of the record, read in the same pass:
    `standard` names the standard whose evidence holds the snippet, when it is evidence."""

    observation_id: uuid.UUID
    score: float
    field: str
    snippet: Snippet
    worker: str
    observer: str
    observed_at: datetime
    kind: str
    status: str
    standard: str | None = None
