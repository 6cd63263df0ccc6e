"""A push's issue 17 records are read field by field before anything is written: any hostile
value is one sentence naming where (a 400), never a traceback (no database needed)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observer.server.push_request import BadPush, read_push
from tests.support.hostile import CHANGES, FUZZ, Change, one_sentence

NOW = "2026-05-02T10:00:00+00:00"
RECORD = {"created_at": NOW, "updated_at": NOW, "revision": 1}
RECORDS: dict[str, dict[str, Any]] = {
    "moderation": {
        "id": str(uuid.uuid4()),
        **RECORD,
        "observation_id": str(uuid.uuid4()),
        "sample_id": None,
        "observation_hash": "a" * 64,
        "framework": {"key": "direct-work-practice", "version": 1},
        "moderator_id": str(uuid.uuid4()),
        "moderator_name": "Priya Raman",
        "ratings": [{"standard": "1", "level": "good"}, {"standard": "2", "level": None}],
        "overall_level": "good",
        "comment": "Looked again.",
        "signed_at": NOW,
        "content_hash": "b" * 64,
        "certificate": "AAAA",
        "digital_signature": "AAAA",
        "notes": [
            {
                "id": str(uuid.uuid4()),
                **RECORD,
                "text": "Please look again.",
                "author_name": "Priya Raman",
                "written_at": NOW,
                "content_hash": "c" * 64,
            }
        ],
    },
    "moderation_sample": {
        "id": str(uuid.uuid4()),
        **RECORD,
        "period_from": "2026-04-01",
        "period_to": "2026-06-30",
        "percent": 10,
        "seed": 7,
        "drawn_by": "Priya Raman",
        "drawn_at": NOW,
        "supersedes_id": None,
        "reason": "",
        "content_hash": "d" * 64,
        "observations": [
            {"observation_id": str(uuid.uuid4()), "observer_id": str(uuid.uuid4()), "position": 0}
        ],
    },
    "board_commentary": {
        "id": str(uuid.uuid4()),
        **RECORD,
        "period_first": "2026-04-01",
        "period_last": "2026-06-30",
        "scope": "all",
        "text": "Practice is improving.",
        "written_by": "Priya Raman",
    },
    "improvement_plan": {
        "id": str(uuid.uuid4()),
        **RECORD,
        "version": 2,
        "content_hash": "e" * 64,
        "definition": {"name": "Northshire improvement plan", "themes": []},
    },
}


def _push(record_type: str, record: Any) -> dict[str, Any]:
    return {
        "audit": [],
        "changes": [
            {
                "change_id": str(uuid.uuid4()),
                "record_type": record_type,
                "operations": ["edit"],
                "base_revision": None,
                "base": None,
                "record": record,
            }
        ],
    }


@pytest.mark.parametrize("record_type", sorted(RECORDS))
def test_each_record_as_a_laptop_sends_it_is_read(record_type: str) -> None:
    _, [change] = read_push(_push(record_type, copy.deepcopy(RECORDS[record_type])))
    assert change.record_type == record_type
    assert change.record_id == uuid.UUID(RECORDS[record_type]["id"])


@pytest.mark.parametrize(
    ("record_type", "field", "value", "says"),
    [
        ("moderation", "content_hash", "xyz", "content_hash is not a SHA-256"),
        ("moderation", "certificate", "not base64!", "certificate is not base64"),
        ("moderation", "admin", True, "a field the protocol does not name"),
        ("moderation_sample", "percent", 0, "percent must be between 1 and 100"),
        ("board_commentary", "scope", "../etc", "scope must be 'all' or a team's id"),
        ("improvement_plan", "definition", "plan", "definition must be an object"),
    ],
)
def test_a_bad_field_is_one_sentence_naming_it(
    record_type: str, field: str, value: Any, says: str
) -> None:
    record = copy.deepcopy(RECORDS[record_type])
    record[field] = value
    with pytest.raises(BadPush) as refused:
        read_push(_push(record_type, record))
    assert says in one_sentence(refused.value)


@settings(max_examples=200, **FUZZ)
@given(record_type=st.sampled_from(sorted(RECORDS)), change=CHANGES)
def test_any_hostile_value_is_read_or_refused_in_one_sentence(
    record_type: str, change: Change
) -> None:
    record = copy.deepcopy(RECORDS[record_type])
    change.apply(record)
    try:
        read_push(_push(record_type, record))
    except BadPush as refused:
        one_sentence(refused)
