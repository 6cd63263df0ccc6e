"""Properties of the merge rules over random edits on two laptops: where the rules say the
order of arrival must not matter, it does not; and no word anyone typed is lost (it is in
the record, an addendum or a conflict)."""

from __future__ import annotations

import itertools
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from observer.conflicts.rules import Merged, merge_observation
from tests.observer.conflicts.states import NOW, draft, edited, progressed, rated, signed

FIELDS = ("strengths", "child_voice", "reflection", "overall_rationale")
LEVELS = (None, "good", "outstanding", "requires_improvement")
_words = itertools.count()
# "w1x" stands inside "unw1x" as "happy" does inside "unhappy": kept only as part of a word.
ECHOES = ("w1x", "unw1x", "w1x w2x", "unw1x w2x")


def _word() -> str:
    return f"w{next(_words)}x"


@st.composite
def laptop_edits(draw: st.DrawFn, base: dict[str, Any], side: int) -> dict[str, Any]:
    """One laptop's edits of the shared record: typing, ratings, progress, a sign-off."""
    record = base
    for _ in range(draw(st.integers(0, 4))):
        what = draw(st.sampled_from(("append", "replace", "echo", "echo", "rate", "progress")))
        name = draw(st.sampled_from(FIELDS))
        if what == "append":
            record = edited(record, side, **{name: f"{record[name]} {_word()}".strip()})
        elif what == "replace":
            record = edited(record, side, **{name: f"{_word()} {_word()}"})
        elif what == "echo":  # a word both laptops may type, alone or inside a longer one
            record = edited(record, side, **{name: draw(st.sampled_from(ECHOES))})
        elif what == "rate":
            record = rated(
                record, draw(st.sampled_from(("S1", "S2"))), draw(st.sampled_from(LEVELS))
            )
        else:
            record = progressed(record, draw(st.sampled_from(("open", "done"))), f"L{side}", side)
    if draw(st.booleans()) and draw(st.booleans()):
        record = signed(record, ident=100 * (side + 1))
    return record


def _words_in(value: Any) -> set[str]:
    return set(re.findall(r"(?<![A-Za-z0-9_])(?:un)?w\d+x(?![A-Za-z0-9_])", repr(value)))


def _typed(record: dict[str, Any]) -> set[str]:
    return _words_in([record[name] for name in FIELDS])


def _kept(result: Merged) -> set[str]:
    record = result.record or {}
    return _words_in([record.get(n) for n in FIELDS]) | _words_in(
        [(c.here, c.incoming) for c in result.conflicts]
    )


def _content(result: Merged) -> Any:
    record = result.record
    assert record is not None
    return (
        [record[n] for n in FIELDS],
        sorted((r["standard"], r["level"]) for r in record["ratings"]),
        record["status"],
        sorted(str(s["id"]) for s in record["signatures"]),
    )


@settings(max_examples=300, deadline=None)
@given(data=st.data(), base_known=st.booleans())
def test_merging_keeps_every_typed_word_and_the_order_of_arrival_does_not_matter(
    data: st.DataObject, base_known: bool
) -> None:
    base = draft()
    one = data.draw(laptop_edits(base, 1))
    other = data.draw(laptop_edits(base, 2))
    both_signed = one["signatures"] and other["signatures"]
    if both_signed:  # two sign-offs of different content cannot both be real
        return
    shared = base if base_known else None

    first = merge_observation(shared, one, other, now=NOW)
    second = merge_observation(shared, other, one, now=NOW)

    for result in (first, second):
        assert _typed(one) | _typed(other) <= _kept(result)
    if one["signatures"] or other["signatures"]:
        signed_side = one if one["signatures"] else other
        for result in (first, second):
            assert result.record is not None
            assert [result.record[n] for n in FIELDS] == [signed_side[n] for n in FIELDS]
    if one["revision"] != other["revision"]:
        assert _content(first) == _content(second)
