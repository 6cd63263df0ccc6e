"""Times `observer --help` and `observer --version`, each against its floor, in one run.

    .venv/bin/python benchmarks/cli.py [--runs N]

The floor is the leanest same-stack way to start: `python -c "import argparse"` with the
same interpreter and flags (the editable install's path hooks included). Runs alternate
floor, command, floor, command…, so that a moment's load slows both; the figures are
medians. The command table is declared without importing SQLAlchemy, the services or any
command's module (observer/cli/commands.py), so neither answer should cost much more than
the floor: the target is 1.5 times it, and at most 0.25 s on its own.
"""

from __future__ import annotations

import argparse
import compileall
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import Measurement, median, table  # noqa: E402

TARGET = 1.5
MOST_SECONDS = 0.25


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return time.perf_counter() - started


RUNS = 10


def measure(runs: int = RUNS) -> list[Measurement]:
    python = sys.executable
    floor_command = [python, "-c", "import argparse"]
    entry = "from observer.cli.main import main; raise SystemExit(main())"
    timings: dict[str, list[float]] = {"floor": [], "--help": [], "--version": []}
    for run in range(runs + 1):  # the first round only warms the disk cache
        round_ = {
            "floor": _seconds(floor_command),
            "--help": _seconds([python, "-c", entry, "--help"]),
            "--version": _seconds([python, "-c", entry, "--version"]),
        }
        if run:
            for key, seconds in round_.items():
                timings[key].append(seconds)
    floor = median(timings["floor"])
    how = f'median of {runs}; floor `python -c "import argparse"`; at most {MOST_SECONDS} s'
    return [
        Measurement(f"`observer {flag}`", median(timings[flag]), "s", TARGET, floor, how)
        for flag in ("--help", "--version")
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    compileall.compile_dir(ROOT / "observer", quiet=1)
    measurements = measure(args.runs)
    print(table(measurements))
    slow = [m for m in measurements if m.met is False or m.figure > MOST_SECONDS]
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
