"""The conflict rules: one observation as this store holds it and as it arrives from
elsewhere (and, when known, as both last shared it) merged into one record, with the list
of what could not be merged without someone's say.

Pure functions over record states: no database, no clock, no Qt. A record is a mapping in
the bundle's observation shape (docs/bundle-format.md) as `observer.bundle.reader` checks
it; the bundle importer and the team server both call `merge_observation`.

The rules (issue 16):
- different fields never conflict;
- the same text changed on both sides keeps both people's words (the editor's rule,
  `observer.text.merge_text`), recorded so either can tidy it;
- the same rating or other value changed on both sides: the later change wins (the higher
  revision; at equal revisions the incoming one) and a conflict keeps both values;
- a signature made in the room is never undone: an unsigned edit of a record signed on the
  other side is set aside as a conflict (to become an addendum), whichever arrives first;
- signatures and addenda are append-only sets, joined by id;
- a draft deleted on one side and edited on the other comes back;
- action progress changed on both sides: the later wins and the other is kept in a conflict.

Without a common base every value where the two sides differ counts as changed on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from observer.records.fields import TEXT_FIELDS, text_limit
from observer.text import merge_text

Record = Mapping[str, Any]

# Values of an observation other than its text; the first three no editor changes.
VALUE_FIELDS = (
    "framework",
    "observed_person_id",
    "observer_id",
    "kind",
    "observed_at",
    "duration_minutes",
    "family_present",
    "overall_level",
)
SIGNING_FIELDS = ("shown_at_signing", "wording_at_signing")
BOOKKEEPING = ("created_at", "updated_at", "revision")
STATUS_ORDER = {"draft": 0, "ready": 1, "signed": 2}
MAX_REVISION = 2**63 - 1
# Action fields as the editor names its targets (observer.records.merge.Change).
ACTION_PARTS = {"description": "description", "owner": "owner_id", "due": "due_date"}
ACTION_VALUES = ("position", "standards")
PROGRESS = ("status", "done_at", "done_by")


class Side(StrEnum):
    HERE = "here"
    INCOMING = "incoming"
    BOTH = "both"


class ConflictKind(StrEnum):
    VALUE = "value"  # one value changed on both sides: the later kept, the other listed
    TEXT = "text"  # one text changed on both sides: both people's words kept
    SET_ASIDE = "set_aside"  # an unsigned edit of a record signed on the other side
    PROGRESS = "progress"  # an action's progress changed on both sides


class Outcome(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    RESTORED = "restored"  # deleted here, edited elsewhere: it comes back
    STAYS_DELETED = "stays_deleted"  # deleted here, and unchanged elsewhere since shared


@dataclass(frozen=True)
class Conflict:
    """What could not be merged without someone's say. `target` names the field as the
    editor does ("strengths", "rating:CODE:level", "action:ID:owner"), or "record" for an
    edit set aside; `here` and `incoming` hold each side's value (for a set-aside edit, a
    mapping of target to value on each side); `kept` says whose value the record holds."""

    kind: ConflictKind
    target: str
    here: Any
    incoming: Any
    kept: Side


@dataclass(frozen=True)
class Merged:
    """The record to keep (None: none), how it came about, what needs someone's say, and
    whether the store must write it (False when it keeps what it holds)."""

    record: dict[str, Any] | None
    outcome: Outcome
    conflicts: tuple[Conflict, ...] = ()
    writes: bool = True


class SignedContentDiffers(Exception):
    """Both sides are signed, with different content: one of them is not what was signed."""


_MISSING = object()


def merge_observation(
    base: Record | None,
    here: Record | None,
    incoming: Record | None,
    *,
    now: datetime,
    deleted_here: bool = False,
) -> Merged:
    """`here` and `incoming` merged by the rules above. `base` is the state both last shared
    (None when unknown); `deleted_here` says `here` is None because this store deleted it;
    `now` dates a merged record that neither side holds."""
    if incoming is None:
        if here is None:
            raise ValueError("nothing to merge")
        return Merged(dict(here), Outcome.UNCHANGED, writes=False)
    if here is None:
        if not deleted_here:
            return Merged(dict(incoming), Outcome.ADDED)
        if base is not None and _flat(incoming) == _flat(base):
            return Merged(None, Outcome.STAYS_DELETED, writes=False)
        return Merged(dict(incoming), Outcome.RESTORED)
    if _signed(here) or _signed(incoming):
        merged, conflicts = _merge_signed(base, here, incoming)
    else:
        merged, conflicts = _merge_unsigned(base, here, incoming)
    if _essence(merged) == _essence(here):
        outcome = Outcome.MERGED if conflicts else Outcome.UNCHANGED
        return Merged(dict(here), outcome, tuple(conflicts), writes=False)
    if _essence(merged) == _essence(incoming):
        outcome = Outcome.MERGED if conflicts else Outcome.UPDATED
        return Merged(dict(incoming), outcome, tuple(conflicts))
    latest = max(here["revision"], incoming["revision"])
    merged["revision"] = min(latest + 1, MAX_REVISION)
    merged["updated_at"] = now
    return Merged(merged, Outcome.MERGED, tuple(conflicts))


# Records as flat maps of target to value, so that every rule is one loop.


def _signed(record: Record) -> bool:
    return bool(record.get("signatures"))


def _flat(record: Record, *, progress: bool = False) -> dict[str, Any]:
    """The record's content by target; with `progress`, its actions' progress too."""
    out: dict[str, Any] = {name: record.get(name) for name in VALUE_FIELDS}
    out.update({name: record.get(name) or "" for name in TEXT_FIELDS})
    for rating in record.get("ratings", ()):
        out[f"rating:{rating['standard']}:level"] = rating.get("level")
        out[f"rating:{rating['standard']}:evidence"] = rating.get("evidence") or ""
    for action in record.get("actions", ()):
        key = f"action:{action['id']}"
        for part, name in ACTION_PARTS.items():
            out[f"{key}:{part}"] = action.get(name)
        for name in ACTION_VALUES:
            out[f"{key}:{name}"] = _frozen(action.get(name))
        if progress:
            out[f"{key}:progress"] = tuple(action.get(name) for name in PROGRESS)
    return out


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _essence(record: Record) -> tuple[Any, ...]:
    """All a store keeps of a record but its bookkeeping."""
    return (
        _flat(record, progress=True),
        record.get("status"),
        tuple(record.get(name) for name in SIGNING_FIELDS),
        frozenset(str(s["id"]) for s in record.get("signatures", ())),
        frozenset(str(a["id"]) for a in record.get("addenda", ())),
    )


def _is_text(target: str) -> bool:
    return target in TEXT_FIELDS or target.endswith((":evidence", ":description"))


def _limit(target: str) -> int:
    return text_limit(target) if target in TEXT_FIELDS else text_limit("evidence")


def _later(here: Record, incoming: Record) -> Side:
    return Side.HERE if here["revision"] > incoming["revision"] else Side.INCOMING


def _in_order(here: Record, incoming: Record, mine: str, theirs: str) -> tuple[str, str]:
    """The two texts, the earlier change first, whichever side this store is on."""
    key_here = (here["revision"], _moment(here), mine)
    key_incoming = (incoming["revision"], _moment(incoming), theirs)
    return (mine, theirs) if key_here <= key_incoming else (theirs, mine)


def _moment(record: Record) -> str:
    value = record.get("updated_at")
    return value.isoformat() if isinstance(value, datetime) else str(value or "")


def _shared_start(first: str, second: str) -> str:
    """Without a base, the start both texts agree on, back to a word's end."""
    length = next(
        (n for n, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )
    start = first[:length]
    if start in (first, second):
        return start
    cut = max(start.rfind(c) for c in " \n\t")
    return start[: cut + 1] if cut >= 0 else ""


def _both_words(base: Any, first: str, second: str) -> str:
    # One side's whole text standing as whole words in the other's is already kept there;
    # inside a word ("happy" in "unhappy") it is not.
    if _holds_whole(first, second):
        return first
    if _holds_whole(second, first):
        return second
    shared = base if isinstance(base, str) else _shared_start(first, second)
    return merge_text(shared, first, second)


def _holds_whole(text: str, words: str) -> bool:
    wanted = words.strip()
    return bool(wanted) and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", text) is not None


def _merge_unsigned(
    base: Record | None, here: Record, incoming: Record
) -> tuple[dict[str, Any], list[Conflict]]:
    mine, theirs = _flat(here, progress=True), _flat(incoming, progress=True)
    known = None if base is None else _flat(base, progress=True)
    later = _later(here, incoming)
    values: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for target in _targets(mine, theirs):
        if not _present(target, mine, theirs, known):
            continue
        h, i = mine.get(target, _MISSING), theirs.get(target, _MISSING)
        b = _MISSING if known is None else known.get(target, _MISSING)
        if h == i or i is _MISSING:
            values[target] = h
        elif h is _MISSING or (known is not None and h == b):
            values[target] = i
        elif known is not None and i == b:
            values[target] = h
        elif _is_text(target):
            first, second = _in_order(here, incoming, h, i)
            together = _both_words(b, first, second)
            if len(together) > _limit(target):  # too long for both: the later, and a conflict
                values[target] = h if later is Side.HERE else i
                conflicts.append(Conflict(ConflictKind.TEXT, target, h, i, later))
            else:
                values[target] = together
                # Listed, so either person can tidy the text, or see that theirs is in it,
                # whenever both wrote something (an empty side changed nothing to show).
                if together not in (h, i) or (str(h).strip() and str(i).strip()):
                    conflicts.append(Conflict(ConflictKind.TEXT, target, h, i, Side.BOTH))
        else:
            values[target] = h if later is Side.HERE else i
            if not target.endswith(":progress"):
                conflicts.append(Conflict(ConflictKind.VALUE, target, h, i, later))
            elif known is not None or not (_untouched(h) or _untouched(i)):
                conflicts.append(
                    Conflict(ConflictKind.PROGRESS, target, _thawed(h), _thawed(i), later)
                )
    frame = here if later is Side.HERE else incoming
    record = _rebuild(frame, here, incoming, values)
    record["status"] = _status(base, here, incoming, later)
    return record, conflicts


def _thawed(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _targets(*maps: Mapping[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for m in maps:
        seen.update(dict.fromkeys(m))
    return list(seen)


def _owner(target: str) -> str | None:
    """The rating or action a target belongs to ("rating:CODE", "action:ID"), or None."""
    if target.startswith(("rating:", "action:")):
        return target.rsplit(":", 1)[0]
    return None


def _present(
    target: str,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    known: Mapping[str, Any] | None,
) -> bool:
    """Whether the rating or action `target` belongs to stays: kept when both sides hold
    it, or when one side added it or changed it (nothing typed is lost); gone when one side
    removed it and the other left it as both last shared it."""
    owner = _owner(target)
    if owner is None or (target in mine and target in theirs):
        return True
    holder = mine if target in mine else theirs
    if known is None or target not in known:
        return True
    parts = [t for t in holder if _owner(t) == owner]
    return any(holder[t] != known.get(t, _MISSING) for t in parts)


def _status(base: Record | None, here: Record, incoming: Record, later: Side) -> str:
    h, i = here.get("status", "draft"), incoming.get("status", "draft")
    if h == i:
        return str(h)
    if base is not None and base.get("status") == h:
        return str(i)
    if base is not None and base.get("status") == i:
        return str(h)
    return str(h if later is Side.HERE else i)


def _merge_signed(
    base: Record | None, here: Record, incoming: Record
) -> tuple[dict[str, Any], list[Conflict]]:
    """Either side signed: the signed content stands; an unsigned edit is set aside."""
    if _signed(here) and _signed(incoming):
        if _flat(here) != _flat(incoming) or here.get("shown_at_signing") != incoming.get(
            "shown_at_signing"
        ):
            raise SignedContentDiffers("both sides are signed, with different content")
        signed, other, signed_side = here, incoming, Side.HERE
    elif _signed(here):
        signed, other, signed_side = here, incoming, Side.HERE
    else:
        signed, other, signed_side = incoming, here, Side.INCOMING
    conflicts: list[Conflict] = []
    if not _signed(other):
        edit = _edit_of(base, other, signed)
        if edit:
            from_edit = {t: _thawed(other_value) for t, other_value in edit.items()}
            from_signed = {t: _thawed(_flat(signed).get(t)) for t in edit}
            mine, theirs = (
                (from_signed, from_edit) if signed_side is Side.HERE else (from_edit, from_signed)
            )
            conflicts.append(Conflict(ConflictKind.SET_ASIDE, "record", mine, theirs, signed_side))
    values = _flat(signed)
    progress, progress_conflicts = _merged_progress(base, here, incoming, set(values))
    conflicts += progress_conflicts
    values.update(progress)
    record = _rebuild(signed, here, incoming, values)
    record["status"] = max(
        (here.get("status", "draft"), incoming.get("status", "draft")),
        key=lambda s: STATUS_ORDER.get(str(s), 0),
    )
    for name in SIGNING_FIELDS:
        record[name] = signed.get(name) if signed.get(name) is not None else other.get(name)
    record["signatures"] = _union(here.get("signatures", ()), incoming.get("signatures", ()))
    record["addenda"] = _union(here.get("addenda", ()), incoming.get("addenda", ()))
    return record, conflicts


def _edit_of(base: Record | None, unsigned: Record, signed: Record) -> dict[str, Any]:
    """What the unsigned side changed that the signed content does not hold: against the
    shared base when known, else every difference. A removal is there as None."""
    theirs, kept = _flat(unsigned), _flat(signed)
    known = None if base is None else _flat(base)
    edit: dict[str, Any] = {}
    for target in _targets(theirs, kept):
        value = theirs.get(target, _MISSING)
        if value == kept.get(target, _MISSING):
            continue
        if known is not None and value == known.get(target, _MISSING):
            continue
        edit[target] = None if value is _MISSING else value
    return edit


def _merged_progress(
    base: Record | None, here: Record, incoming: Record, targets: set[str]
) -> tuple[dict[str, Any], list[Conflict]]:
    """Action progress is not signed content: it moves on after signing, from either side."""
    mine, theirs = _flat(here, progress=True), _flat(incoming, progress=True)
    known = None if base is None else _flat(base, progress=True)
    later = _later(here, incoming)
    values: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for target in _targets(mine, theirs):
        owner = _owner(target)
        if not target.endswith(":progress") or f"{owner}:description" not in targets:
            continue
        h, i = mine.get(target, _MISSING), theirs.get(target, _MISSING)
        b = _MISSING if known is None else known.get(target, _MISSING)
        if h == i or i is _MISSING:
            values[target] = h
        elif h is _MISSING or h == b:
            values[target] = i
        elif i == b:
            values[target] = h
        else:
            values[target] = h if later is Side.HERE else i
            if known is not None or not (_untouched(h) or _untouched(i)):
                conflicts.append(
                    Conflict(ConflictKind.PROGRESS, target, _thawed(h), _thawed(i), later)
                )
    return values, conflicts


def _untouched(progress: Any) -> bool:
    """An action as agreed, never marked done: without a base, the other side's progress
    is then simply newer, not a conflict."""
    return progress is _MISSING or (progress[0] == "open" and progress[1] is None)


def _union(mine: Iterable[Record], theirs: Iterable[Record]) -> list[dict[str, Any]]:
    """Signatures or addenda of both sides, each once (this store's copy where both hold it)."""
    joined = {str(e["id"]): dict(e) for e in theirs}
    joined.update({str(e["id"]): dict(e) for e in mine})
    return sorted(joined.values(), key=lambda e: (str(e.get("signed_at")), str(e["id"])))


def _rebuild(
    frame: Record, here: Record, incoming: Record, values: Mapping[str, Any]
) -> dict[str, Any]:
    """A record in the bundle's shape holding `values`, its bookkeeping from `frame`."""
    record = dict(frame)
    for name in VALUE_FIELDS:
        record[name] = values.get(name)
    for name in TEXT_FIELDS:
        record[name] = values.get(name, "")
    record["ratings"] = _ratings(frame, here, incoming, values)
    record["actions"] = _actions(frame, here, incoming, values)
    record.setdefault("signatures", [])
    record.setdefault("addenda", [])
    return record


def _ratings(
    frame: Record, here: Record, incoming: Record, values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    copies: dict[str, list[Record]] = {}
    for record in (frame, here, incoming):
        for rating in record.get("ratings", ()):
            copies.setdefault(rating["standard"], []).append(rating)
    out = []
    for code, found in copies.items():
        if f"rating:{code}:level" not in values:
            continue
        rating = dict(found[0])
        if not frame.get("signatures"):
            # Two laptops that each rated a standard first gave it two ids; every store
            # keeps one. A signed record keeps its own: its ids are part of what was signed.
            rating["id"] = min((r["id"] for r in found), key=str)
        rating["level"] = values[f"rating:{code}:level"]
        rating["evidence"] = values[f"rating:{code}:evidence"]
        out.append(rating)
    return out


def _actions(
    frame: Record, here: Record, incoming: Record, values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    copies: dict[str, Record] = {}
    for record in (incoming, here, frame):
        copies.update({str(a["id"]): a for a in record.get("actions", ())})
    out = []
    for key, action in copies.items():
        target = f"action:{key}"
        if f"{target}:description" not in values:
            continue
        merged = dict(action)
        for part, name in ACTION_PARTS.items():
            merged[name] = values[f"{target}:{part}"]
        for name in ACTION_VALUES:
            merged[name] = _thawed(values[f"{target}:{name}"])
        progress = values.get(f"{target}:progress")
        if progress is not None:
            merged.update(zip(PROGRESS, progress, strict=True))
        out.append(merged)
    return sorted(out, key=lambda a: (a.get("position", 0), str(a["id"])))
