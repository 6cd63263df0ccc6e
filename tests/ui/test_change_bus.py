"""The panels follow what the store changed, whoever changed it: the Workers list shows a
record signed elsewhere, a change from a background thread reaches the panel on the GUI
thread, a burst is one refresh, a hidden panel catches up when shown, and a panel ignores
what does not concern it."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from observer.changes import Changed, Topic
from observer.people.directory import PersonDetails
from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.review.settings import set_observation_interval_months
from observer.services import Services
from observer.vocabulary import Kind, Role, SignatureRole
from tests.support.core import CONSENT
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.qt import row_texts
from ui.change_bus import MIN_GAP_MS, ChangeBus
from ui.formatting import uk_date
from ui.lock import AppLock
from ui.main_window import MainWindow

WORKER = "Zoë Łukasiewicz"
OBSERVED_AT = datetime(2026, 2, 2, 10, 30, tzinfo=UTC)
WORKERS, OBSERVATIONS, ACTIONS = 0, 1, 2
raises_windows = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints|raise)\(\)$"
)


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompts, cast) -> MainWindow:
    main_window = MainWindow(services, prompts)
    qtbot.addWidget(main_window)
    main_window.show_section(WORKERS)
    with qtbot.waitSignal(main_window.first_data_loaded, timeout=5000):
        main_window.show()
        main_window.load_data()
    qtbot.waitExposed(main_window)
    return main_window


def worker_row(window: MainWindow, name: str = WORKER) -> dict[str, str]:
    view = window.workers_panel.table.view
    rows = [row_texts(view, row) for row in range(view.model().rowCount())]
    (row,) = [row for row in rows if row["Name"] == name]
    return row


def signed_record(services: Services, cast, observed_at: datetime = OBSERVED_AT) -> uuid.UUID:
    """A home visit of the worker, rated, judged and signed by observer and practitioner."""
    record = services.recording.create_draft(
        DraftDetails(cast.worker, cast.observer, Kind.HOME_VISIT, observed_at)
    )
    for rating in services.recording.get(record).ratings:
        services.recording.set_rating(
            record, rating.standard_code, level_code="good", evidence="Seen and heard."
        )
    services.recording.update(
        record, {"overall_level": "good", "overall_rationale": "Warm.", **CONSENT}
    )
    services.signoff.sign(record, SignatureRole.OBSERVER, "Priya Shah")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, WORKER)
    return record


def draft(services: Services, cast, observed_at: datetime = OBSERVED_AT) -> uuid.UUID:
    return services.recording.create_draft(
        DraftDetails(cast.worker, cast.observer, Kind.DIRECT_WORK, observed_at)
    )


def resets(model) -> list[None]:
    """One entry each time the model is filled again (a panel's reload)."""
    seen: list[None] = []
    model.modelReset.connect(lambda: seen.append(None))
    return seen


def told(window: MainWindow) -> list[Changed]:
    heard: list[Changed] = []
    window.changes.changed.connect(heard.append)
    return heard


# The Workers list follows records


def test_the_workers_list_shows_a_record_signed_elsewhere(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    assert window.stack.currentWidget() is window.workers_panel
    assert worker_row(window)["Observations"] == "0"
    assert worker_row(window)["Last observed"] == ""

    signed_record(services, cast)

    qtbot.waitUntil(lambda: worker_row(window)["Observations"] == "1")
    assert worker_row(window)["Last observed"] == uk_date(OBSERVED_AT)


def test_the_workers_list_follows_a_later_record_and_a_deleted_draft(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    signed_record(services, cast)
    qtbot.waitUntil(lambda: worker_row(window)["Observations"] == "1")
    later = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)

    record = draft(services, cast, later)

    qtbot.waitUntil(lambda: worker_row(window)["Observations"] == "2")
    assert worker_row(window)["Last observed"] == uk_date(later)

    services.recording.delete_draft(record)

    qtbot.waitUntil(lambda: worker_row(window)["Observations"] == "1")
    assert worker_row(window)["Last observed"] == uk_date(OBSERVED_AT)


def test_the_worker_page_follows_a_record_signed_elsewhere(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    page = window.worker_page
    with qtbot.waitSignal(page.loaded, timeout=5000):
        window.open_worker(cast.worker)
    assert page.tabs.tabText(3) == "Timeline (0)"

    signed_record(services, cast)

    qtbot.waitUntil(lambda: page.tabs.tabText(3) == "Timeline (1)", timeout=10_000)


# Threads, bursts, hidden panels, what does not concern a panel


def test_a_change_on_a_background_thread_reaches_the_panel_on_the_gui_thread(
    qtbot: QtBot, services: Services, window: MainWindow
) -> None:
    threads: list[threading.Thread] = []
    window.changes.changed.connect(lambda _changed: threads.append(threading.current_thread()))
    committed_on: list[threading.Thread] = []

    def add_in_the_background() -> None:
        services.people.add_person(PersonDetails("Tamsin Rowe", Role.SOCIAL_WORKER))
        committed_on.append(threading.current_thread())

    QThreadPool.globalInstance().start(add_in_the_background)

    qtbot.waitUntil(lambda: "Tamsin Rowe" in names(window))
    assert committed_on
    assert committed_on[0] is not threading.main_thread()
    assert threads
    assert all(thread is threading.main_thread() for thread in threads)


def names(window: MainWindow) -> list[str]:
    model = window.workers_panel.model
    return [model.record(row).person.name for row in range(model.rowCount())]


def test_a_burst_of_changes_is_one_notification_and_one_refresh(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    heard = told(window)
    reloads = resets(window.workers_panel.model)

    # In one turn of the event loop, as a demo import or a batch of saves would.
    records = {draft(services, cast) for _ in range(12)}
    for number in range(12):
        services.people.add_person(PersonDetails(f"Worker {number}", Role.SOCIAL_WORKER))
    assert heard == []

    qtbot.waitUntil(lambda: worker_row(window)["Observations"] == "12")
    QApplication.processEvents()
    assert len(heard) == 1
    assert heard[0].touches(Topic.RECORDS)
    assert heard[0].touches(Topic.PEOPLE)
    assert records <= heard[0].record_ids
    assert len(reloads) == 1
    assert "Worker 11" in names(window)


def test_a_hidden_panel_refreshes_when_shown_and_not_before(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    window.show_section(OBSERVATIONS)  # made and filled, then out of view
    window.show_section(WORKERS)
    observations = window.observations_panel
    assert observations.model.rowCount() == 0
    reloads = resets(observations.model)
    heard = told(window)

    record = draft(services, cast)
    qtbot.waitUntil(lambda: len(heard) == 1)
    qtbot.waitUntil(lambda: worker_row(window)["Observations"] == "1")

    assert reloads == []
    assert observations.model.rowCount() == 0
    window.show_section(OBSERVATIONS)
    assert len(reloads) == 1
    assert observations.select(record)


def test_a_panel_coming_into_view_shows_a_change_not_yet_told(
    services: Services, window: MainWindow, cast
) -> None:
    window.show_section(OBSERVATIONS)
    window.show_section(WORKERS)

    record = draft(services, cast)
    window.show_section(OBSERVATIONS)  # in the same turn of the event loop as the change

    assert window.observations_panel.select(record)


def test_a_settings_change_does_not_refresh_the_observations_list(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    window.show_section(OBSERVATIONS)
    reloads = resets(window.observations_panel.model)
    heard = told(window)

    set_observation_interval_months(services.db, 1, "Priya Shah")

    qtbot.waitUntil(lambda: len(heard) == 1)
    assert heard[0].touches(Topic.SETTINGS)
    assert not heard[0].touches(Topic.RECORDS | Topic.PEOPLE)
    assert reloads == []


def test_typing_in_a_record_does_not_reload_the_lists_in_view(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    """An editor saves every two seconds while its user types; the lists show nothing of
    the narrative, so they stay as they are, and a new date is shown."""
    record = draft(services, cast)
    window.show_section(OBSERVATIONS)
    qtbot.waitUntil(lambda: window.observations_panel.model.rowCount() == 1)
    reloads = resets(window.observations_panel.model)
    heard = told(window)

    services.recording.save(record, [Change("strengths", "", "Calm and curious with Ayo.")])

    qtbot.waitUntil(lambda: len(heard) == 1)
    assert heard[0].touches(Topic.RECORDS)
    assert reloads == []

    later = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
    services.recording.save(record, [Change("observed_at", OBSERVED_AT, later)])
    qtbot.waitUntil(lambda: len(reloads) == 1)


def test_a_panels_own_change_reloads_it_once(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    """Marking an action done reloads the Actions list at once; the bus then tells of that
    same commit, which the list already shows, so it does not read everything again."""
    record = draft(services, cast)
    services.recording.add_action(record, "Read the chronology", cast.worker, None)
    window.show_section(ACTIONS)
    panel = window.actions_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.table.view.selectRow(0)
    reloads = resets(panel.model)
    heard = told(window)

    panel.toggle_selected()

    qtbot.waitUntil(lambda: any(c.touches(Topic.ACTIONS) for c in heard))
    qtbot.wait(MIN_GAP_MS + 200)  # past the gap in which a second reload would wait
    assert len(reloads) == 1


# The bus's life: the lock screen, the window going


@raises_windows
def test_a_change_made_while_locked_is_shown_after_unlocking(
    qtbot: QtBot, services: Services, window: MainWindow, cast
) -> None:
    lock = AppLock(services, window, idle_ms=3_600_000)
    try:
        lock.lock()
        assert not window.isVisible()

        signed_record(services, cast)
        QApplication.processEvents()
        assert worker_row(window)["Observations"] == "0"  # hidden: nothing reloaded yet

        assert lock.dialog is not None
        lock.dialog.passphrase.setText(STORE_PASSPHRASE)
        lock.dialog.accept()

        assert window.isVisible()
        qtbot.waitUntil(lambda: worker_row(window)["Observations"] == "1")
        signed_record(services, cast, datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
        qtbot.waitUntil(lambda: worker_row(window)["Observations"] == "2")
    finally:
        if isValid(lock):
            QApplication.instance().removeEventFilter(lock)
            lock.idle_timer.stop()


def test_a_bus_that_is_gone_hears_nothing_and_breaks_nothing(
    qtbot: QtBot, services: Services, cast, caplog: pytest.LogCaptureFixture
) -> None:
    bus = ChangeBus(services.changes)
    heard: list[Changed] = []
    bus.changed.connect(heard.append)
    draft(services, cast)
    qtbot.waitUntil(lambda: len(heard) == 1)

    with qtbot.waitSignal(bus.destroyed, timeout=5000):
        bus.deleteLater()
    caplog.set_level(logging.ERROR)
    draft(services, cast)
    QApplication.processEvents()

    assert len(heard) == 1
    assert not [r for r in caplog.records if "listener" in r.getMessage()]


def test_a_closed_bus_tells_nothing_more(qtbot: QtBot, services: Services, cast) -> None:
    bus = ChangeBus(services.changes)
    heard: list[Changed] = []
    bus.changed.connect(heard.append)

    draft(services, cast)
    bus.close()
    QApplication.processEvents()
    draft(services, cast)
    QApplication.processEvents()

    assert heard == []
