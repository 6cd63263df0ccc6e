"""The Board report benchmark's store preparation and probe, on a small fictional store: the
busiest quarter's sample is moderated (the user's own observations left to another), the
preparation can run again without moderating twice, and the probe times the real command."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.board_report import busiest_quarter, measure, moderate_busiest_quarter
from observer.demo.generator import generate
from observer.services import open_services
from observer.vocabulary import Role
from tests.support.passphrase import STORE_PASSPHRASE


@pytest.fixture
def store(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OBSERVER_PASSPHRASE", STORE_PASSPHRASE)
    services = open_services(store_dir, STORE_PASSPHRASE)
    try:
        services.profiles.set_up("Rhian Pritchard", Role.QA_LEAD, "Northshire County Council")
        generate(services, workers=20, observations=200, seed=3)
    finally:
        services.close()
    return store_dir


def test_the_busiest_quarter_is_moderated_once_and_the_report_is_timed(store: Path) -> None:
    first, last = busiest_quarter(store)
    assert (last - first).days in range(89, 92)
    moderated = moderate_busiest_quarter(store)
    assert moderated > 0
    assert moderate_busiest_quarter(store) == moderated  # kept, not made again
    services = open_services(store, STORE_PASSPHRASE)
    try:
        results = services.moderation.results(first, last)
    finally:
        services.close()
    assert results.moderations == moderated
    assert os.environ["OBSERVER_PASSPHRASE"] == STORE_PASSPHRASE
    (figure,) = measure(store, runs=1)
    assert figure.unit == "ms"
    assert figure.figure > 0
