"""The collector during start-up: off while the app loads, on again once the window is filled."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from observer.services import Services
from ui.main_window import MainWindow
from ui.memory import hold_off_collection, set_aside_what_is_loaded


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


def test_the_module_sources_pyside_read_as_they_were_imported_are_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PySide6's import hook reads every module imported after it whole, into linecache:
    some 20 MB of source the app never needs, kept for good unless let go."""
    import linecache

    module = tmp_path / "imported_after_pyside.py"
    module.write_text("WORDS = 'a module imported once PySide6 is'\n" * 50, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("imported_after_pyside")  # as an import statement does, through the hook
    assert str(module) in linecache.cache

    set_aside_what_is_loaded("a module imported after PySide6")

    assert str(module) not in linecache.cache
