"""Moderation's fixtures (tests/support/moderation.py)."""

from tests.support.moderation import observers, qa_lead  # noqa: F401
