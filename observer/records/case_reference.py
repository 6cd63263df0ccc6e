"""Warnings for case references that look like a child's name or NHS number.

A case reference must be pseudonymous: records travel onto supervision files and PDFs,
and a name or NHS number would identify the child. These are warnings, never refusals,
because a reference can look like a name by chance.
"""

from __future__ import annotations

import re

NAME_WARNING = (
    "This looks like a person's name: use a pseudonymous reference such as the case "
    "number, never a child's name."
)
NHS_NUMBER_WARNING = "This looks like an NHS number: use a pseudonymous case reference instead."

_NHS_NUMBER = re.compile(r"(?<!\d)(\d{3})([ -]?)(\d{3})\2(\d{4})(?!\d)")
_NAME_JOINERS = "-'’"


def case_reference_warning(text: str) -> str | None:
    """One sentence saying why `text` may identify someone, or None when it looks safe."""
    if any(is_nhs_number("".join(m.group(1, 3, 4))) for m in _NHS_NUMBER.finditer(text)):
        return NHS_NUMBER_WARNING
    if _looks_like_full_name(text):
        return NAME_WARNING
    return None


def is_nhs_number(digits: str) -> bool:
    """Ten digits whose last is the modulus-11 check digit of the first nine."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _looks_like_full_name(text: str) -> bool:
    words = text.split()
    return len(words) >= 2 and all(_is_name_word(word) for word in words)


def _is_name_word(word: str) -> bool:
    """A capitalised word of letters, perhaps joined by hyphens or apostrophes: O'Neil."""
    if not word[0].isupper() or word[-1] in _NAME_JOINERS:
        return False
    return all(c.isalpha() or c in _NAME_JOINERS for c in word)
