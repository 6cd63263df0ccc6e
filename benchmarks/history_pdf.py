"""Times a worker's signed history PDF on a real store: gathering, layout, signing.

    .venv/bin/observer --data-dir DIR demo --workers 2000 --observations 100000
    cp -r DIR COPY          # exporting writes to the store (audit trail, signing identity)
    .venv/bin/python benchmarks/history_pdf.py --data-dir COPY

The passphrase comes from OBSERVER_PASSPHRASE; the store needs a laptop user (`observer
setup`) or a signing identity. Times the busiest worker and one with about --typical
observations (default 50), each --runs times, and prints a markdown table with the pages
and size of each PDF. The history is the default one (signed observations only, each in
brief) unless --include-unsigned or --full, as `observer history` takes them. The PDFs go to
a temporary folder and are deleted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from observer.cli.main import passphrase_from_environment  # noqa: E402
from observer.documents.histories import export_history  # noqa: E402
from observer.review.worker_history import HistoryFilter  # noqa: E402
from observer.services import Services, open_services  # noqa: E402
from observer.store.models import Observation  # noqa: E402


def workers(services: Services, typical: int) -> list[tuple[uuid.UUID, int]]:
    """The busiest worker, and the one whose count is nearest `typical`."""
    with services.db.session() as s:
        counts = s.execute(
            select(Observation.observed_person_id, func.count()).group_by(
                Observation.observed_person_id
            )
        ).all()
    busiest = max(counts, key=lambda row: row[1])
    nearest = min(counts, key=lambda row: abs(row[1] - typical))
    return [(nearest[0], nearest[1]), (busiest[0], busiest[1])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--typical", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--include-unsigned", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    services = open_services(args.data_dir, passphrase_from_environment())
    print(
        "| observations (in the PDF) | pages | size | gather | lay out | sign + write "
        "| total (median) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for person_id, count in workers(services, args.typical):
            totals, phases = [], []
            for run in range(args.runs):
                marks: dict[str, float] = {}
                started = time.perf_counter()

                def progress(done: int, steps: int, marks: dict[str, float] = marks) -> None:
                    now = time.perf_counter()
                    if done == (steps - 1) // 2:
                        marks.setdefault("gathered", now)
                    if done == steps - 1:
                        marks.setdefault("laid out", now)

                target = Path(folder) / f"history-{run}.pdf"
                result = export_history(
                    services,
                    person_id,
                    target,
                    HistoryFilter(),
                    include_unsigned=args.include_unsigned,
                    full_summaries=args.full,
                    progress=progress,
                )
                ended = time.perf_counter()
                totals.append(ended - started)
                phases.append(
                    (
                        marks["gathered"] - started,
                        marks["laid out"] - marks["gathered"],
                        ended - marks["laid out"],
                    )
                )
            size = target.stat().st_size / 1_000_000
            median = statistics.median(totals)
            gather, layout, sign = (statistics.median(p[i] for p in phases) for i in range(3))
            print(
                f"| {count} ({result.observations}) | {result.pages} | {size:.1f} MB "
                f"| {gather:.1f} s | {layout:.1f} s | {sign:.1f} s | {median:.1f} s |"
            )
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
