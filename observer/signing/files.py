"""Writing files so that a failure never leaves a half-written one behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from observer.errors import InvalidInput


class NotWritten(InvalidInput):
    """A file could not be written where it was asked for (permissions, a full disk…)."""


def write_atomically(path: Path, data: bytes, *, replace: bool = True, what: str = "file") -> bool:
    """Writes `data` to a private (0600) temporary file beside `path`, syncs it, then moves
    it into place. With `replace=False` an existing file is kept and False is returned.

    Summaries and identities hold personal data and keys, so the file is readable by its
    owner only; a partial file is removed whatever goes wrong. Any failure of the file
    system is one sentence naming the folder (never the hidden temporary file, nor the
    file's own name, which may hold a person's name), e.g. "The summary could not be
    written to FOLDER: Permission denied."
    """
    folder = path.parent
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give a file name.")
    if not folder.is_dir():
        if folder.exists():
            raise InvalidInput(f"{folder} is not a folder, so the {what} cannot be written there.")
        raise InvalidInput(f"The folder {folder} does not exist.")
    temporary: Path | None = None
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".partial")
        temporary = Path(name)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
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
        _sync_folder(folder)
        return True
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise NotWritten(f"The {what} could not be written to {folder}: {reason}.") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


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
