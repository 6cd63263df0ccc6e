"""Times the manager's review on a real store: a busy worker's history, and the team overview.

    .venv/bin/observer --data-dir DIR demo --workers 2000 --observations 100000
    cp -r DIR COPY          # --prepare writes to the store it is given
    .venv/bin/python benchmarks/review.py --data-dir COPY --prepare

The passphrase comes from OBSERVER_PASSPHRASE. --prepare gives the busiest worker more
fictional observations until they have --busy of them (500, the size the worker page is
promised to open fast at); without it the store is only read, and the busiest worker is
timed as they are. Each measurement runs once to warm the caches, then --runs times;
"first open" starts each run on a new connection, whose page cache is empty. Prints a
markdown table, with the load average: on a busy machine the 95th percentile suffers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.harness import percentile, timed_ms  # noqa: E402
from observer.cli.main import passphrase_from_environment  # noqa: E402
from observer.review.team_overview import Period, team_overview  # noqa: E402
from observer.review.worker_history import HistoryFilter, worker_history  # noqa: E402
from observer.services import Services, open_services  # noqa: E402
from observer.store.models import Observation  # noqa: E402

WORKER_PAGE_TARGET_MS = 100.0
TEAM_OVERVIEW_TARGET_MS = 200.0


def _fresh_connection(services: Services) -> None:
    services.db.engine.dispose()
    with services.db.session() as s:
        s.execute(select(1))


def row(what: str, times: list[float], target: float) -> str:
    p95 = percentile(times, 0.95)
    return (
        f"| {what} | {statistics.median(times):.1f} ms | {p95:.1f} ms | ≤ {target:.0f} ms "
        f"| {p95 / target:.2f} |"
    )


def busiest_worker(services: Services) -> tuple[uuid.UUID, int] | None:
    """The worker observed most, and how often; None for a store with no observations."""
    busiest = select(Observation.observed_person_id, func.count().label("n")).group_by(
        Observation.observed_person_id
    )
    with services.db.session() as s:
        found = s.execute(busiest.order_by(func.count().desc()).limit(1)).first()
    return None if found is None else (found[0], int(found[1]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--busy", type=int, default=500, help="observations of the busy worker")
    parser.add_argument(
        "--prepare", action="store_true", help="add observations to the busiest worker (writes)"
    )
    args = parser.parse_args(argv)

    services = open_services(args.data_dir, passphrase_from_environment())
    try:
        found = busiest_worker(services)
        if found is None:
            print("The store has no observations: run demo first.")
            return 2
        worker, observations = found
        if observations < args.busy:
            if not args.prepare:
                print(
                    f"The busiest worker has {observations} observations, not {args.busy}: "
                    "run again with --prepare on a copy of the store."
                )
                return 2
            from observer.demo.generator import add_observations_for

            add_observations_for(services, worker, args.busy - observations, seed=5)
            observations = args.busy
        today = date.today()
        period = Period(today - timedelta(days=365), today)
        last_year = HistoryFilter(date_from=period.first, date_to=period.last)
        history = worker_history(services.db, worker, None, today)
        rows = team_overview(services.db, today, period)
        page = timed_ms(args.runs, lambda: worker_history(services.db, worker, None, today))
        # A new connection has an empty page cache: the page as first opened.
        cold = timed_ms(
            args.runs,
            lambda: worker_history(services.db, worker, None, today),
            before=lambda: _fresh_connection(services),
        )
        page_year = timed_ms(
            args.runs, lambda: worker_history(services.db, worker, last_year, today)
        )
        overview = timed_ms(args.runs, lambda: team_overview(services.db, today, period))
        total = services.recording.count()
    finally:
        services.close()

    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"Load average {load} on {os.cpu_count()} CPUs. Store: {total:,} observations; "
        f"the busy worker has {observations:,} "
        f"({len(history.recurring_areas)} recurring areas, {len(history.actions)} actions); "
        f"the team overview lists {len(rows):,} workers.\n"
    )
    print("| measurement | median | 95th percentile | target | 95th / target |")
    print("|---|---|---|---|---|")
    print(row(f"worker history, {observations} observations", page, WORKER_PAGE_TARGET_MS))
    print(row("worker history, first open (new connection)", cold, WORKER_PAGE_TARGET_MS))
    print(row("worker history, the last 12 months", page_year, WORKER_PAGE_TARGET_MS))
    print(row(f"team overview, {len(rows):,} workers", overview, TEAM_OVERVIEW_TARGET_MS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
