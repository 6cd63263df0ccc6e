"""Laptops and a real team server (tests/support/sync.py), for the window's sync."""

from tests.support.sync import live_server, make_laptop, postgres, server_db  # noqa: F401
