"""Times the editor on a real store: one autosave, and opening a record in the editor.

    .venv/bin/observer --data-dir DIR demo --workers 2000 --observations 100000
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/editor.py --data-dir DIR

Prints a markdown table. The autosave is the editor's own write path (one text change,
merged and committed with synchronous=FULL); the open is building and showing the
window for a record ready for sign-off. The store is left as it was found.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import Measurement, percentile  # noqa: E402
from observer.cli.main import passphrase_from_environment  # noqa: E402
from observer.records.merge import Change  # noqa: E402
from observer.records.recording import ObservationFilter  # noqa: E402
from observer.services import Services, open_services  # noqa: E402
from observer.vocabulary import Status  # noqa: E402

AUTOSAVE_TARGET_MS = 20.0
SAVES = 200


def autosave_times(services: Services, saves: int) -> list[float] | None:
    """Milliseconds for each of `saves` autosaves of one typed word into a draft, which is
    put back as it was; None when the store has no draft."""
    drafts = services.recording.list(ObservationFilter(status=Status.DRAFT), limit=1)
    if not drafts:
        return None
    draft = drafts[0].id
    original = services.recording.get(draft).strengths
    times: list[float] = []
    text = original
    for _ in range(saves):
        typed = text + " w"
        started = time.perf_counter()
        services.recording.save(draft, [Change("strengths", text, typed)])
        times.append((time.perf_counter() - started) * 1000)
        text = typed
    services.recording.save(draft, [Change("strengths", text, original)])
    return times


def measure_autosave(services: Services, saves: int) -> Measurement:
    times = autosave_times(services, saves)
    if times is None:
        raise SystemExit("The store needs a draft: run demo first.")
    return Measurement(
        "Autosave of one edit, 95th percentile",
        percentile(times, 0.95),
        "ms",
        AUTOSAVE_TARGET_MS,
        how=f"{saves} saves",
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--saves", type=int, default=SAVES)
    parser.add_argument("--opens", type=int, default=10)
    args = parser.parse_args(argv)

    services = open_services(args.data_dir, passphrase_from_environment())
    try:
        ready = services.recording.list(ObservationFilter(status=Status.READY), limit=args.opens)
        saves = autosave_times(services, args.saves)
        if saves is None or not ready:
            print("The store needs drafts and records ready for sign-off: run demo first.")
            return 2

        from ui.app import application
        from ui.editor.window import EditorWindow
        from ui.prompts import Prompts

        app = application()
        opens: list[float] = []
        for record in ready:
            started = time.perf_counter()
            window = EditorWindow(services.for_record(), Prompts(), record.id)
            window.show()
            app.processEvents()
            opens.append((time.perf_counter() - started) * 1000)
            window.close()
            app.processEvents()
        observations = services.recording.count()
    finally:
        services.close()

    print(f"Store: {observations:,} observations.\n")
    print("| measurement | median | 95th percentile | target |")
    print("|---|---|---|---|")
    print(
        f"| autosave of one edit ({len(saves)} saves) | {statistics.median(saves):.1f} ms "
        f"| {percentile(saves, 0.95):.1f} ms | ≤ {AUTOSAVE_TARGET_MS:.0f} ms at the 95th |"
    )
    print(
        f"| open a record in the editor ({len(opens)} records) | "
        f"{statistics.median(opens):.0f} ms | {percentile(opens, 0.95):.0f} ms | — |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
