"""Times the Service section opening for a quarter, with real widgets on a real store.

    cp -r DIR COPY          # opening a store of an older schema upgrades it: never the original
    QT_QPA_PLATFORM=offscreen OBSERVER_PASSPHRASE=... \\
        .venv/bin/python benchmarks/service.py --data-dir COPY [--runs N] [--json]

The quarter timed is the one holding the most observations (on this laptop's calendar),
compared, as the section does, with the quarter before it. The Service panel is made as
the main window makes it, 1366×768, on that quarter, with every team, kind and framework
version; from asking for the figures to the panel filled and painted (the figures read
off the GUI thread, the chart, the tables, the child's voice), with every wait on a
signal in an event loop (never a sleep):

- first: once, its records not yet read by this process;
- then --runs times, as when its user comes back to it or changes a choice.

`measure()` runs this as a subprocess and returns harness Measurements.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import Measurement, app_environment, median, percentile  # noqa: E402

SERVICE_TARGET_MS = 300.0  # issue 17: the Service section for a quarter, p95
RUNS = 20
WAIT_S = 120.0
SIZE = (1366, 768)


def busiest_quarter(services: Any) -> tuple[date, int]:
    """A day in the quarter holding the most observations, and how many it holds."""
    from sqlalchemy import select

    from observer.service.period import quarter_of
    from observer.store.models import Observation, raw_moment, stored_local_day

    with services.db.session() as s:
        moments = s.connection().execute(select(raw_moment(Observation.observed_at))).scalars()
        quarters = Counter(quarter_of(stored_local_day(m)).first for m in moments)
    first, held = quarters.most_common(1)[0]
    return first, held


def session(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.gui_session import SignalWait, painted
    from observer.cli.main import passphrase_from_environment
    from observer.service.period import period_name, quarter_of
    from observer.services import open_services
    from ui.app import application
    from ui.panels.board_report import BoardReportTab
    from ui.panels.service import ServicePanel
    from ui.prompts import Prompts

    app = application()
    services = open_services(args.data_dir, passphrase_from_environment())
    result: dict[str, Any] = {"load_average_start": os.getloadavg()}
    try:
        day, held = busiest_quarter(services)
        quarter = quarter_of(day)
        result["quarter"] = period_name(quarter)
        result["observations_in_quarter"] = held
        result["observations"] = services.recording.count()
        panel = ServicePanel(
            services.service_view, today=lambda: quarter.last, themes=services.themes.for_figures
        )
        panel.add_board_report(
            BoardReportTab(services.commentaries, services.board_reports, services.actor, Prompts())
        )
        panel.resize(*SIZE)
        panel.show()
        app.processEvents()

        def opened() -> float:
            started = time.perf_counter()
            loaded = SignalWait(panel.loaded)
            panel.reload()
            loaded.wait(WAIT_S, "Service section")
            painted(panel)
            return (time.perf_counter() - started) * 1000

        result["first_ms"] = opened()
        result["opened_ms"] = [opened() for _ in range(args.runs)]
        figures = panel.figures
        if figures is None or figures.query.period != quarter:
            raise RuntimeError("the Service section did not show the quarter asked for")
        result["rated"] = sum(f.rated for f in figures.standards)
        panel.close()
    finally:
        services.close()
    result["load_average_end"] = os.getloadavg()
    return result


def measurements(result: dict[str, Any]) -> list[Measurement]:
    runs = len(result["opened_ms"])
    quarter = f"{result['quarter']}, {result['observations_in_quarter']:,} observations"
    return [
        Measurement(
            f"Service section for a quarter ({quarter})",
            percentile(result["opened_ms"], 0.95),
            "ms",
            SERVICE_TARGET_MS,
            how=f"p95 of {runs}, asked to filled and painted, the quarter before compared",
        ),
        Measurement(
            f"Service section for a quarter ({quarter}), first open after start",
            result["first_ms"],
            "ms",
            SERVICE_TARGET_MS,
            how="once, its records not yet read by this process",
        ),
    ]


def details(result: dict[str, Any]) -> str:
    load = ", ".join(f"{n:.1f}" for n in result["load_average_end"])
    return (
        f"The Service section for {result['quarter']} ({result['observations_in_quarter']:,} "
        f"of {result['observations']:,} observations; {result['rated']:,} ratings counted): "
        f"median {median(result['opened_ms']):.0f} ms, first open {result['first_ms']:.0f} ms; "
        f"load average {load} on {os.cpu_count()} CPUs."
    )


def measure(data_dir: Path, runs: int = RUNS) -> tuple[list[Measurement], str]:
    """Runs the probe in a process of its own on `data_dir` (a copy: an older store is
    upgraded when opened). The figures, and what details() says of them."""
    script = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory(prefix="observer-benchmark-settings-") as settings:
        done = subprocess.run(
            [sys.executable, script, "--json", "--runs", str(runs), "--data-dir", str(data_dir)],
            env=app_environment(Path(settings)),
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the Service section probe failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return measurements(result), details(result)


def main(argv: list[str]) -> int:
    from benchmarks.harness import table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=RUNS, help="timed opens after the first")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    result = session(args)
    if args.json:
        print(json.dumps(result))
    else:
        print(details(result) + "\n")
        print(table(measurements(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
