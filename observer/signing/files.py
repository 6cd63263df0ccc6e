"""Writing files so that a failure never leaves a half-written one behind.

A file is first written to a private (0600) temporary file beside its target, named
`.NAME.po-PID-RANDOM.partial`, synced, then moved into place. A process killed in between
leaves that temporary file behind, readable by its owner only; the next write into the same
folder removes every such leftover whose process is no longer running.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from observer.errors import InvalidInput

PARTIAL = re.compile(r"^\..+\.po-(\d+)-[^./]+\.partial$")
# Where a process cannot be asked whether it still runs, a leftover this old is stale.
STALE_AFTER_SECONDS = 24 * 60 * 60


class NotWritten(InvalidInput):
    """A file could not be written where it was asked for (permissions, a full disk…)."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class RecordedButNotWritten(NotWritten):
    """The export was recorded in the audit trail, then its file could not be put in place."""


def write_atomically(path: Path, data: bytes, *, replace: bool = True, what: str = "file") -> bool:
    """Writes `data` to a private (0600) temporary file beside `path`, syncs it, then moves
    it into place. With `replace=False` an existing file is kept and False is returned.

    Summaries and identities hold personal data and keys, so the file is readable by its
    owner only; a partial file is removed whatever goes wrong. Any failure of the file
    system is one sentence naming the folder (never the hidden temporary file, nor the
    file's own name, which may hold a person's name), e.g. "The summary could not be
    written to FOLDER: Permission denied."
    """
    with Staged(path, data, what=what) as staged:
        return staged.publish(replace=replace)


def write_recorded(
    path: Path,
    data: bytes,
    record: Callable[[], None],
    *,
    what: str,
    not_completed: Callable[[], None],
) -> None:
    """Writes an exported file only once its audit event is recorded, so the audit trail
    never misses a file that was written.

    The bytes are staged first (a full disk or a folder without permission fails here, and
    nothing is recorded); then `record()` commits the audit event (a busy store fails here:
    the staged file is removed and nothing is on disk); then the file is moved into place.
    If that last move fails, `not_completed()` adds an event saying so, and the sentence
    says exactly what the audit trail now holds.
    """
    with Staged(path, data, what=what) as staged:
        record()
        try:
            staged.publish()
        except NotWritten as exc:
            try:
                not_completed()
            except Exception:
                trail = "the audit trail still records it as written"
            else:
                trail = "the audit trail records that it was not completed"
            raise RecordedButNotWritten(
                f"The {what} could not be put in place in {path.parent} after its export "
                f"was recorded ({exc.reason}), so no {what} was written; {trail}."
            ) from None


class Staged:
    """A file's bytes in a private temporary file beside it, until `publish` moves them into
    place; leaving the `with` block removes whatever was not published."""

    def __init__(self, path: Path, data: bytes, *, what: str) -> None:
        self.path = path
        self.what = what
        self._data = data
        self._temporary: Path | None = None

    def __enter__(self) -> Staged:
        folder = self.path.parent
        if self.path.is_dir():
            raise InvalidInput(f"{self.path} is a folder; give a file name.")
        if not folder.is_dir():
            if folder.exists():
                raise InvalidInput(
                    f"{folder} is not a folder, so the {self.what} cannot be written there."
                )
            raise InvalidInput(f"The folder {folder} does not exist.")
        remove_stale_partials(folder)
        try:
            fd, name = tempfile.mkstemp(
                dir=folder, prefix=f".{self.path.name}.po-{os.getpid()}-", suffix=".partial"
            )
            self._temporary = Path(name)
            with os.fdopen(fd, "wb") as out:
                out.write(self._data)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            self._discard()
            raise self._failed(exc) from None
        return self

    def publish(self, *, replace: bool = True) -> bool:
        """Moves the staged file into place; False (and nothing moved) when `replace` is
        False and a file is already there."""
        temporary = self._temporary
        assert temporary is not None, "publish() is called inside the with block"
        path = self.path
        try:
            if replace:
                temporary.replace(path)
            else:
                try:
                    os.link(temporary, path)
                except FileExistsError:
                    return False
                except OSError:
                    # A file system without hard links: the small race is acceptable here.
                    if path.exists():
                        return False
                    temporary.replace(path)
        except OSError as exc:
            raise self._failed(exc) from None
        _sync_folder(path.parent)
        return True

    def __exit__(self, *_exc: object) -> None:
        self._discard()

    def _discard(self) -> None:
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                self._temporary.unlink()
            self._temporary = None

    def _failed(self, exc: OSError) -> NotWritten:
        reason = exc.strerror or type(exc).__name__
        return NotWritten(
            f"The {self.what} could not be written to {self.path.parent}: {reason}.", reason
        )


def remove_stale_partials(folder: Path) -> None:
    """Removes temporary files left in `folder` by writes whose process was killed: ours
    name their process, and one still running is left alone."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = PARTIAL.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        if not _running(int(match.group(1)), entry):
            with contextlib.suppress(OSError):
                Path(entry.path).unlink()


def _running(pid: int, entry: os.DirEntry[str]) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill would end the process there, not ask about it
        try:
            return time.time() - entry.stat().st_mtime < STALE_AFTER_SECONDS
        except OSError:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process, or a number we cannot ask about: keep it
    return True


def _sync_folder(folder: Path) -> None:
    """Makes the rename durable where the system allows; the file is in place either way,
    so a folder that cannot be synced (some network file systems) is not a failure."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
