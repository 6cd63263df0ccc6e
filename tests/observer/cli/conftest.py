"""Laptops and a real team server, for `observer sync` (tests/support/sync.py)."""

from tests.support.sync import live_server, make_laptop, postgres, server_db  # noqa: F401
