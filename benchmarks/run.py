"""Every performance figure in one run: the figure, its floor, the ratio and the target.

    .venv/bin/python benchmarks/run.py [--store DIR] [--runs N] [--output FILE]

Makes a store of fictional records at scale, once, with the commands the page it writes
names (`observer setup`, then `observer demo --workers 2000 --observations 100000 --seed
1`, then its busiest worker given 500 observations, then a moderated sample of its busiest
quarter), and keeps it untouched: every run
measures fresh copies of it, one for the in-process figures and one for the GUI session
(both write to the store they are given: audit events, an autosaved draft), so a second
run, or someone else's on another machine, measures the same store as the first. A kept
store made at another schema is made again rather than upgraded, since an upgraded store
is not what a fresh machine makes.

Floors (a bare window, the stack's own cost of opening the store, bare reportlab and
pyHanko) are measured in the same run on the same machine, so a ratio holds even when the
machine is busy. Prints a markdown table and writes it, with the machine, its load, the
commit and the store, to docs/performance.md.

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
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
SETUP = ("--name", "Priya Shah", "--role", "practice_lead", "--organisation",
         "Northshire County Council")  # fmt: skip
# Megabytes of store per 1,000 observations, search index included (issue 15).
SIZE_TARGET_MB = 7.0


def default_store() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "practice-observer-benchmark"


def _observer(store: Path, *arguments: str) -> None:
    command = [sys.executable, "-m", "observer", "--data-dir", str(store), *arguments]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def ensure_store(store: Path, workers: int, observations: int, busy: int) -> dict[str, Any]:
    """The store of fictional records the figures are taken on: made when missing, or made
    with other sizes or at another schema, else reused as it is (it is never measured
    itself: see working_copy)."""
    from benchmarks.board_report import MODERATED_PERCENT, moderate_busiest_quarter
    from observer.store.db import SCHEMA_HEAD

    wanted: dict[str, Any] = {
        "workers": workers, "observations": observations, "busy": busy, "seed": SEED,
        "schema": SCHEMA_HEAD, "moderated_percent": MODERATED_PERCENT,
    }  # fmt: skip
    marker = store / MARKER
    if marker.exists():
        made: dict[str, Any] = json.loads(marker.read_text())
        if {k: made.get(k) for k in wanted} == wanted and made.get("complete"):
            return made
        shutil.rmtree(store)  # made here before: with other sizes, at another schema, unfinished
    elif store.exists() and any(store.iterdir()):
        raise SystemExit(
            f"{store} holds files this command did not make; give --store an empty folder."
        )
    print(f"Making a store of {observations:,} fictional observations in {store}…", flush=True)
    started, made_by, made_at = time.perf_counter(), commit(), _now()
    store.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({**wanted, "complete": False}))  # ours, even if cut short
    _observer(store, "setup", *SETUP)
    _observer(
        store, "demo", "--workers", str(workers), "--observations", str(observations),
        "--seed", str(SEED),
    )  # fmt: skip
    _give_busiest_worker(store, busy)
    made = {
        **wanted,
        "moderations": moderate_busiest_quarter(store),
        "complete": True,
        "commit": made_by,
        "made_at": made_at,
    }
    marker.write_text(json.dumps(made))
    print(f"Made it in {time.perf_counter() - started:.0f} s.", flush=True)
    return made


def working_copy(store: Path, scratch: Path, name: str) -> Path:
    """A fresh copy of the kept store, to measure: measuring writes to a store."""
    copy = scratch / name
    shutil.copytree(store, copy, ignore=shutil.ignore_patterns(MARKER, "backups"))
    os.sync()  # the copy written out now, not by the kernel while figures are taken
    return copy


def commit() -> str:
    """The commit measured, marked when the tree has changes not committed."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" with changes not committed" if git("status", "--porcelain") else "")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


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


def in_process(store: Path, runs: int | None) -> tuple[list[Measurement], str]:
    """Search, autosave and export, each taken as its own script takes it (or `runs`
    times); and the search's table by kind of query."""
    from benchmarks import editor, export, search
    from observer.services import open_services

    services = open_services(store, os.environ[PASSPHRASE_ENV])
    try:
        times, hits = search.timings(services, runs or search.REPEATS)
        return [
            search.measurement(times),
            editor.measure_autosave(services, saves=runs or editor.SAVES),
            *export.measure(services, runs=runs or export.RUNS),
        ], search.by_kind(times, hits)
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


def load() -> str:
    return ", ".join(f"{n:.1f}" for n in os.getloadavg())


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {memory:.0f} GiB"
    )


def report(
    measurements: list[Measurement],
    store: dict[str, Any],
    command: str,
    load_at_start: str,
    searches: str,
    session: str,
    service_section: str = "",
) -> str:
    setup = " ".join(f'"{part}"' if " " in part else part for part in SETUP)
    made = f"at commit {store['commit']}" if store.get("commit") else "by an earlier version"
    return "\n".join(
        [
            "# Performance",
            "",
            "Written by `benchmarks/run.py`; run it again to measure this machine:",
            "",
            "```sh",
            command,
            "```",
            "",
            f"Measured {_now()} at commit {commit()} on {machine()}; load average "
            f"{load_at_start} at the start and {load()} at the end (1, 5 and 15 minutes).",
            "",
            f"**The store** ({made}, {store.get('made_at', 'time not kept')}): "
            f"{store['observations']:,} fictional observations of {store['workers']:,} "
            "workers, made by",
            "",
            "```sh",
            f"observer --data-dir DIR setup {setup}",
            f"observer --data-dir DIR demo --workers {store['workers']} --observations "
            f"{store['observations']} --seed {store['seed']}",
            "```",
            "",
            f"then its busiest worker given {store['busy']} observations, and "
            f"{store.get('moderations', 'no')} moderations by the laptop's user of a "
            f"{store.get('moderated_percent', 10)}% sample of the busiest quarter "
            "(`benchmarks/board_report.py`, seeded: most ratings as the observer's, some a "
            "level or two apart). `benchmarks/run.py` does all of this once and keeps the "
            "store (`--store`, by default "
            "`~/.cache/practice-observer-benchmark`) for later runs, made again when the store's "
            "schema changes; every figure is taken on a fresh copy of it, so measuring never "
            "changes what the next run measures.",
            "",
            "The ratio is to the floor where there is one (measured in the same run), else "
            "to the target. Figures taken on a busy machine are slower: compare the load "
            "averages above with your own before comparing figures.",
            "",
            table(measurements),
            "",
            "**Search by kind of query** (`benchmarks/search.py`; hits per query in brackets):",
            "",
            searches,
            "",
            f"**The GUI session** (`benchmarks/gui_session.py`): {session}",
            "",
            f"**The Service section** (`benchmarks/service.py`): {service_section}",
            "",
            "What each floor is, and how each figure is taken, is in the docstrings of "
            "`benchmarks/startup.py`, `benchmarks/cli.py`, `benchmarks/export.py`, "
            "`benchmarks/search.py`, `benchmarks/editor.py`, `benchmarks/gui_session.py` and "
            "`benchmarks/service.py`; "
            "each runs on its own on a copy of the store, with the same counts as here.",
            "",
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=default_store(), help="the store folder")
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--busy", type=int, default=500, help="the busiest worker's records")
    parser.add_argument(
        "--runs",
        type=int,
        help="times each figure is taken (default: as each script takes it on its own: "
        "5 cold starts, 10 of each search, 200 autosaves, 20 exports, 20 page opens, 20 opens "
        "of the Service section)",
    )
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

    from benchmarks import board_report, cli, gui_session, service, startup

    load_at_start = load()
    made = ensure_store(args.store, args.workers, args.observations, args.busy)
    with tempfile.TemporaryDirectory(prefix="observer-benchmark-") as folder:
        scratch = Path(folder)
        size_figure = size(args.store)
        measured = working_copy(args.store, scratch, "measured")
        measurements = [
            *startup.measure(measured, args.runs or startup.RUNS),
            *cli.measure(args.runs or cli.RUNS),
        ]
        in_process_figures, searches = in_process(measured, args.runs)
        measurements += in_process_figures
        measurements += board_report.measure(measured, args.runs or board_report.RUNS)
        session_figures, session = gui_session.measure(
            working_copy(args.store, scratch, "session"),
            args.runs or gui_session.RUNS,
            args.runs or gui_session.STALL_RUNS,
        )
        service_figures, service_section = service.measure(
            working_copy(args.store, scratch, "service"), args.runs or service.RUNS
        )
        measurements += [*session_figures, *service_figures, size_figure]
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
    command = " ".join([".venv/bin/python benchmarks/run.py", *argv])
    page = report(measurements, made, command, load_at_start, searches, session, service_section)
    if team_server:
        page = page.rstrip("\n") + "\n\n" + team_server
    args.output.write_text(page, encoding="utf-8")
    print(f"\nWritten to {args.output}.")
    missed = [m.what for m in measurements if m.met is False]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
