"""The store's key, derived ahead: a start given its passphrase (OBSERVER_PASSPHRASE) begins
the derivation first, on a thread, and imports the rest of the app meanwhile. PBKDF2 runs
in C and leaves the interpreter free, so the quarter of a second it takes is no longer
waited for after the imports. `unlock` takes the key up when it is for the same file, salt
and passphrase, and derives its own otherwise; the key is handed out once."""

from __future__ import annotations

import threading
from pathlib import Path

from observer.store import encryption
from observer.store.encryption import StoreKey


class _Ahead:
    def __init__(self, path: Path, passphrase: str) -> None:
        self.path = path
        self.passphrase = passphrase
        self.key: StoreKey | None = None
        self.thread = threading.Thread(target=self._derive, name="deriving-key", daemon=True)

    def _derive(self) -> None:
        try:
            salt = encryption.file_salt(self.path)
            self.key = encryption.derive_key(self.passphrase, salt)
        except (encryption.WrongStorePassphrase, OSError):
            pass  # no usable salt: unlock says why, as it would have


_ahead: _Ahead | None = None


def derive_ahead(path: Path, passphrase: str) -> None:
    """Starts deriving the key of the encrypted store at `path` from `passphrase`; nothing
    for a store not made yet or still in plain text (unlock makes or encrypts those)."""
    global _ahead
    try:
        if not encryption.has_content(path) or encryption.is_plain_sqlite(path):
            return
    except OSError:
        return
    # Imported here, not on the thread, which then runs only the derivation, in C: two
    # threads importing at once would only take turns with the interpreter.
    from cryptography.hazmat.primitives import hashes  # noqa: F401
    from cryptography.hazmat.primitives.kdf import pbkdf2  # noqa: F401

    _ahead = _Ahead(path, passphrase)
    _ahead.thread.start()


def take(path: Path, passphrase: str) -> StoreKey | None:
    """The key derived ahead for `path` and `passphrase` (once it is ready), else None."""
    global _ahead
    ahead, _ahead = _ahead, None
    if ahead is None or ahead.path != path or ahead.passphrase != passphrase:
        return None
    ahead.thread.join()
    return ahead.key
