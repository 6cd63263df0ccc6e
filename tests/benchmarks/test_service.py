"""The Service section's benchmark times the quarter holding the most observations."""

from __future__ import annotations

from datetime import date

from benchmarks.service import SERVICE_TARGET_MS, busiest_quarter, details, measurements
from observer.services import Services
from tests.support.review import Recorder


def test_the_quarter_timed_is_the_one_with_the_most_observations(
    services: Services, record: Recorder
) -> None:
    for day in (date(2025, 2, 1), date(2025, 8, 1), date(2025, 9, 30), date(2025, 7, 1)):
        record.observation(day)

    assert busiest_quarter(services) == (date(2025, 7, 1), 3)


def test_its_figures_are_the_p95_and_the_first_open_against_300_ms() -> None:
    result = {
        "quarter": "July to September 2026",
        "observations_in_quarter": 15116,
        "observations": 100394,
        "rated": 105571,
        "first_ms": 420.0,
        "opened_ms": [float(n) for n in range(100, 120)],
        "load_average_end": (1.0, 1.0, 1.0),
    }

    p95, first = measurements(result)

    assert (p95.figure, p95.target, p95.met) == (118.0, SERVICE_TARGET_MS, True)
    assert (first.figure, first.met) == (420.0, False)
    assert "July to September 2026, 15,116 observations" in p95.what
    assert details(result).startswith("The Service section for July to September 2026")
