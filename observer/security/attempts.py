"""Opening the store with a passphrase: wrong guesses wait longer and longer, and are
remembered until the next unlock writes them to the audit trail.

A wrong passphrase cannot write to an encrypted store, so failed attempts are counted in a
small file beside it (how many, and when the first and last were; nothing personal), and
again in a second copy in this user's state folder outside the data folder: deleting the
file beside the store does not reset the wait. Whoever can delete both, or copies the store
elsewhere, is not slowed at all; the passphrase and the cost of deriving the key from it
are the defence against them (docs/data-protection.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from observer.paths import APP_NAME

log = logging.getLogger(__name__)

ATTEMPTS_FILE = "unlock-attempts.json"
FREE_ATTEMPTS = 3
LONGEST_WAIT = timedelta(seconds=60)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class FailedUnlocks:
    """Wrong passphrases given since the last unlock: how many, the first and the last."""

    count: int
    first: datetime
    last: datetime


def second_copy(data_dir: Path) -> Path:
    """Where the count is kept again, outside the data folder: in this user's state folder,
    under a name made from the data folder's path."""
    import platformdirs

    name = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:24]
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "unlock" / f"{name}.json"


@dataclass
class UnlockAttempts:
    """Failed unlocks of the store in `data_dir`, and how long the next try must wait."""

    data_dir: Path

    @property
    def path(self) -> Path:
        return self.data_dir / ATTEMPTS_FILE

    def _copies(self) -> tuple[Path, Path]:
        return self.path, second_copy(self.data_dir)

    def pending(self) -> FailedUnlocks | None:
        """The wrong passphrases not yet in the audit trail: the larger count of the two
        copies, so that one deleted or rolled back does not reset it."""
        found = [_read(path) for path in self._copies()]
        return max((f for f in found if f is not None), key=lambda f: f.count, default=None)

    def failures(self) -> int:
        pending = self.pending()
        return 0 if pending is None else pending.count

    def wait(self, now: datetime | None = None) -> timedelta:
        """How long before the next attempt may be checked: nothing for the first few,
        then doubling from 2 seconds, up to a minute."""
        pending = self.pending()
        extra = 0 if pending is None else pending.count - FREE_ATTEMPTS + 1
        if pending is None or extra <= 0:
            return timedelta(0)
        delay = min(timedelta(seconds=2 ** min(extra, 16)), LONGEST_WAIT)
        return max(pending.last + delay - (now or _now()), timedelta(0))

    def failed(self, now: datetime | None = None) -> None:
        when = now or _now()
        pending = self.pending()
        updated = (
            FailedUnlocks(1, when, when)
            if pending is None
            else FailedUnlocks(pending.count + 1, pending.first, max(pending.last, when))
        )
        log.warning("a wrong passphrase was given (%d in a row)", updated.count)
        for path in self._copies():
            try:
                _write(path, updated)
            except OSError as error:  # the other copy still counts it
                log.warning("the count of wrong passphrases could not be kept: %s", error)

    def clear(self) -> None:
        """Resets the count, once the audit trail has it."""
        for path in self._copies():
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    def succeeded(self) -> FailedUnlocks | None:
        """Clears the count; returns what it was, for the audit trail."""
        pending = self.pending()
        self.clear()
        return pending


def _read(path: Path) -> FailedUnlocks | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if "failures" in raw:  # as earlier versions kept it: every time, oldest first
            times = [datetime.fromisoformat(when) for when in raw["failures"]]
            return FailedUnlocks(len(times), times[0], times[-1]) if times else None
        count = int(raw["count"])
        first, last = (datetime.fromisoformat(raw[k]) for k in ("first", "last"))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    return FailedUnlocks(count, first, last) if count > 0 else None


def _write(path: Path, failures: FailedUnlocks) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_suffix(".tmp")
    staging.write_text(
        json.dumps(
            {
                "count": failures.count,
                "first": failures.first.isoformat(),
                "last": failures.last.isoformat(),
            }
        ),
        encoding="utf-8",
    )
    staging.replace(path)
