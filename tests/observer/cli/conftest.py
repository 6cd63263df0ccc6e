"""Laptops and a real team server, for `observer sync` (tests/support/sync.py); a QA lead and
observers, for `observer moderation` (tests/support/moderation.py)."""

from tests.support.moderation import observers, qa_lead  # noqa: F401
from tests.support.sync import live_server, make_laptop, postgres, server_db  # noqa: F401
