"""The canonical content of an observation, whose SHA-256 each signature records.

The content is the observation as the bundle writes it (docs/bundle-format.md), less what
changes without changing what was observed or judged: record bookkeeping (timestamps,
revisions), the status, signatures, addenda, and the progress of agreed actions. It is
serialised as JSON with sorted keys, no insignificant whitespace, and text as UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

BOOKKEEPING = frozenset({"created_at", "updated_at", "revision"})
NOT_CONTENT = BOOKKEEPING | {"signatures", "addenda", "status"}
# An agreed action is signed; its later completion is progress, not a change to the record.
ACTION_PROGRESS = BOOKKEEPING | {"status", "done_at", "done_by"}


def canonical_content(observation: dict[str, Any]) -> bytes:
    content = {k: v for k, v in observation.items() if k not in NOT_CONTENT}
    if content.get("shown_at_signing") is None:
        # A record not yet signed shows today's names; absent and null hash alike.
        content.pop("shown_at_signing", None)
    content["ratings"] = [
        {k: v for k, v in item.items() if k not in BOOKKEEPING}
        for item in observation.get("ratings", [])
    ]
    content["actions"] = [
        {k: v for k, v in item.items() if k not in ACTION_PROGRESS}
        for item in observation.get("actions", [])
    ]
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(observation: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_content(observation)).hexdigest()
