"""Opening a store: created on first use, reopened as it was, without noise."""

from __future__ import annotations

import warnings
from pathlib import Path

from observer.services import open_services
from tests.support.passphrase import STORE_PASSPHRASE


def test_opening_a_store_raises_no_warnings(tmp_path: Path) -> None:
    """Warnings are failures in this project; opening a store is every start-up."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        open_services(
            tmp_path / "store", STORE_PASSPHRASE
        ).close()  # new: created by the migrations
        open_services(tmp_path / "store", STORE_PASSPHRASE).close()  # existing: checked and reused


def test_a_reopened_store_keeps_its_records(tmp_path: Path) -> None:
    first = open_services(tmp_path / "store", STORE_PASSPHRASE)
    try:
        team = first.people.add_team("Care Leavers")
    finally:
        first.close()
    again = open_services(tmp_path / "store", STORE_PASSPHRASE)
    try:
        assert [(t.id, t.name) for t in again.people.list_teams()] == [(team, "Care Leavers")]
        assert len(again.recording.frameworks()) == 4
    finally:
        again.close()
