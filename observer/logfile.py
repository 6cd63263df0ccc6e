"""The app's log: a rotating file in the data dir. Log ids and counts, never names or
narrative. Kept apart from the services so the GUI can log before it opens the store."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from observer.paths import log_path


def configure_logging(data_dir: Path, level: int = logging.INFO) -> logging.Handler:
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    return handler
