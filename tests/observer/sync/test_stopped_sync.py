"""A sync waiting on a team server that never answers ends at once when stopped (the
window closing), instead of holding the process for the minute of the read timeout; and
nothing is lost: the push whose answer never came is sent again at the next sync, and
the server takes it once (by its change id)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from observer.records.merge import Change
from observer.server import schema
from observer.services import Services, open_services
from observer.store.sync_tables import SENT, sync_outbox
from observer.sync import client, state
from observer.sync.client import READ_TIMEOUT_S, STOPPED, SyncStopped
from observer.sync.service import QUIET
from tests.support.hung_server import HungServer, hung_server, self_signed  # noqa: F401
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.sync import Laptop, LiveServer, lead_with_a_draft

PROMPT_S = 1.0  # "within about a second"
# A whole process's end after Ctrl-C: its own teardown too, on a machine the test suite
# keeps busy (1.5 s seen); far from the read timeout a hung server would hold it for.
PROCESS_EXIT_S = 5.0


def served_by(laptop: Services, url: str) -> None:
    """The laptop's team server is now at `url` (as if IT moved it)."""
    with laptop.db.session() as s, s.begin():
        state.put(s, **{state.SERVER: url})


def sync_in_a_thread(laptop: Services) -> tuple[threading.Thread, list[BaseException]]:
    raised: list[BaseException] = []

    def run() -> None:
        try:
            laptop.sync.sync()
        except BaseException as error:  # the test looks at it
            raised.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, raised


def outbox(laptop: Services) -> list[tuple[str, str]]:
    with laptop.db.session() as s:
        return [(str(r.change_id), r.state) for r in s.execute(select(sync_outbox)).all()]


def test_a_push_waiting_on_a_hung_server_stops_at_once_and_goes_again_next_time(
    live_server: LiveServer,
    make_laptop: Laptop,
    hung_server: HungServer,  # noqa: F811
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    words = "Calm with the family, and clear about the plan."
    lead.laptop.recording.save(lead.draft, [Change("strengths", "Calm with the family.", words)])
    lead.laptop.recording.add_action(lead.draft, "Share the plan with the school")
    waiting = lead.laptop.sync.status().waiting
    assert waiting >= 1
    served_by(lead.laptop, hung_server.url)
    thread, raised = sync_in_a_thread(lead.laptop)
    assert hung_server.hanging.wait(30)
    assert "/sync/v2/push" in hung_server.paths
    thread.join(0.5)
    assert thread.is_alive(), "the server never answers: the push waits on it"

    started = time.monotonic()
    lead.laptop.sync.stop()
    thread.join(READ_TIMEOUT_S)
    took = time.monotonic() - started

    assert not thread.is_alive()
    assert took < PROMPT_S, f"stopping took {took:.2f} s"
    [error] = raised
    assert isinstance(error, SyncStopped)
    assert str(error) == STOPPED
    sent = outbox(lead.laptop)
    assert len(sent) == waiting  # nothing cleared that the server did not answer
    assert {row_state for _, row_state in sent} == {SENT}  # the same change ids go again
    with pytest.raises(SyncStopped):  # stopped for good: the app is quitting
        lead.laptop.sync.sync()

    # The next start of the app: the server answers again, and takes everything, once.
    served_by(lead.laptop, live_server.url)
    again = open_services(lead.laptop.data_dir, STORE_PASSPHRASE)
    try:
        result = again.sync.sync()
        assert (result.pushed, result.refused) == (waiting, 0)
        assert again.sync.status().waiting == 0
        assert again.sync.sync() == QUIET
    finally:
        again.close()
    with live_server.db.owner.connect() as conn:
        held = conn.execute(
            select(schema.observations.c.strengths).where(schema.observations.c.id == lead.draft)
        ).scalar_one()
        actions = conn.execute(
            select(func.count())
            .select_from(schema.actions)
            .where(schema.actions.c.observation_id == lead.draft)
        ).scalar_one()
    assert (held, actions) == (words, 1)


def test_a_sync_stopped_before_it_reaches_the_server_does_not_start(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.stop()
    with pytest.raises(SyncStopped):
        lead.laptop.sync.sync()
    assert {row_state for _, row_state in outbox(lead.laptop)} == {"pending"}


def test_a_hung_health_check_stops_at_once_too(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    server = HungServer(answers_health=False)
    try:
        served_by(lead.laptop, server.url)
        thread, raised = sync_in_a_thread(lead.laptop)
        assert server.hanging.wait(30)
        started = time.monotonic()
        lead.laptop.sync.stop()
        thread.join(READ_TIMEOUT_S)
        assert time.monotonic() - started < PROMPT_S
        assert [type(e) for e in raised] == [SyncStopped]
    finally:
        server.close()


def test_observer_sync_answers_ctrl_c_at_once_with_one_sentence(
    live_server: LiveServer,
    make_laptop: Laptop,
    hung_server: HungServer,  # noqa: F811
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    lead.laptop.recording.add_action(lead.draft, "Share the plan with the school")
    waiting = outbox(lead.laptop)
    served_by(lead.laptop, hung_server.url)
    command = Path(sys.executable).parent / "observer"
    process = subprocess.Popen(
        [str(command), "--data-dir", str(lead.laptop.data_dir), "sync"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE},
    )
    try:
        assert hung_server.hanging.wait(60)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=READ_TIMEOUT_S)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    assert took < PROCESS_EXIT_S, f"Ctrl-C took {took:.2f} s"
    assert process.returncode == 130
    assert out == ""
    assert err == f"observer: {STOPPED}\n"
    assert [row[0] for row in outbox(lead.laptop)] == [row[0] for row in waiting]


def test_a_request_over_https_stops_at_once_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served, trusted = self_signed(tmp_path)
    monkeypatch.setattr(client, "_tls_context", lambda: trusted)
    server = HungServer(answers_health=False, tls=served)
    raised: list[BaseException] = []

    def ask(talk: client.Client) -> None:
        try:
            talk.check_protocol()
        except BaseException as error:  # the test looks at it
            raised.append(error)

    try:
        with client.Client(server.url, "a-token") as talk:
            thread = threading.Thread(target=ask, args=(talk,), daemon=True)
            thread.start()
            assert server.hanging.wait(30)
            started = time.monotonic()
            talk.stop()
            thread.join(READ_TIMEOUT_S)
            assert time.monotonic() - started < PROMPT_S
    finally:
        server.close()
    assert [type(e) for e in raised] == [SyncStopped]
