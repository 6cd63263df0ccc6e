"""What every benchmark shares: a measurement with its floor and target, and the table.

A figure is compared either with a floor measured in the same run on the same machine
(the target is then a multiple of it, so the ratio holds on a busy machine) or, where no
floor makes sense, with an absolute target.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from observer.paths import PASSPHRASE_ENV


@dataclass(frozen=True)
class Measurement:
    what: str
    figure: float
    unit: str
    target: float | None
    """A multiple of `floor` when there is one, else the most `figure` may be; None for a
    figure that is reported, not judged."""
    floor: float | None = None
    how: str = ""
    """How the figure was taken (runs, which statistic), for the reader of the table."""

    @property
    def limit(self) -> float | None:
        if self.target is None:
            return None
        return self.target * self.floor if self.floor is not None else self.target

    @property
    def ratio(self) -> float | None:
        """To the floor where there is one, else to the target."""
        base = self.floor if self.floor is not None else self.target
        return self.figure / base if base else None

    @property
    def met(self) -> bool | None:
        limit = self.limit
        return None if limit is None else self.figure <= limit


def app_environment(settings: Path, *, passphrase: bool = True) -> dict[str, str]:
    """The environment a probe runs the app in: offscreen where there is no display, and
    with its own settings folder, so each run starts as the app does on a new laptop (in
    the Workers section, the window its default size) whatever the user last left open,
    and the user's own settings are not touched."""
    env = dict(os.environ)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = str(settings)
    if not passphrase:
        env.pop(PASSPHRASE_ENV, None)
    return env


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the value below which `share` of the runs fall."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil, at least the first
    return ordered[min(len(ordered), int(rank)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed_ms(
    runs: int, work: Callable[[], object], before: Callable[[], object] | None = None
) -> list[float]:
    """Milliseconds for each of `runs` calls of `work`, after one untimed call that warms
    the caches; `before` runs untimed ahead of each call."""
    work()
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _number(value: float, unit: str) -> str:
    digits = 2 if value < 10 else 1 if value < 100 else 0
    return f"{value:,.{digits}f} {unit}"


def table(measurements: Sequence[Measurement]) -> str:
    lines = [
        "| Measurement | Figure | Floor | Ratio | Target | Met |",
        "|---|---:|---:|---:|---|:-:|",
    ]
    for m in measurements:
        floor = _number(m.floor, m.unit) if m.floor is not None else "—"
        limit = m.limit
        if m.target is None or limit is None:
            target = "—"
        elif m.floor is not None:
            target = f"≤ {m.target:g}× floor ({_number(limit, m.unit)})"
        else:
            target = f"≤ {_number(m.target, m.unit)}"
        ratio = f"{m.ratio:.2f}" if m.ratio is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[m.met]
        what = f"{m.what} ({m.how})" if m.how else m.what
        lines.append(
            f"| {what} | {_number(m.figure, m.unit)} | {floor} | {ratio} | {target} | {met} |"
        )
    return "\n".join(lines)
