"""`observer sync` killed (SIGKILL) after the server committed a push but before its answer
arrived: the store opens, its audit trail holds, every change is still in the outbox (sent,
with the payload it sent), and the next sync resends them under the same change ids, which
the server applies once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from observer.server import schema
from observer.store.sync_tables import sync_outbox
from tests.support.commands import observer
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.sync import Laptop, LiveServer, lead_with_a_draft

pytestmark = pytest.mark.e2e
COMMAND = str(Path(sys.executable).parent / "observer")
WAIT_S = 60


class HoldingProxy:
    """Passes requests on to the real server; while `holding`, keeps a push's answer back
    (the server has committed it) until told to let go."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.holding = True
        self.hold_refusals = True  # False: a refused push's answer goes through
        self.held_path = "/push"  # whose answers are held (test_rejoin.py holds /enrol)
        self.push_committed = threading.Event()
        self.let_go = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def _pass_on(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() in ("authorization", "content-type")
                }
                with httpx.Client() as client:
                    answer = client.request(
                        self.command, proxy.target + self.path, content=body, headers=headers
                    )
                held = proxy.hold_refusals or answer.status_code < 400
                if self.path.endswith(proxy.held_path) and proxy.holding and held:
                    proxy.push_committed.set()
                    proxy.let_go.wait(WAIT_S)
                    return
                self.send_response(answer.status_code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _pass_on  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.let_go.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(live_server: LiveServer) -> Iterator[HoldingProxy]:
    running = HoldingProxy(live_server.url)
    yield running
    running.close()


def test_sync_killed_after_the_server_committed_leaves_store_and_outbox_consistent(
    live_server: LiveServer, make_laptop: Laptop, proxy: HoldingProxy
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    from observer.sync import state  # the laptop talks to the server through the proxy

    with lead.laptop.db.session() as s, s.begin():
        state.put(s, **{state.SERVER: proxy.url})
    waiting = lead.laptop.sync.status().waiting
    assert waiting >= 5

    env = {**os.environ, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE}
    syncing = subprocess.Popen(
        [COMMAND, "--data-dir", str(lead.laptop.data_dir), "sync"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proxy.push_committed.wait(WAIT_S), "the push never reached the server"
    finally:
        syncing.send_signal(signal.SIGKILL)
        syncing.communicate(timeout=WAIT_S)
    assert syncing.returncode == -signal.SIGKILL

    with lead.laptop.db.session() as s:
        entries = s.execute(select(sync_outbox)).all()
    assert len(entries) == waiting, "no change was lost"
    sent = [e for e in entries if e.state == "sent"]
    assert sent
    assert all(e.payload["change_id"] == str(e.change_id) for e in sent)
    assert observer(lead.laptop.data_dir, "audit", "verify").returncode == 0

    proxy.holding = False
    proxy.let_go.set()
    done = observer(lead.laptop.data_dir, "sync")
    assert done.returncode == 0, done.stderr
    assert lead.laptop.sync.status().waiting == 0
    with live_server.db.owner.begin() as conn:
        copies = conn.scalar(select(func.count()).where(schema.observations.c.id == lead.draft))
        applied = conn.scalar(select(func.count()).select_from(schema.applied_changes))
    assert copies == 1
    assert applied == waiting
