"""Changing the passphrase while a sync is under way on the same laptop (the window's
background sync, waiting on a server that is slow to answer): the change is refused in a
sentence that says so, the store still opens with the old passphrase, and once the sync has
ended the change goes through. Before, the change either re-keyed the store under the
running sync, or was refused as "open in another window" when there was none."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from observer.errors import StoreBusy
from observer.services import open_services
from observer.sync import state
from observer.sync.client import SyncFailed
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.sync import Laptop, LiveServer

NEW = "a new passphrase for the laptop"


@pytest.fixture
def silent_server() -> Iterator[socket.socket]:
    """A server that takes the connection and never answers (one that hangs)."""
    listening = socket.create_server(("127.0.0.1", 0))
    listening.settimeout(30)
    yield listening
    listening.close()


def test_a_change_of_passphrase_while_a_sync_waits_is_refused_in_a_true_sentence(
    live_server: LiveServer, make_laptop: Laptop, silent_server: socket.socket
) -> None:
    laptop = make_laptop("Aled Hughes")
    laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    port = silent_server.getsockname()[1]
    with laptop.db.session() as s, s.begin():
        state.put(s, **{state.SERVER: f"http://127.0.0.1:{port}"})
    ended: list[BaseException | None] = []

    def sync() -> None:
        try:
            laptop.sync.sync()
            ended.append(None)
        except SyncFailed as error:
            ended.append(error)

    running = threading.Thread(target=sync)
    running.start()
    connection, _ = silent_server.accept()  # the sync is now waiting for the server
    try:
        with pytest.raises(StoreBusy) as refused:
            laptop.change_passphrase(STORE_PASSPHRASE, NEW, NEW)
        assert str(refused.value) == (
            "A sync with the team server is under way on this laptop; try again once it has "
            "finished (the line at the foot of the window says so). The passphrase was not "
            "changed."
        )
        assert "another" not in str(refused.value)
        assert laptop.passphrase_matches(STORE_PASSPHRASE)
    finally:
        connection.close()  # the server hangs up: the sync ends, offline
        running.join(30)
    assert not running.is_alive()
    assert isinstance(ended[0], SyncFailed)

    assert laptop.change_passphrase(STORE_PASSPHRASE, NEW, NEW) >= 0
    laptop.close()
    reopened = open_services(laptop.data_dir, NEW)
    try:
        assert reopened.sync.status().server == f"http://127.0.0.1:{port}"
    finally:
        reopened.close()
