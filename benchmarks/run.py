"""Every performance figure in one run: the figure, its floor, the ratio and the target.

    .venv/bin/python benchmarks/run.py [--store DIR] [--runs N] [--output FILE]

Makes (once, then reuses) a store of fictional records at scale with `observer demo
--workers 2000 --observations 100000`, gives its busiest worker 500 observations, then
times each measurement several times on it. Floors (a bare window, the stack's own cost
of opening the store, bare reportlab and pyHanko) are measured in the same run on the
same machine, so a ratio holds even when the machine is busy. Prints a markdown table and
writes it, with the machine and the store it was measured on, to docs/performance.md.

The store's passphrase is OBSERVER_PASSPHRASE, or a fixed one for a store this command
makes itself (its records are all fictional).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import Measurement, table  # noqa: E402
from observer.paths import PASSPHRASE_ENV  # noqa: E402

BENCHMARK_PASSPHRASE = "fictional benchmark records"
MARKER = "benchmark-store.json"
SEED = 1
DEFAULT_OUTPUT = ROOT / "docs" / "performance.md"
MB = 1024 * 1024
# Megabytes of store per 1,000 observations, search index included (issue 15).
SIZE_TARGET_MB = 7.0


def default_store() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "practice-observer-benchmark"


def _observer(store: Path, *arguments: str) -> None:
    command = [sys.executable, "-m", "observer", "--data-dir", str(store), *arguments]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def ensure_store(store: Path, workers: int, observations: int, busy: int) -> dict[str, int]:
    """The store of fictional records the figures are taken on: made when missing or made
    with other sizes, else reused as it is."""
    wanted = {"workers": workers, "observations": observations, "busy": busy, "seed": SEED}
    marker = store / MARKER
    if marker.exists():
        if json.loads(marker.read_text()) == {**wanted, "complete": True}:
            # A store made by an earlier version is upgraded here, once, not inside a
            # timed start (its before-upgrade copy is not kept: the store is rebuilt at will).
            from observer.services import open_services

            print(f"Opening the store in {store} (upgrading it if it is older)…", flush=True)
            open_services(store, os.environ[PASSPHRASE_ENV]).close()
            shutil.rmtree(store / "backups", ignore_errors=True)
            return wanted
        shutil.rmtree(store)  # made here before: with other sizes, or not finished
    elif store.exists() and any(store.iterdir()):
        raise SystemExit(
            f"{store} holds files this command did not make; give --store an empty folder."
        )
    print(f"Making a store of {observations:,} fictional observations in {store}…", flush=True)
    started = time.perf_counter()
    store.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({**wanted, "complete": False}))  # ours, even if cut short
    _observer(
        store,
        "setup",
        "--name",
        "Priya Shah",
        "--role",
        "practice_lead",
        "--organisation",
        "Northshire County Council",
    )
    _observer(
        store, "demo", "--workers", str(workers), "--observations", str(observations),
        "--seed", str(SEED),
    )  # fmt: skip
    _give_busiest_worker(store, busy)
    marker.write_text(json.dumps({**wanted, "complete": True}))
    print(f"Made it in {time.perf_counter() - started:.0f} s.", flush=True)
    return wanted


def _give_busiest_worker(store: Path, busy: int) -> None:
    from benchmarks.review import busiest_worker
    from observer.demo.generator import add_observations_for
    from observer.search.service import update_index
    from observer.services import open_services

    services = open_services(store, os.environ[PASSPHRASE_ENV])
    try:
        found = busiest_worker(services)
        if found is not None and found[1] < busy:
            add_observations_for(services, found[0], busy - found[1], seed=5)
        update_index(services.db)
    finally:
        services.close()


def in_process(store: Path, runs: int) -> list[Measurement]:
    from benchmarks import editor, export, search
    from observer.services import open_services

    services = open_services(store, os.environ[PASSPHRASE_ENV])
    try:
        return [
            search.measure(services, repeats=max(5, runs)),
            editor.measure_autosave(services, saves=40 * runs),
            *export.measure(services, runs=4 * runs),  # quick: more runs steady the median
        ]
    finally:
        services.close()


def size(store: Path) -> Measurement:
    from observer.paths import database_path
    from observer.services import open_services

    services = open_services(store, os.environ[PASSPHRASE_ENV])
    try:
        observations = services.recording.count()
    finally:
        services.close()
    path = database_path(store)
    files = [path, path.with_name(path.name + "-wal")]
    total = sum(file.stat().st_size for file in files if file.exists())
    return Measurement(
        "Store size per 1,000 observations",
        total / MB / observations * 1000,
        "MB",
        SIZE_TARGET_MB,
        how=f"{total / MB:,.0f} MB for {observations:,}, search index included",
    )


def machine() -> str:
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {memory:.0f} GiB; load average {load} at the end"
    )


def report(measurements: list[Measurement], sizes: dict[str, int], runs: int) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            "# Performance",
            "",
            "Written by `benchmarks/run.py`; run it again to measure this machine:",
            "",
            "```sh",
            ".venv/bin/python benchmarks/run.py",
            "```",
            "",
            f"Measured {when} on {machine()}. Store: {sizes['observations']:,} fictional "
            f"observations of {sizes['workers']:,} workers (`observer demo`), the busiest "
            f"worker given {sizes['busy']}. Each figure is taken {runs} or more times.",
            "",
            "The ratio is to the floor where there is one (measured in the same run), else "
            "to the target.",
            "",
            table(measurements),
            "",
            "What each floor is, and how each figure is taken, is in the docstrings of "
            "`benchmarks/startup.py`, `benchmarks/cli.py`, `benchmarks/export.py`, "
            "`benchmarks/search.py`, `benchmarks/editor.py` and `benchmarks/gui_session.py`.",
            "",
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=default_store(), help="the store folder")
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--busy", type=int, default=500, help="the busiest worker's records")
    parser.add_argument("--runs", type=int, default=5, help="times each figure is taken")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--server",
        action="store_true",
        help="also the team server's figures (benchmarks/server.py): 20 minutes or more, "
        "most of it seeding 1,000,000 observations (--server-keep keeps them for the next "
        "run); without it the page keeps the Team server section it has",
    )
    parser.add_argument(
        "--server-keep", type=Path, help="keep the seeded server here and reuse it next time"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault(PASSPHRASE_ENV, BENCHMARK_PASSPHRASE)
    # The app starts from bytecode, as installed; so do the probes timed against it.
    for folder in ("observer", "ui", "benchmarks"):
        compileall.compile_dir(ROOT / folder, quiet=1)

    from benchmarks import cli, gui_session, startup

    sizes = ensure_store(args.store, args.workers, args.observations, args.busy)
    measurements = [
        *startup.measure(args.store, args.runs),
        *cli.measure(max(10, args.runs)),
        *in_process(args.store, args.runs),
        *gui_session.measure(args.store, args.runs),
        size(args.store),
    ]
    print(table(measurements))
    from benchmarks import server

    previous = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    team_server = server.kept_section(previous)
    if args.server:
        result = server.measure(
            server.OBSERVATIONS, server.WORKERS, args.runs, keep=args.server_keep
        )
        print(table(result["measurements"]))
        measurements += result["measurements"]
        team_server = server.section(
            result, " ".join([".venv/bin/python benchmarks/run.py", *argv])
        )
    page = report(measurements, sizes, args.runs)
    if team_server:
        page = page.rstrip("\n") + "\n\n" + team_server
    args.output.write_text(page, encoding="utf-8")
    print(f"\nWritten to {args.output}.")
    missed = [m.what for m in measurements if m.met is False]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
