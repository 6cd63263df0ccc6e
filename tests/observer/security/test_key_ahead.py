"""A start given its passphrase derives the store's key ahead, on a thread: unlocking takes
that key up instead of deriving it again, and only for the passphrase it was derived from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from observer.paths import database_path
from observer.security import key_ahead
from observer.security.unlock import unlock
from observer.services import open_services
from observer.store import encryption
from observer.store.encryption import StoreKey, WrongStorePassphrase
from tests.support.passphrase import STORE_PASSPHRASE

OTHER_PASSPHRASE = "not the passphrase of this store"


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passphrases keys are derived from, in order."""
    seen: list[str] = []
    derive: Callable[..., StoreKey] = encryption.derive_key

    def counted(passphrase: str, salt: bytes, *, as_typed: bool = False) -> StoreKey:
        seen.append(passphrase)
        return derive(passphrase, salt, as_typed=as_typed)

    monkeypatch.setattr(encryption, "derive_key", counted)
    return seen


def test_the_key_derived_ahead_opens_the_store_without_deriving_it_again(
    store_dir: Path, derivations: list[str]
) -> None:
    key_ahead.derive_ahead(database_path(store_dir), STORE_PASSPHRASE)

    services = open_services(store_dir, STORE_PASSPHRASE, unlock(store_dir, STORE_PASSPHRASE))
    try:
        assert services.people.list_people() == []
    finally:
        services.close()
    assert derivations == [STORE_PASSPHRASE]


def test_the_key_derived_ahead_is_taken_once(store_dir: Path, derivations: list[str]) -> None:
    key_ahead.derive_ahead(database_path(store_dir), STORE_PASSPHRASE)
    unlock(store_dir, STORE_PASSPHRASE)

    unlock(store_dir, STORE_PASSPHRASE)

    assert derivations == [STORE_PASSPHRASE, STORE_PASSPHRASE]


def test_a_key_derived_ahead_from_another_passphrase_is_not_used(
    store_dir: Path, derivations: list[str]
) -> None:
    key_ahead.derive_ahead(database_path(store_dir), OTHER_PASSPHRASE)

    key = unlock(store_dir, STORE_PASSPHRASE)

    assert derivations.count(STORE_PASSPHRASE) == 1  # unlock's own (the other may still run)
    assert encryption.opens(database_path(store_dir), key)


def test_a_wrong_passphrase_is_refused_whatever_was_derived_ahead(store_dir: Path) -> None:
    key_ahead.derive_ahead(database_path(store_dir), STORE_PASSPHRASE)

    with pytest.raises(WrongStorePassphrase):
        unlock(store_dir, OTHER_PASSPHRASE)


def test_nothing_is_derived_ahead_for_a_store_not_made_yet(
    data_dir: Path, derivations: list[str]
) -> None:
    key_ahead.derive_ahead(database_path(data_dir), STORE_PASSPHRASE)

    assert key_ahead.take(database_path(data_dir), STORE_PASSPHRASE) is None
    assert derivations == []


def test_a_key_derived_ahead_is_not_left_behind_when_unlocking_must_wait(
    store_dir: Path,
) -> None:
    from observer.security.unlock import TooManyAttempts
    from tests.observer.security.test_unlock_attempts import FREE_ATTEMPTS, wrong_guesses

    wrong_guesses(store_dir, FREE_ATTEMPTS)
    key_ahead.derive_ahead(database_path(store_dir), STORE_PASSPHRASE)

    with pytest.raises(TooManyAttempts):
        unlock(store_dir, STORE_PASSPHRASE)

    assert key_ahead.take(database_path(store_dir), STORE_PASSPHRASE) is None
