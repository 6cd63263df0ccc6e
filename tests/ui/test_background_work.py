"""Work on the thread pool: a finished job keeps nothing alive, and dates read the UK way."""

from __future__ import annotations

import gc
import weakref
from datetime import UTC, date, datetime

from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
from pytestqt.qtbot import QtBot

from ui.background import BatchJob
from ui.formatting import uk_date, uk_date_time
from ui.latest_result import LatestResult


class Held:
    """Something a step holds on to, such as a worker's whole history."""


def _settle() -> None:
    QThreadPool.globalInstance().waitForDone()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def test_a_finished_job_lets_go_of_what_its_steps_held(qtbot: QtBot) -> None:
    held = Held()
    seen = weakref.ref(held)
    done: list[int] = []
    job: BatchJob[Held] = BatchJob([held], lambda item: None)
    job.signals.finished.connect(lambda steps, _cancelled: done.append(steps))
    del held

    with qtbot.waitSignal(job.signals.finished, timeout=5000):
        job.start()
    del job
    _settle()

    assert done == [1]
    assert seen() is None


def test_a_load_lets_go_of_its_result_once_shown(qtbot: QtBot) -> None:
    loader = LatestResult()
    shown: list[weakref.ref[Held]] = []
    loader.ready.connect(lambda result: shown.append(weakref.ref(result)))

    with qtbot.waitSignal(loader.ready, timeout=5000):
        loader.request(Held)
    _settle()

    assert len(shown) == 1
    assert shown[0]() is None


def test_dates_read_day_month_year() -> None:
    assert uk_date(date(2025, 3, 7)) == "07/03/2025"
    assert uk_date(None) == ""
    # Stored times are UTC; they read in the laptop's time zone, like strftime's.
    at = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    assert uk_date(at) == at.astimezone().strftime("%d/%m/%Y")
    assert uk_date_time(at) == at.astimezone().strftime("%d/%m/%Y %H:%M")


def test_a_load_lets_go_of_its_result_without_waiting_for_a_full_collection(
    qtbot: QtBot,
) -> None:
    """Full collections are rare, and a load's result may be two thousand rows: once shown
    and no longer held by what showed it, the result is freed at once, not at the next
    full collection."""
    loader = LatestResult()
    shown: list[weakref.ref[Held]] = []
    loader.ready.connect(lambda result: shown.append(weakref.ref(result)))
    gc.collect()
    gc.disable()
    try:
        with qtbot.waitSignal(loader.ready, timeout=5000):
            loader.request(Held)
        QThreadPool.globalInstance().waitForDone()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

        assert len(shown) == 1
        assert shown[0]() is None
    finally:
        gc.enable()
