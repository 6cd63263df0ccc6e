"""Opening the encrypted store from the GUI: a new passphrase for a new or earlier store,
else the unlock dialog, which keeps asking (with the growing wait) until one opens it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from observer.encryption import WrongStorePassphrase, check_new_passphrase
from observer.store_access import StoreState, TooManyAttempts, store_state
from observer.unlocking import UnlockAttempts
from ui.dialogs.passphrase import Attempt, NewPassphraseDialog, UnlockDialog

if TYPE_CHECKING:
    from observer.services import Services


def open_store(directory: Path) -> Services | None:
    """The opened store, or None when the user chose not to go on. Raises ObserverError
    for a store that no passphrase can open (damaged, too new)."""
    from observer.services import open_services

    state = store_state(directory)
    if state is not StoreState.ENCRYPTED:
        passphrase = NewPassphraseDialog.choose(
            check_new_passphrase, earlier_store=state is StoreState.PLAIN
        )
        return None if passphrase is None else open_services(directory, passphrase)

    opened: list[Services] = []

    def attempt(passphrase: str) -> Attempt:
        try:
            opened.append(open_services(directory, passphrase))
        except WrongStorePassphrase as error:
            return Attempt(str(error), seconds_to_wait(directory))
        except TooManyAttempts as error:
            return Attempt(str(error), error.seconds)
        return Attempt()

    dialog = UnlockDialog(attempt, wait_seconds=seconds_to_wait(directory))
    dialog.exec()
    failure = dialog.failure
    dialog.deleteLater()
    if failure is not None:
        raise failure
    return opened[0] if opened else None


def seconds_to_wait(directory: Path) -> int:
    return math.ceil(UnlockAttempts(directory).wait().total_seconds())
