"""A practice lead's laptop loses power mid-sentence: the draft is there on restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import open_services
from observer.vocabulary import Kind, Role
from tests.support.passphrase import STORE_PASSPHRASE

pytestmark = pytest.mark.e2e

DRIVER = Path(__file__).with_name("editor_driver.py")
TEXT = (
    "Jo knelt on the floor with the children and used the three houses tool; the younger "
    "child put the dog in the house of good things and said nobody shouts there. "
) * 2
KILL_AFTER = 110  # keys typed, about four seconds of steady typing
PROMISE_S = 2.0  # at most this much typing is lost
SLACK_S = 0.5  # timers on a busy machine


def a_draft(data_dir: Path) -> uuid.UUID:
    services = open_services(data_dir, STORE_PASSPHRASE)
    try:
        lead = services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire Council")
        worker = services.people.add_person(PersonDetails("Jo Adeyemi", Role.SOCIAL_WORKER))
        return services.recording.create_draft(
            DraftDetails(worker, lead.person_id, Kind.DIRECT_WORK, datetime.now(UTC))
        )
    finally:
        services.close()


def stored_strengths(data_dir: Path, observation_id: uuid.UUID) -> str:
    services = open_services(data_dir, STORE_PASSPHRASE)
    try:
        return services.recording.get(observation_id).strengths
    finally:
        services.close()


def app_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_a_killed_app_keeps_all_but_the_last_two_seconds_and_reopens_the_draft(
    data_dir: Path,
) -> None:
    observation_id = a_draft(data_dir)
    typing = subprocess.Popen(
        [sys.executable, str(DRIVER), "type", str(data_dir), str(observation_id), TEXT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=app_env(),
    )
    keys: list[tuple[int, float]] = []
    try:
        assert typing.stdout is not None
        deadline = time.monotonic() + 90
        while len(keys) < KILL_AFTER and time.monotonic() < deadline:
            line = typing.stdout.readline()
            if not line:
                break
            _, count, moment = line.split()
            keys.append((int(count), float(moment)))
    finally:
        killed_at = time.monotonic()
        typing.send_signal(signal.SIGKILL)
        _, errors = typing.communicate(timeout=30)
    assert len(keys) == KILL_AFTER, errors

    kept = stored_strengths(data_dir, observation_id)
    assert TEXT.startswith(kept), "the store holds exactly what was typed, in order"
    safe = max((n for n, at in keys if at <= killed_at - PROMISE_S - SLACK_S), default=0)
    assert safe > 40, "the typing ran long enough to test the promise"
    assert len(kept) >= safe, f"lost {KILL_AFTER - len(kept)} keys; at most {KILL_AFTER - safe}"

    restart = subprocess.run(
        [sys.executable, str(DRIVER), "report", str(data_dir)],
        capture_output=True,
        text=True,
        env=app_env(),
        timeout=90,
        check=False,
    )
    assert restart.returncode == 0, restart.stderr
    reopened = json.loads(restart.stdout.strip().splitlines()[-1])
    assert reopened == {str(observation_id): kept}
    assert stored_strengths(data_dir, observation_id) == kept
