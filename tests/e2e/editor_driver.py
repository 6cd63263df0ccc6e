"""Runs the real app in its own process and acts on it as a user would, for the crash test.

python editor_driver.py type DATA_DIR OBSERVATION_ID TEXT
    opens the draft and types TEXT into its strengths, one key at a time, printing
    "typed N T" (characters typed, monotonic clock) after each key; then waits to be
    killed.
python editor_driver.py report DATA_DIR
    starts the app, then prints the editors it opened by itself as JSON and quits.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui import app as gui
from ui.main_window import MainWindow

KEY_INTERVAL_MS = 40


def loaded_window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.data_loaded:
            return widget
    return None


def main() -> int:
    mode, data_dir = sys.argv[1], sys.argv[2]
    qapp = gui.application()
    typed = 0
    timer = QTimer()

    def step() -> None:
        nonlocal typed
        window = loaded_window()
        if window is None:
            return
        if mode == "report":
            timer.stop()
            print(
                json.dumps(
                    {
                        str(observation_id): editor.page.bindings["strengths"].read()
                        for observation_id, editor in window.editors.windows.items()
                    }
                ),
                flush=True,
            )
            qapp.quit()
            return
        observation_id, text = uuid.UUID(sys.argv[3]), sys.argv[4]
        editor = window.editors.open(observation_id)
        assert editor is not None
        box = editor.page.bindings["strengths"].widget
        if typed < len(text):
            QTest.keyClicks(box, text[typed])
            typed += 1
            print(f"typed {typed} {time.monotonic():.4f}", flush=True)

    timer.timeout.connect(step)
    timer.start(KEY_INTERVAL_MS)
    return gui.main(["--data-dir", data_dir])


if __name__ == "__main__":
    raise SystemExit(main())
