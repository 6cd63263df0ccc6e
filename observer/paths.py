"""Where Practice Observer keeps its data and finds its shipped resources."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "PracticeObserver"
DATA_DIR_ENV = "OBSERVER_DATA_DIR"
# Non-interactive use (the command line, scripts, tests) gives the passphrase here.
PASSPHRASE_ENV = "OBSERVER_PASSPHRASE"
DATABASE_FILE = "observer.sqlite"

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
FRAMEWORKS_DIR = RESOURCES_DIR / "frameworks"
THEMES_DIR = RESOURCES_DIR / "themes"
HELP_DIR = RESOURCES_DIR / "help"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: an explicit override, else $OBSERVER_DATA_DIR, else the user's."""
    if override:
        return Path(override).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def sample_dir(directory: Path) -> Path:
    """The separate store of fictional sample data that goes with `directory`, beside it:
    sample data never mixes with a real store's records."""
    return directory.with_name(f"{directory.name}-sample")


def database_path(directory: Path) -> Path:
    return directory / DATABASE_FILE


def backups_dir(directory: Path) -> Path:
    return directory / "backups"


def log_path(directory: Path) -> Path:
    return directory / "logs" / "observer.log"
