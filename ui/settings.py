"""Per-user interface settings (window geometry and the like), kept by QSettings."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION_NAME = "PracticeObserver"
APPLICATION_NAME = "Practice Observer"


def app_settings() -> QSettings:
    return QSettings(ORGANISATION_NAME, APPLICATION_NAME)
