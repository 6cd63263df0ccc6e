"""Writing files so that a failure never leaves a half-written one behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from observer.errors import InvalidInput


def write_atomically(path: Path, data: bytes, *, replace: bool = True) -> bool:
    """Writes `data` to a private (0600) temporary file beside `path`, syncs it, then moves
    it into place. With `replace=False` an existing file is kept and False is returned.

    Summaries and identities hold personal data and keys, so the file is readable by its
    owner only; a partial file is removed whatever goes wrong.
    """
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give a file name.")
    if not path.parent.is_dir():
        raise InvalidInput(f"The folder {path.parent} does not exist.")
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            Path(temporary).replace(path)
        else:
            try:
                os.link(temporary, path)
            except FileExistsError:
                return False
            except OSError:
                # A file system without hard links: the small race is acceptable here.
                if path.exists():
                    return False
                Path(temporary).replace(path)
        _sync_folder(path.parent)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
