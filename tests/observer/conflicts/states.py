"""Observation states in the bundle reader's shape, for the merge rules' tests."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

RECORD = uuid.UUID("00000000-0000-4000-8000-000000000001")
WORKER = uuid.UUID("00000000-0000-4000-8000-000000000002")
LEAD = uuid.UUID("00000000-0000-4000-8000-000000000003")
ACTION = uuid.UUID("00000000-0000-4000-8000-000000000004")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _bookkeeping(ident: uuid.UUID, revision: int = 5) -> dict[str, Any]:
    return {"id": ident, "created_at": T0, "updated_at": T0, "revision": revision}


def draft(revision: int = 5) -> dict[str, Any]:
    """A draft as two laptops both hold it at `revision`."""
    return {
        **_bookkeeping(RECORD, revision),
        "framework": ("pcf", 1),
        "observed_person_id": WORKER,
        "observer_id": LEAD,
        "kind": "home_visit",
        "observed_at": T0,
        "duration_minutes": 60,
        "family_present": False,
        "status": "draft",
        "overall_level": None,
        "case_reference": "CR-101",
        "others_present": "",
        "consent_given_by": "",
        "consent_how": "",
        "focus": "Planning with the family.",
        "strengths": "Warm and clear.",
        "development_areas": "",
        "child_voice": "",
        "family_feedback": "",
        "reflection": "",
        "overall_rationale": "",
        "shown_at_signing": None,
        "wording_at_signing": None,
        "ratings": [
            {**_bookkeeping(uuid.UUID(int=10 + n)), "standard": code, "level": None, "evidence": ""}
            for n, code in enumerate(("S1", "S2"))
        ],
        "actions": [
            {
                **_bookkeeping(ACTION),
                "description": "Read the plan with the family.",
                "owner_id": WORKER,
                "due_date": None,
                "status": "open",
                "done_at": None,
                "done_by": "",
                "position": 0,
                "standards": ["S1"],
            }
        ],
        "signatures": [],
        "addenda": [],
    }


def edited(record: dict[str, Any], minutes: int = 1, **fields: Any) -> dict[str, Any]:
    """The record after one save: the next revision, `fields` changed."""
    copied = copy.deepcopy(record)
    copied.update(fields)
    copied["revision"] = record["revision"] + 1
    copied["updated_at"] = record["updated_at"] + timedelta(minutes=minutes)
    return copied


def rated(record: dict[str, Any], code: str, level: str | None, minutes: int = 1) -> dict[str, Any]:
    copied = edited(record, minutes)
    for rating in copied["ratings"]:
        if rating["standard"] == code:
            rating["level"] = level
    return copied


def progressed(record: dict[str, Any], status: str, by: str, minutes: int = 1) -> dict[str, Any]:
    copied = edited(record, minutes)
    for action in copied["actions"]:
        action["status"] = status
        action["done_at"] = T0 + timedelta(days=minutes) if status == "done" else None
        action["done_by"] = by if status == "done" else ""
    return copied


def signed(record: dict[str, Any], *, ident: int = 100, minutes: int = 5) -> dict[str, Any]:
    """The record signed in the room by the observer and the practitioner."""
    copied = edited(record, minutes, status="signed")
    copied["shown_at_signing"] = {"observed_person": "A", "observer": "B"}
    copied["signatures"] = [
        {
            **_bookkeeping(uuid.UUID(int=ident + n)),
            "role": role,
            "name": role.title(),
            "signed_at": T0 + timedelta(minutes=minutes + n),
            "content_hash": "0" * 64,
        }
        for n, role in enumerate(("observer", "practitioner"))
    ]
    return copied


def with_addendum(record: dict[str, Any], ident: int, text: str) -> dict[str, Any]:
    copied = edited(record)
    copied["addenda"] = [
        *copied["addenda"],
        {**_bookkeeping(uuid.UUID(int=ident)), "text": text, "signed_at": NOW},
    ]
    return copied
