"""`observer sync …` as a user runs it: enrol with a code, status (also as JSON), a server
that cannot be reached (one sentence, exit 2, the outbox kept), and conflicts."""

from __future__ import annotations

import json

from observer.services import Services
from tests.support.commands import observer, one_line_error
from tests.support.sync import Laptop, LiveServer


def test_enrol_then_status(live_server: LiveServer, make_laptop: Laptop) -> None:
    laptop: Services = make_laptop("Aled Hughes")
    code = live_server.code_for("Aled Hughes")
    done = observer(laptop.data_dir, "sync", "enrol", live_server.url, code, "--name", "Laptop A")
    assert done.returncode == 0, done.stderr
    queued = laptop.sync.status().waiting
    assert queued == 1  # the merged-away profile row, which records signed here may name
    assert done.stdout == (
        f"Joined {live_server.url} as Aled Hughes, practice lead; 1 record waits to be sent: "
        "run `observer sync`.\n"
    )

    status = observer(laptop.data_dir, "sync", "status", "--json")
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)
    assert shown["server"] == live_server.url
    assert shown["last_synced_at"] is None
    assert shown["waiting"] >= 1
    assert shown["open_conflicts"] == 0
    plain = observer(laptop.data_dir, "sync", "status")
    assert "Last successful sync: never" in plain.stdout


def test_a_server_that_is_down_is_one_sentence_and_exit_2(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    laptop = make_laptop("Aled Hughes")
    code = live_server.code_for("Aled Hughes")
    assert observer(laptop.data_dir, "sync", "enrol", live_server.url, code).returncode == 0
    waiting = laptop.sync.status().waiting
    live_server.stop()
    line = one_line_error(observer(laptop.data_dir, "sync"))
    assert "could not be reached" in line
    assert laptop.sync.status().waiting == waiting


def test_plain_http_to_another_machine_is_refused(make_laptop: Laptop) -> None:
    laptop = make_laptop()
    line = one_line_error(
        observer(laptop.data_dir, "sync", "enrol", "http://sync.example.org", "X")
    )
    assert "must be reached over https" in line


def test_status_before_joining_and_no_conflicts(make_laptop: Laptop) -> None:
    laptop = make_laptop()
    assert "has not joined a team server" in observer(laptop.data_dir, "sync", "status").stdout
    assert observer(laptop.data_dir, "sync", "conflicts").stdout == "No open conflicts.\n"
    assert json.loads(observer(laptop.data_dir, "sync", "conflicts", "--json").stdout) == []
    line = one_line_error(observer(laptop.data_dir, "sync"))
    assert "has not joined" in line
