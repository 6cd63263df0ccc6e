"""Wrong passphrases: the wait after them outlives the file beside the store, and the next
unlock writes them to the audit trail as one event, then starts the count again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from observer.governance.audit import FAILED_UNLOCK, events
from observer.security.attempts import ATTEMPTS_FILE, FREE_ATTEMPTS, UnlockAttempts
from observer.security.unlock import TooManyAttempts
from observer.services import Services, open_services
from observer.store.encryption import WrongStorePassphrase
from tests.support.passphrase import STORE_PASSPHRASE


def wrong_guesses(data_dir: Path, count: int) -> None:
    for _ in range(count):
        with pytest.raises(WrongStorePassphrase):
            open_services(data_dir, "a wrong guess")


def test_deleting_the_attempts_file_beside_the_store_does_not_reset_the_wait(
    services: Services,
) -> None:
    data_dir = services.data_dir
    services.close()
    wrong_guesses(data_dir, FREE_ATTEMPTS)
    (data_dir / ATTEMPTS_FILE).unlink()

    with pytest.raises(TooManyAttempts):
        open_services(data_dir, STORE_PASSPHRASE)


def test_the_next_unlock_writes_the_wrong_passphrases_as_one_event_and_resets_the_count(
    services: Services,
) -> None:
    data_dir = services.data_dir
    services.close()
    started = datetime.now(UTC).replace(microsecond=0)
    wrong_guesses(data_dir, FREE_ATTEMPTS - 1)
    (data_dir / ATTEMPTS_FILE).unlink()  # deleted to hide them: they are counted elsewhere too

    opened = open_services(data_dir, STORE_PASSPHRASE)
    try:
        [event] = [e for e in events(opened.db) if e.action_code == FAILED_UNLOCK]
        assert (event.record_type, event.actor) == ("store", "someone without the passphrase")
        assert event.detail.startswith(
            f"{FREE_ATTEMPTS - 1} wrong passphrases before this unlock, the first at "
        )
        first, last = (
            datetime.fromisoformat(part.split(" at ")[1].rstrip("."))
            for part in event.detail.split(", ")[1:]
        )
        assert started <= first <= last <= datetime.now(UTC)
    finally:
        opened.close()
    assert UnlockAttempts(data_dir).failures() == 0
    reopened = open_services(data_dir, STORE_PASSPHRASE)
    try:
        assert len([e for e in events(reopened.db) if e.action_code == FAILED_UNLOCK]) == 1
    finally:
        reopened.close()
