"""Hypothesis strategies and JSON surgery for the tests that feed the core hostile input."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path into decoded JSON, for spoiling one field at a time."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += json_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += json_paths(child, (*prefix, index))
    return found


def spoil(data: st.DataObject, document: Any, path: tuple[Any, ...], values: Any) -> None:
    """Deletes the field at `path`, or puts a drawn JSON value there."""
    target = document
    for step in path[:-1]:
        target = target[step]
    if isinstance(target, dict) and data.draw(st.booleans(), label="delete"):
        del target[path[-1]]
    else:
        target[path[-1]] = data.draw(values, label="value")


def _aware_times() -> st.SearchStrategy[str]:
    offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
    return st.datetimes(timezones=offsets).map(datetime.isoformat)


PLAUSIBLE = (
    st.uuids().map(str)
    | st.dates().map(date.isoformat)
    | _aware_times()
    | st.sampled_from(["good", "1", "99", "direct_work", "signed", "open", "observer", "asye", ""])
    | st.integers(-2, 3)
    | st.integers(2**31 - 1, 2**70)
)
# Decoded JSON values, often of the kinds a bundle's fields hold.
BUNDLE_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | PLAUSIBLE,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
