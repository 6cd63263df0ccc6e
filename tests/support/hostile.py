"""Hostile input for the core: hypothesis settings and strategies, the one-sentence check,
and the helpers that build or spoil frameworks, bundles and files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import Phase
from hypothesis import strategies as st

from observer.errors import ObserverError
from observer.paths import FRAMEWORKS_DIR
from tests.support.fuzz import BUNDLE_VALUES, json_paths

# Each example draws its whole plan up front: with st.data(), Hypothesis 6.170 reported a
# failing example here as FlakyStrategyDefinition, hiding the failure. Explain is slow.
# Derandomised: the same examples on every run, so a landing never depends on luck; run
# without it locally to explore further.
FUZZ = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "phases": [Phase.explicit, Phase.generate, Phase.shrink],
}


def one_sentence(error: BaseException) -> str:
    """The error is one the user can act on, said in one short, plain line."""
    assert isinstance(error, ObserverError), repr(error)
    message = str(error)
    assert message.strip(), repr(error)
    assert "\n" not in message, message
    assert "\r" not in message, message
    assert len(message) < 400, message[:400]
    assert message.endswith("."), message
    assert not message.endswith(".."), message
    message.encode("utf-8")  # no lone surrogates: it can be printed and shown
    for internal in ("Traceback", " object at 0x", "UUID(", "datetime.", "Error:"):
        assert internal not in message, message
    # A bytes repr, b'…'; not the end of a quoted escape such as 'Zo\udceb'.
    assert not re.search(r"(?<![\w\\])b'", message), message
    return message


# Values no well-made file holds: too long, not text, not numbers, too many, too deep.
# Big values are drawn as the function that makes them, called once drawn (`made`): each
# example has its own, and a failing example's report stays short.
HUGE_TEXT = "x" * 10_000_000


def _many_standards() -> list[dict[str, str]]:
    return [{"code": "1", "title": "Relationships"} for _ in range(100_000)]


def _deeply_nested() -> list[Any]:
    value: list[Any] = []
    for _ in range(400):
        value = [value]
    return value


def _many_keys() -> dict[str, int]:
    return {str(n): n for n in range(10_000)}


def _ten_megabytes_of_text() -> str:
    return HUGE_TEXT


HOSTILE_VALUES = st.sampled_from(
    [
        _ten_megabytes_of_text,
        "\ud800",
        "Zo\udceb",
        "\x00",
        "line one\nline two",
        " ",
        "0" * 64,
        float("nan"),
        float("inf"),
        -float("inf"),
        1e308,
        10**100,
        -(2**63),
        2**63,
        True,
        _many_standards,
        _deeply_nested,
        _many_keys,
    ]
)


def made(value: Any) -> Any:
    return value() if callable(value) else value


VALUES = HOSTILE_VALUES | BUNDLE_VALUES


@dataclass(frozen=True)
class Change:
    """One change to a decoded document, drawn before the document is seen: at which place
    (an index, taken modulo the places there are), and what happens there."""

    place: int
    delete: bool
    new_field: str | None
    value: Any

    def apply(self, document: dict[str, Any]) -> None:
        if self.new_field is not None:  # a field the format does not have
            objects = every_object(document)
            objects[self.place % len(objects)][self.new_field] = made(self.value)
            return
        paths = json_paths(document)
        path = paths[self.place % len(paths)]
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        if isinstance(target, dict) and self.delete:
            del target[path[-1]]
        else:
            target[path[-1]] = made(self.value)


CHANGES = st.builds(
    Change,
    place=st.integers(0, 10**6),
    delete=st.booleans(),
    new_field=st.none() | st.sampled_from(["extra", "\ud800", "id2"]),
    value=VALUES,
)


def every_object(value: Any) -> list[dict[str, Any]]:
    """Every object in decoded JSON, outermost first."""
    found = [value] if isinstance(value, dict) else []
    children = value.values() if isinstance(value, dict) else value
    if isinstance(value, dict | list):
        for child in children:
            found += every_object(child)
    return found


def framework_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (FRAMEWORKS_DIR / "direct-work-practice.json").read_text(encoding="utf-8")
    )
    document["version"] = 99
    document["standards"] = document["standards"][:2]
    document["scale"] = {
        "levels": [{"code": "met", "label": "Met"}, {"code": "unmet", "label": "Not met"}],
        "not_observed": {"code": "unseen", "label": "Not seen"},
    }
    return document


def edited(content: bytes, how: str, at: int, size: int, new: bytes) -> bytes:
    edit = bytearray(content)
    at %= max(len(edit), 1)
    if how == "replace":
        edit[at : at + len(new)] = new
    elif how == "delete":
        del edit[at : at + size]
    elif how == "insert":
        edit[at:at] = new
    elif how == "repeat":
        edit[at:at] = edit[at : at + size]
    else:
        del edit[at:]  # "truncate"
    return bytes(edit)


def read_only(dbapi_connection: Any, _record: Any) -> None:
    """What SQLite says of a read-only file or folder (which chmod cannot make for root)."""
    dbapi_connection.execute("PRAGMA query_only = ON")
