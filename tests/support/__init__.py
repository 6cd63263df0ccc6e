"""Factories and helpers every test folder imports: `from tests.support.core import Staff`."""
