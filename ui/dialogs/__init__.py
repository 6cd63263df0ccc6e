"""Dialogs. Each offers a classmethod returning `(value, accepted)`."""
