"""Opening the store with a passphrase: wrong guesses wait longer and longer, and are
remembered until the next unlock writes them to the audit trail.

A wrong passphrase cannot write to an encrypted store, so failed attempts are kept in a
small file beside it (times only, nothing personal) and survive a restart.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)

ATTEMPTS_FILE = "unlock-attempts.json"
FREE_ATTEMPTS = 3
LONGEST_WAIT = timedelta(seconds=60)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class UnlockAttempts:
    """Failed unlocks of the store in `data_dir`, and how long the next try must wait."""

    data_dir: Path

    @property
    def path(self) -> Path:
        return self.data_dir / ATTEMPTS_FILE

    def failures(self) -> list[datetime]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return [datetime.fromisoformat(when) for when in raw["failures"]]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def wait(self, now: datetime | None = None) -> timedelta:
        """How long before the next attempt may be checked: nothing for the first few,
        then doubling from 2 seconds, up to a minute."""
        failures = self.failures()
        extra = len(failures) - FREE_ATTEMPTS + 1
        if extra <= 0:
            return timedelta(0)
        delay = min(timedelta(seconds=2**extra), LONGEST_WAIT)
        remaining = failures[-1] + delay - (now or _now())
        return max(remaining, timedelta(0))

    def failed(self, now: datetime | None = None) -> None:
        failures = [*self.failures(), now or _now()]
        log.warning("a wrong passphrase was given (%d in a row)", len(failures))
        self._write(failures)

    def succeeded(self) -> list[datetime]:
        """Clears the count; returns the failed attempts, for the audit trail."""
        failures = self.failures()
        if failures:
            with contextlib.suppress(OSError):
                self.path.unlink()
        return failures

    def _write(self, failures: list[datetime]) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        staging = self.path.with_suffix(".tmp")
        staging.write_text(
            json.dumps({"failures": [when.isoformat() for when in failures[-50:]]}),
            encoding="utf-8",
        )
        staging.replace(self.path)
