"""Times the GUI as a manager uses it, with real widgets on a real store.

    cp -r DIR COPY          # the export writes audit events: never probe the original
    QT_QPA_PLATFORM=offscreen OBSERVER_PASSPHRASE=... \\
        .venv/bin/python benchmarks/gui_session.py --data-dir COPY [--runs N] [--json]

The main window is built as the app builds it (ui/app.py) and filled from the store;
then, with every wait on a signal in an event loop (never a sleep):

- after a second with the window (as a user takes before choosing anything), the
  worker page of the busiest worker: from asking for it to the page filled and
  painted, --runs times, another worker opened in between so each open starts afresh;
- the team overview: from asking for it to the table filled and painted, --runs times;
- the longest stall of the GUI thread (the largest gap between the ticks of a 5 ms
  timer) while 200 signed summaries are exported through the export dialog, and while a
  few varied searches are typed, --stall-runs times each;
- the peak resident memory of the process at the end.

Nothing modal may open: a message box or dialog that does is closed and the run fails.
--trace-stalls prints, for each long stall, what every thread was doing during it, and
each long run of the garbage collector.
`measure()` runs this as a subprocess and returns harness Measurements.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import Measurement, app_environment, median, percentile, table  # noqa: E402

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QWidget

WORKER_PAGE_TARGET_MS = 100.0
TEAM_OVERVIEW_TARGET_MS = 150.0  # issue 18: filled and painted, once opened before
TEAM_OVERVIEW_FIRST_TARGET_MS = 200.0  # issue 18: the first time
STALL_TARGET_MS = 50.0
RSS_TARGET_MB = 300.0
HEARTBEAT_MS = 5
RUNS = 20
STALL_RUNS = 2
EXPORTED = 200
KEY_GAP_MS = 120  # between typed characters: a quick typist, slower than the search's pause
QUERIES = ("mother", "safeg*", '"foster carer"', "scared boyfriend", "chron*", "xylophone")
WAIT_S = 120.0
SETTLE_MS = 1000
EXPORT_WAIT_S = 1800.0
TEAM_SECTION = 4  # Workers, Observations, Actions, Search, Team


# Waiting without sleeping


class SignalWait:
    """Connects at once, so a signal sent while the action runs is not missed; `wait` runs
    an event loop until it has come, and gives the moment it came (perf_counter)."""

    def __init__(self, signal: SignalInstance) -> None:
        from PySide6.QtCore import QEventLoop

        self._signal = signal
        self._loop = QEventLoop()
        self.at: float | None = None
        signal.connect(self._came)

    def _came(self, *_: object) -> None:
        if self.at is None:
            self.at = time.perf_counter()
        self._loop.quit()

    def wait(self, timeout_s: float, what: str) -> float:
        from PySide6.QtCore import QTimer

        try:
            if self.at is None:
                timer = QTimer()
                timer.setSingleShot(True)
                timer.timeout.connect(self._loop.quit)
                timer.start(int(timeout_s * 1000))
                self._loop.exec()
                timer.stop()
        finally:
            self._signal.disconnect(self._came)
        if self.at is None:
            raise TimeoutError(f"{what}: nothing after {timeout_s:.0f} s")
        return self.at


def wait_until(done: Callable[[], bool], timeout_s: float, what: str, poll_ms: int = 20) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(poll_ms)
    poll.timeout.connect(lambda: loop.quit() if done() else None)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    if not done():
        poll.start()
        deadline.start(int(timeout_s * 1000))
        loop.exec()
        poll.stop()
        deadline.stop()
    if not done():
        raise TimeoutError(f"{what}: not done after {timeout_s:.0f} s")


def painted(window: QWidget) -> None:
    """Returns once what was filled is on screen: the layouts Qt puts off until the event
    loop next turns (column widths, say) are done, and the window is painted."""
    from PySide6.QtWidgets import QApplication

    for _ in range(2):  # the second takes what the first posted (paints after layouts)
        QApplication.processEvents()
    window.repaint()


def run_later(ms: int, work: Callable[[], object]) -> None:
    from PySide6.QtCore import QTimer

    QTimer.singleShot(ms, work)


# What the GUI thread does


class Heartbeat:
    """A precise timer every HEARTBEAT_MS on the GUI thread: the largest gap between its
    ticks is the longest the window could not have answered a click or painted."""

    def __init__(self, interval_ms: int = HEARTBEAT_MS, trace_over_ms: float | None = None):
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.longest = 0.0
        self.last = 0.0
        self._tracer = StallTracer(self, trace_over_ms) if trace_over_ms else None

    def start(self) -> None:
        self.longest = 0.0
        self.last = time.perf_counter()
        self.timer.start()
        if self._tracer is not None:
            self._tracer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, (now - self.last) * 1000)
        self.last = now

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        if self._tracer is not None:
            self._tracer.stop()
        return self.longest


class StallTracer:
    """A thread that looks at every thread's stack whenever the heartbeat is late, and prints
    the stacks seen during each stall longer than `over_ms` (to stderr). A thread holding
    the GIL in C code stops this one too: its stack is then where that call was made."""

    def __init__(self, heartbeat: Heartbeat, over_ms: float) -> None:
        self._heartbeat = heartbeat
        self._over_s = over_ms / 1000
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._collecting_since = 0.0

    def start(self) -> None:
        import gc

        gc.callbacks.append(self._collected)
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        import gc

        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        gc.callbacks.remove(self._collected)

    def _collected(self, phase: str, info: dict[str, int]) -> None:
        """Says so when the garbage collector, which holds the GIL, ran for long."""
        if phase == "start":
            self._collecting_since = time.perf_counter()
            return
        took = (time.perf_counter() - self._collecting_since) * 1000
        if took > 10:
            where = threading.current_thread().name
            print(
                f"--- gc of generation {info['generation']} took {took:.0f} ms on {where}",
                file=sys.stderr,
            )

    def _watch(self) -> None:
        late_since: float | None = None
        seen: dict[str, int] = {}
        while not self._stop.wait(0.002):
            last = self._heartbeat.last
            late = time.perf_counter() - last
            if late > self._over_s / 2:
                late_since = last
                here = threading.get_ident()
                for ident, frame in sys._current_frames().items():
                    if ident == here:
                        continue
                    who = "GUI thread" if ident == self._main else f"thread {ident}"
                    stack = who + ":\n" + "".join(traceback.format_stack(frame)[-10:])
                    seen[stack] = seen.get(stack, 0) + 1
            elif late_since is not None:
                stalled = (last - late_since) * 1000
                if stalled > self._over_s * 1000 and seen:
                    print(f"--- GUI thread stalled {stalled:.0f} ms; stacks:", file=sys.stderr)
                    for stack, count in sorted(seen.items(), key=lambda s: -s[1])[:6]:
                        print(f"[{count} samples]\n{stack}", file=sys.stderr)
                late_since = None
                seen = {}


class ModalGuard:
    """Nothing may wait for a person: a modal window that opens is closed, and remembered."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.seen: list[str] = []
        self._timer = QTimer()
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def _check(self) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        modal = QApplication.activeModalWidget()
        if modal is None:
            return
        text = modal.text() if isinstance(modal, QMessageBox) else modal.windowTitle()
        self.seen.append(f"{type(modal).__name__}: {text}")
        modal.close()

    def check(self) -> None:
        if self.seen:
            raise RuntimeError("a modal window opened during the probe: " + "; ".join(self.seen))


# The session


def type_key(panel: Any, char: str) -> float:
    """Types one character into the panel's search box, as a key press; when it was."""
    from PySide6.QtTest import QTest

    QTest.keyClick(panel.search, char)
    return time.perf_counter()


def _busiest_workers(services: Any) -> list[tuple[Any, int]]:
    from sqlalchemy import func, select

    from observer.store.models import Observation

    by_worker = (
        select(Observation.observed_person_id, func.count())
        .group_by(Observation.observed_person_id)
        .order_by(func.count().desc())
    )
    with services.db.session() as s:
        return [(row[0], row[1]) for row in s.execute(by_worker)]


def _to_export(services: Any) -> list[Any]:
    """Signed records first (their summaries are signed), the newest others after."""
    from observer.store.filters import ObservationFilter
    from observer.vocabulary import Status

    records = services.recording.list(ObservationFilter(status=Status.SIGNED), limit=EXPORTED)
    if len(records) < EXPORTED:
        chosen = {r.id for r in records}
        records += [r for r in services.recording.list(limit=EXPORTED * 2) if r.id not in chosen]
    return records[:EXPORTED]


def session(args: argparse.Namespace) -> dict[str, Any]:
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from observer.cli.main import passphrase_from_environment
    from observer.services import open_services

    scratch = Path(tempfile.mkdtemp(prefix="gui-session-"))
    # The window keeps its geometry in QSettings: the probe's go to a folder of its own.
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(kind, scope, str(scratch / "settings"))

    from ui.app import application
    from ui.lock import AppLock
    from ui.main_window import MainWindow
    from ui.prompts import Prompts

    app = application()
    started = time.perf_counter()
    services = open_services(args.data_dir, passphrase_from_environment())
    opened_ms = (time.perf_counter() - started) * 1000
    guard = ModalGuard()
    prompts = Prompts()
    trace = args.trace_stalls
    result: dict[str, Any] = {"load_average_start": os.getloadavg(), "open_store_ms": opened_ms}
    window: MainWindow | None = None
    try:
        started = time.perf_counter()
        window = MainWindow(services, prompts)
        AppLock(services, window, idle_ms=24 * 3600 * 1000)  # the event filter, never the lock
        window.show()
        first = SignalWait(window.first_data_loaded)
        run_later(0, window.load_data)
        result["first_data_ms"] = (first.wait(WAIT_S, "first data") - started) * 1000
        guard.check()
        # A second with the window, as a user takes to look at it before choosing anything:
        # what the app does once it is filled (ui.main_window._settle) is done by then.
        settle = QEventLoop()
        QTimer.singleShot(SETTLE_MS, settle.quit)
        settle.exec()

        workers = _busiest_workers(services)
        if len(workers) < 2:
            raise RuntimeError("the store needs observations of two workers: run demo first")
        busy, busy_count = workers[0]
        other = workers[len(workers) // 2][0]
        result["busy_worker_observations"] = busy_count
        result["observations"] = services.recording.count()

        # The worker page
        page = window.worker_page

        def open_page(person: Any) -> float:
            started = time.perf_counter()
            loaded = SignalWait(page.loaded)
            window.open_worker(person)
            loaded.wait(WAIT_S, "worker page")
            painted(window)
            return (time.perf_counter() - started) * 1000

        window.show_section(0)
        page_ms = []
        for run in range(args.runs + 1):
            open_page(other)  # so that each timed open is of a page showing someone else
            window.leave_worker_page()
            figure = open_page(busy)
            window.leave_worker_page()
            if run:
                page_ms.append(figure)
            else:  # the page is made, and the store's pages read, for the first time
                result["worker_page_first_ms"] = figure
        result["worker_page_ms"] = page_ms
        guard.check()

        # The team overview: first when its section is chosen (the panel is made then, and
        # reads the overview in the background), then as when its period changes
        started = time.perf_counter()
        window.show_section(TEAM_SECTION)
        team = window.team_panel
        if team.loading:  # its result comes through the event loop, not before this wait
            SignalWait(team.loaded).wait(WAIT_S, "team overview")
        painted(window)
        result["team_overview_first_ms"] = (time.perf_counter() - started) * 1000

        def overview() -> float:
            started = time.perf_counter()
            loaded = SignalWait(team.loaded)
            team.reload()
            loaded.wait(WAIT_S, "team overview")
            painted(window)
            return (time.perf_counter() - started) * 1000

        result["team_overview_ms"] = [overview() for _ in range(args.runs)]
        result["team_workers"] = team.model.rowCount()
        guard.check()

        # Stalls while searching
        heartbeat = Heartbeat(trace_over_ms=STALL_TARGET_MS / 2 if trace else None)
        panel = window.search_panel
        window.search_observations()
        search_stalls, search_ms = [], []
        for _ in range(args.stall_runs):
            heartbeat.start()
            for query in QUERIES:
                panel.search.selectAll()
                searched = SignalWait(panel.searched)
                typed: list[float] = []
                for n, char in enumerate(query):
                    run_later(KEY_GAP_MS * n, lambda c=char, t=typed: t.append(type_key(panel, c)))
                came = searched.wait(WAIT_S, f"search for {query}")
                if len(typed) != len(query) or panel.search.text() != query:
                    raise RuntimeError(f"the search box holds {panel.search.text()!r}")
                search_ms.append((came - typed[-1]) * 1000)
            search_stalls.append(heartbeat.stop())
        result["search_stall_ms"] = search_stalls
        result["search_after_typing_ms"] = search_ms
        result["search_hits_shown"] = panel.model.rowCount()
        guard.check()

        # Stalls while exporting
        from ui.dialogs.export_summaries import ExportSummariesDialog

        records = _to_export(services)
        result["exported_signed"] = sum(r.status.value == "signed" for r in records)
        export_stalls, export_s = [], []
        for run in range(args.stall_runs):
            folder = scratch / f"export-{run}"
            folder.mkdir()
            dialog = ExportSummariesDialog(services.summaries, prompts, records, folder, window)
            dialog.show()
            app.processEvents()
            if trace:
                import gc

                print(
                    f"--- export {run}: {len(gc.get_objects())} objects collected, "
                    f"{gc.get_freeze_count()} set aside",
                    file=sys.stderr,
                )
            heartbeat.start()
            started = time.perf_counter()
            dialog.start_button.click()
            wait_until(lambda d=dialog: not d.running(), EXPORT_WAIT_S, "export")
            export_s.append(time.perf_counter() - started)
            export_stalls.append(heartbeat.stop())
            written = len(list(folder.glob("*.pdf")))
            if written != len(records) or dialog.problems.count():
                raise RuntimeError(f"the export wrote {written} of {len(records)} summaries")
            dialog.close()
            dialog.deleteLater()
        result["export_stall_ms"] = export_stalls
        result["export_s"] = export_s
        guard.check()
    finally:
        if window is not None:
            from PySide6.QtCore import QThreadPool

            QThreadPool.globalInstance().waitForDone()
            window.hide()
            window.deleteLater()
        services.close()
        shutil.rmtree(scratch, ignore_errors=True)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["load_average_end"] = os.getloadavg()
    return result


# Figures


def measurements(result: dict[str, Any]) -> list[Measurement]:
    runs = len(result["worker_page_ms"])
    stall_runs = len(result["search_stall_ms"])
    busy = result["busy_worker_observations"]
    return [
        Measurement(
            f"Worker page, {busy} observations",
            percentile(result["worker_page_ms"], 0.95),
            "ms",
            WORKER_PAGE_TARGET_MS,
            how=f"p95 of {runs}, asked to filled and painted",
        ),
        Measurement(
            f"Worker page, {busy} observations, first open after start",
            result["worker_page_first_ms"],
            "ms",
            WORKER_PAGE_TARGET_MS,
            how="once, its records not yet read by this process",
        ),
        Measurement(
            f"Team overview, {result['team_workers']:,} workers",
            percentile(result["team_overview_ms"], 0.95),
            "ms",
            TEAM_OVERVIEW_TARGET_MS,
            how=f"p95 of {len(result['team_overview_ms'])}, asked to filled and painted",
        ),
        Measurement(
            f"Team overview, {result['team_workers']:,} workers, first open after start",
            result["team_overview_first_ms"],
            "ms",
            TEAM_OVERVIEW_FIRST_TARGET_MS,
            how="once, its section first chosen",
        ),
        Measurement(
            f"Longest GUI-thread stall during a batch export of {EXPORTED} summaries "
            f"({result['exported_signed']} signed)",
            max(result["export_stall_ms"]),
            "ms",
            STALL_TARGET_MS,
            how=f"max of {stall_runs}, {HEARTBEAT_MS} ms heartbeat",
        ),
        Measurement(
            f"Longest GUI-thread stall during searches of {result['observations']:,} observations",
            max(result["search_stall_ms"]),
            "ms",
            STALL_TARGET_MS,
            how=f"max of {stall_runs}, {len(QUERIES)} queries typed",
        ),
        Measurement(
            f"Peak memory of the GUI with {result['observations']:,} observations",
            result["peak_rss_mb"],
            "MB",
            RSS_TARGET_MB,
            how="ru_maxrss at the end",
        ),
    ]


def details(result: dict[str, Any]) -> str:
    load = ", ".join(f"{n:.1f}" for n in result["load_average_end"])
    return (
        f"Load average {load} on {os.cpu_count()} CPUs. Opening the store took "
        f"{result['open_store_ms']:.0f} ms; the window was first filled "
        f"{result['first_data_ms']:.0f} ms after it was made. Worker page median "
        f"{median(result['worker_page_ms']):.1f} ms, first open (after another worker's) "
        f"{result['worker_page_first_ms']:.0f} ms; team overview median "
        f"{median(result['team_overview_ms']):.1f} ms, first open "
        f"{result['team_overview_first_ms']:.0f} ms. A search's results came a median "
        f"{median(result['search_after_typing_ms']):.0f} ms after the last key (the pause "
        f"before searching included). {EXPORTED} summaries ({result['exported_signed']} "
        f"signed) took a median {median(result['export_s']):.1f} s to export."
    )


def measure(
    data_dir: Path, runs: int = RUNS, stall_runs: int = STALL_RUNS
) -> tuple[list[Measurement], str]:
    """Runs the probe in a process of its own (its peak memory is the GUI's alone) on
    `data_dir`, which it writes to (audit events of the export): give it a copy. The
    figures, and what details() says of them."""
    script = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory(prefix="observer-benchmark-settings-") as settings:
        done = subprocess.run(
            [
                *(sys.executable, script, "--json", "--runs", str(runs)),
                *("--stall-runs", str(stall_runs), "--data-dir", str(data_dir)),
            ],
            env=app_environment(Path(settings)),
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the GUI session failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return measurements(result), details(result)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=RUNS, help="timed opens of each page")
    parser.add_argument(
        "--stall-runs", type=int, default=STALL_RUNS, help="exports and typed searches watched"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--trace-stalls", action="store_true", help="print the GUI thread's stack in stalls"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.stall_runs < 1:
        parser.error("--runs and --stall-runs must be at least 1")
    result = session(args)
    if args.json:
        print(json.dumps(result))
    else:
        print(details(result) + "\n")
        print(table(measurements(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
