"""An observation's date lies between 1900 and 2199: a date at the calendar's ends (year 1,
year 9999) cannot be shown in every time zone, and once stored it broke every list."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from observer.errors import InvalidInput
from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.vocabulary import Kind
from tests.support.core import WHEN, NewDraft, Staff
from tests.support.passphrase import STORE_PASSPHRASE

EXTREMES = [
    pytest.param(datetime(1, 1, 1, tzinfo=UTC), id="year 1"),
    pytest.param(datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))), id="9999"),
    pytest.param(datetime(1899, 12, 31, 23, 59, tzinfo=UTC), id="1899"),
    pytest.param(datetime(2200, 1, 1, tzinfo=UTC), id="2200"),
]


@pytest.mark.parametrize("when", EXTREMES)
def test_a_date_out_of_range_is_refused_in_one_sentence(
    services: Services, staff: Staff, new_draft: NewDraft, when: datetime
) -> None:
    with pytest.raises(InvalidInput, match="must be from the year 1900 to 2199"):
        services.recording.create_draft(
            DraftDetails(staff.worker, staff.lead, Kind.HOME_VISIT, when)
        )
    record = new_draft()
    with pytest.raises(InvalidInput, match="must be from the year 1900 to 2199"):
        services.recording.save(record, [Change("observed_at", WHEN, when)])
    assert services.recording.get(record).observed_at == WHEN
    assert services.recording.count() == 1


def test_the_first_moment_allowed_lists_in_a_time_zone_behind_utc(
    services: Services, staff: Staff, data_dir: Path
) -> None:
    """New York is five hours behind: 1 January 1900 at midnight UTC is still 1899 there."""
    services.recording.create_draft(
        DraftDetails(staff.worker, staff.lead, Kind.HOME_VISIT, datetime(1900, 1, 1, tzinfo=UTC))
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVER_")}
    env |= {"OBSERVER_PASSPHRASE": STORE_PASSPHRASE, "TZ": "America/New_York"}
    for command in (["list"], ["team"], ["worker", "Siobhán Walker"]):
        done = subprocess.run(
            [sys.executable, "-m", "observer", "--data-dir", str(data_dir), *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "Something went wrong" not in done.stderr
