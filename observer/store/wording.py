"""How a signed record's wording at signing is stored: once per distinct framework wording.

`Observation.wording_at_signing` is the names the record showed (its `shown_at_signing`)
followed by every standard's title and level's label. Kept whole on each record, the titles
and labels were the same few hundred bytes written tens of thousands of times, and made each
record too large to share a page with another (migration 0011). So the record keeps:

- `wording_digest`: the SHA-256 of its framework part, which `signing_wordings` holds once;
- `wording_names`: its names part, or NULL when that is exactly its `shown_at_signing`.

The ORM and every caller still see the same dict, keys in the same order, so every hash
over it (observer.records.seals) is unchanged. The digest is taken over the part as written,
key order included, so two records share a row only when their parts are identical.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import JSON, Connection, String, column, insert, select, table
from sqlalchemy.orm import Session

# The keys of the wording that come from the framework, at the end of the dict.
FRAMEWORK_KEYS = ("standards", "levels")


def compact_json(value: Any) -> str:
    """JSON as the store keeps it: UTF-8 text, no escapes for letters, no padding."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def split(wording: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The names part and the framework part of a wording. A wording whose framework part
    is not its last keys (none written by this app) is kept whole as its names part."""
    if wording is None:
        return None, None
    keys = list(wording)
    tail = [key for key in keys if key in FRAMEWORK_KEYS]
    if not tail or keys[len(keys) - len(tail) :] != tail:
        return dict(wording), None
    names = {key: wording[key] for key in keys[: len(keys) - len(tail)]}
    return names, {key: wording[key] for key in tail}


def same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Equal, key order included (the order a bundle writes them in)."""
    if a is None or b is None:
        return a is b
    return compact_json(a) == compact_json(b)


def digest_of(framework: dict[str, Any]) -> str:
    return hashlib.sha256(compact_json(framework).encode()).hexdigest()


def stored_columns(
    wording: dict[str, Any] | None, shown: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The observation's columns for `wording` (see the module docstring), and its framework
    part, which must then be kept with `keep`."""
    names, framework = split(wording)
    if framework is None:
        return {"wording_names": names, "wording_digest": None}, None
    columns = {
        "wording_names": None if same(names, shown) else names,
        "wording_digest": digest_of(framework),
    }
    return columns, framework


def joined(
    names: dict[str, Any] | None, shown: dict[str, Any] | None, framework: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The wording from its stored parts."""
    if framework is None:
        return None if names is None else dict(names)
    own = names if names is not None else (shown or {})
    return {**own, **json.loads(compact_json(framework))}


# The table `observer.store.models.SigningWording` maps, as much of it as keeping needs.
_wordings = table("signing_wordings", column("digest", String), column("wording", JSON))


def keep(connection: Connection | Session, frameworks: dict[str, dict[str, Any]]) -> None:
    """Makes sure `signing_wordings` holds each framework wording, by its digest."""
    if not frameworks:
        return
    wanted = sorted(frameworks)
    found = connection.execute(select(_wordings.c.digest).where(_wordings.c.digest.in_(wanted)))
    present = set(found.scalars())
    missing = [{"digest": d, "wording": frameworks[d]} for d in wanted if d not in present]
    if missing:
        connection.execute(insert(_wordings), missing)
