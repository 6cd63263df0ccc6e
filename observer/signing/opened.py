"""The signing identity held open for a session, so that exports open the PKCS#12 once.

Opening the PKCS#12 derives its key from the passphrase, slow on purpose, and pyHanko
would size each signature by signing once in a dry run first; a batch of exports did both
for every summary. The session already holds the store's passphrase, which opens the
identity, so holding the opened key as well exposes nothing more. What is held serves
only while the identity file is the one opened (the same file, size and times: it is only
ever replaced whole, by a rename) and only for the passphrase that opened it, compared by
a keyed digest; any other passphrase opens the file again, and fails as it would have.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from observer.signing.identity import IdentityInfo, identity_path, open_signer

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner


@dataclass(frozen=True)
class Opened:
    info: IdentityInfo
    signer: SimpleSigner
    room: int
    """Bytes to reserve for a signature without a timestamp, as pyHanko would estimate."""


@dataclass(frozen=True)
class _Held:
    file: tuple[int, ...]
    check: bytes
    opened: Opened


class OpenedIdentity:
    """The identity of `data_dir`, opened at most once per passphrase and file version."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._salt = secrets.token_bytes(32)
        self._held: _Held | None = None
        self._lock = threading.Lock()

    def open(self, passphrase: str) -> Opened:
        """The identity opened with `passphrase`: NoIdentity, WrongPassphrase or
        InvalidIdentity as `open_signer` raises them."""
        from observer.signing.sign import signature_room

        check = hmac.new(self._salt, passphrase.encode("utf-8"), hashlib.sha256).digest()
        with self._lock:
            file = self._file()
            held = self._held
            if (
                held is not None
                and file is not None
                and held.file == file
                and hmac.compare_digest(held.check, check)
            ):
                return held.opened
            self._held = None
            info, signer = open_signer(self._data_dir, passphrase)
            opened = Opened(info, signer, signature_room(signer))
            if file is not None:
                self._held = _Held(file, check, opened)
            return opened

    def forget(self) -> None:
        with self._lock:
            self._held = None

    def _file(self) -> tuple[int, ...] | None:
        """What tells one version of the identity file from another, None if there is none.
        Taken before the file is read, so a file replaced meanwhile is read again next time."""
        try:
            stat = identity_path(self._data_dir).stat()
        except OSError:
            return None
        return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
