"""Practice Observer: the Qt-free core (records, store, frameworks, services)."""

__version__ = "0.1.0"
