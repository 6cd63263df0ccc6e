"""The system's British English dictionary, opened read-only through Enchant.

Enchant (the C library, through pyenchant) picks the Hunspell en_GB dictionary Debian's
hunspell-en-gb installs. It is only ever asked whether a word is known and what it might
be instead: words the user adds are kept by the caller in the encrypted store, never
written to Enchant's own word lists in the home folder. When the library or the dictionary
is missing the caller gets None, and narrative is simply not underlined.
"""

from __future__ import annotations

import logging
from typing import Protocol

from observer.paths import RESOURCES_DIR

log = logging.getLogger(__name__)

LANGUAGE = "en_GB"
# Words of children's social care that the general dictionary lacks (wellbeing, genogram):
# without them nearly every record would show a false alarm.
PRACTICE_WORDS = RESOURCES_DIR / "spelling" / "practice-words.txt"


class Dictionary(Protocol):
    def check(self, word: str) -> bool: ...

    def suggest(self, word: str) -> list[str]: ...


def load_british_english() -> Dictionary | None:
    """Enchant's en_GB dictionary, or None (logged, without any text) when there is none."""
    try:
        import enchant
    except (ImportError, OSError) as error:
        log.warning("spell-checking is off: the Enchant library is missing (%s)", _kind(error))
        return None
    try:
        found: Dictionary = enchant.Dict(LANGUAGE)
    except enchant.errors.Error as error:
        log.warning("spell-checking is off: no British English dictionary (%s)", _kind(error))
        return None
    return found


def practice_words() -> frozenset[str]:
    """The shipped words of practice, one a line; none when the file cannot be read."""
    try:
        text = PRACTICE_WORDS.read_text(encoding="utf-8")
    except OSError as error:
        log.warning("the shipped practice words could not be read (%s)", _kind(error))
        return frozenset()
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _kind(error: BaseException) -> str:
    # The exception's type only: its message could quote a word being checked.
    return type(error).__name__
