"""Times a cold start of the app, each against its floor, measured in the same run.

    OBSERVER_PASSPHRASE=... .venv/bin/python benchmarks/startup.py --data-dir DIR [--runs N]

A cold start is a new Python process (the disk cache is warm, as when the app is opened
again between visits). Runs alternate: floor, app, floor, app…, so that a machine busy for
a moment slows both; the figures are medians.

- To the first window: from starting the process to the first paint of its first window.
  For the app that is the unlock prompt (no OBSERVER_PASSPHRASE); the floor is a bare
  PySide6 window (benchmarks/probes/bare_window.py).
- To the main window with its data: `main.py --quit-after-startup`, from starting the
  process to its end; the floor is the leanest way the same stack does that: importing the
  SQLAlchemy ORM and opening the store with SQLCipher's default key derivation before
  PySide6 is imported (its import hook slows every later import), then the bare window
  (benchmarks/probes/stack_floor.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import Measurement, app_environment, median, table  # noqa: E402
from benchmarks.probes.first_paint import MARK  # noqa: E402
from observer.paths import PASSPHRASE_ENV  # noqa: E402

RUNS = 5
PROBES = ROOT / "benchmarks" / "probes"
FIRST_WINDOW_TARGET = 1.5
WITH_DATA_TARGET = 1.3  # issue 15, item 14: at most 1.3 times the lean floor


class ProbeFailed(Exception):
    """A probe did not start or did not paint: its output says why."""


def _run(command: list[str], env: dict[str, str]) -> tuple[float | None, float]:
    """Seconds from starting `command` to its first paint (None when it reports none) and
    to its end."""
    started = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    ended = time.time()
    if done.returncode != 0:
        raise ProbeFailed(f"{' '.join(command)} ended with {done.returncode}: {done.stderr}")
    painted = [line.split()[1] for line in done.stdout.splitlines() if line.startswith(MARK)]
    return (float(painted[0]) - started if painted else None), ended - started


def _painted(command: list[str], env: dict[str, str]) -> float:
    painted, _ended = _run(command, env)
    if painted is None:
        raise ProbeFailed(f"{' '.join(command)} painted no window")
    return painted


def measure(data_dir: Path, runs: int) -> list[Measurement]:
    python = sys.executable
    store = data_dir / "observer.sqlite"
    bare = [python, str(PROBES / "bare_window.py")]
    first = [python, str(PROBES / "first_window.py"), "--data-dir", str(data_dir)]
    floor = [python, str(PROBES / "stack_floor.py"), str(store)]
    app = [python, str(ROOT / "main.py"), "--data-dir", str(data_dir), "--quit-after-startup"]
    timings: dict[str, list[float]] = {"bare": [], "first": [], "floor": [], "app": []}
    with tempfile.TemporaryDirectory(prefix="observer-benchmark-settings-") as settings:
        locked = app_environment(Path(settings), passphrase=False)
        unlocked = app_environment(Path(settings))
        for run in range(runs + 1):  # the first round only warms the disk cache
            round_ = {
                "bare": _painted(bare, unlocked),
                "first": _painted(first, locked),
                "floor": _run(floor, unlocked)[1],
                "app": _run(app, unlocked)[1],
            }
            if run > 0:
                for name, seconds in round_.items():
                    timings[name].append(seconds)
    how = f"median of {runs} cold starts"
    return [
        Measurement(
            "Cold start to the first window (the unlock prompt)",
            median(timings["first"]),
            "s",
            FIRST_WINDOW_TARGET,
            floor=median(timings["bare"]),
            how=how,
        ),
        Measurement(
            "Cold start to the main window with its data",
            median(timings["app"]),
            "s",
            WITH_DATA_TARGET,
            floor=median(timings["floor"]),
            how=how,
        ),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    if not os.environ.get(PASSPHRASE_ENV):
        print(f"Set {PASSPHRASE_ENV} to the store's passphrase.", file=sys.stderr)
        return 2
    print(table(measure(args.data_dir, args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
