"""The collector during start-up: off while the app loads, on again once the window is filled."""

from __future__ import annotations

import gc

from pytestqt.qtbot import QtBot

from observer.services import Services
from ui.main_window import MainWindow
from ui.memory import hold_off_collection


def test_the_collector_held_off_for_start_up_runs_again_once_the_window_is_filled(
    qtbot: QtBot, services: Services, prompts
) -> None:
    hold_off_collection()
    try:
        window = MainWindow(services, prompts)
        qtbot.addWidget(window)
        assert not gc.isenabled()

        with qtbot.waitSignal(window.first_data_loaded, timeout=5000):
            window.show()
            window.load_data()

        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what start-up loaded is set aside
    finally:
        gc.enable()
