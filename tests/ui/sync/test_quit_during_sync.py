"""Closing the window while a sync waits on a team server that never answers: the sync
ends at once instead of holding the app for the minute of the read timeout, and nothing
waiting is lost. In the window under pytest-qt, and as a real process whose exit is timed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from observer.services import Services, open_services
from observer.store.sync_tables import sync_outbox
from observer.sync import state
from observer.sync.client import READ_TIMEOUT_S
from tests.support.hung_server import HungServer, hung_server  # noqa: F401
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.prompts import FakePrompts
from tests.support.sync import Laptop, Lead, LiveServer, lead_with_a_draft
from tests.ui.sync.test_sync_window import control_of, window_of

PROMPT_S = 1.0  # "within about a second"
# The whole app process's end, its teardown included, on a machine the test suite keeps
# busy; far from the read timeout a hung server would hold it for.
PROCESS_EXIT_S = 5.0
DRIVER = Path(__file__).resolve().parents[2] / "e2e" / "quit_during_sync_driver.py"


def waiting_on(lead: Lead, server: HungServer) -> list[str]:
    """The lead's laptop synced, then an action added (one change waits), and its team
    server now the one that never answers; the change ids waiting."""
    lead.laptop.sync.sync()
    lead.laptop.recording.add_action(lead.draft, "Share the plan with the school")
    with lead.laptop.db.session() as s, s.begin():
        state.put(s, **{state.SERVER: server.url})
    return change_ids(lead.laptop)


def change_ids(laptop: Services) -> list[str]:
    with laptop.db.session() as s:
        return sorted(str(c) for c in s.scalars(select(sync_outbox.c.change_id)))


def test_closing_the_window_ends_a_sync_that_waits_on_a_hung_server(
    qtbot: QtBot,
    prompts: FakePrompts,
    live_server: LiveServer,
    make_laptop: Laptop,
    hung_server: HungServer,  # noqa: F811
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    waiting = waiting_on(lead, hung_server)
    window = window_of(qtbot, lead.laptop, prompts)
    control = control_of(qtbot, window, lead.laptop, prompts)
    assert control.sync_now()
    qtbot.waitUntil(hung_server.hanging.is_set, timeout=30000)
    assert "/sync/v2/push" in hung_server.paths
    assert not QThreadPool.globalInstance().waitForDone(300), "the push waits on the server"

    started = time.monotonic()
    window.close()
    done = QThreadPool.globalInstance().waitForDone(int(READ_TIMEOUT_S * 1000))
    took = time.monotonic() - started
    print(f"the sync ended {took:.3f} s after the window was closed")

    assert done
    assert took < PROMPT_S, f"the sync took {took:.2f} s to end"
    qtbot.waitUntil(lambda: not control.running)
    assert not control.sync_action.isEnabled() or not control.sync_now()
    assert change_ids(lead.laptop) == waiting  # the unanswered push goes again next time


def test_the_app_quits_within_a_second_while_a_sync_waits_on_a_hung_server(
    live_server: LiveServer,
    make_laptop: Laptop,
    hung_server: HungServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    waiting = waiting_on(lead, hung_server)
    lead.laptop.close()  # the app opens the store itself
    flag = tmp_path / "close-now"
    process = subprocess.Popen(
        [sys.executable, str(DRIVER), str(lead.laptop.data_dir), str(flag)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "syncing\n"
        assert hung_server.hanging.wait(60)
        flag.touch()
        closing = process.stdout.readline()
        assert closing.startswith("closing "), closing
        process.wait(READ_TIMEOUT_S)
        took = time.monotonic() - float(closing.split()[1])
        _, err = process.communicate()
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert took < PROCESS_EXIT_S, f"the app took {took:.2f} s to end"
    print(f"the app ended {took:.3f} s after its window was closed")
    again = open_services(lead.laptop.data_dir, STORE_PASSPHRASE)
    try:
        assert change_ids(again) == waiting  # the unanswered push goes again next time
    finally:
        again.close()
