"""Runs the real app in its own process: starts a sync, then closes the window when told.

python quit_during_sync_driver.py DATA_DIR FLAG
    once the window is filled, chooses Sync now and prints "syncing"; once the file FLAG
    exists, prints "closing T" (T: the monotonic clock, the same in every process of the
    machine) and closes the window, as File → Quit does; the app then ends as usual.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ui import app as gui
from ui.main_window import MainWindow
from ui.sync.control import SyncControl

POLL_MS = 20


def main() -> int:
    data_dir, flag = sys.argv[1], Path(sys.argv[2])
    gui.application()
    timer = QTimer()
    started = False

    def step() -> None:
        nonlocal started
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = windows[0] if windows and windows[0].data_loaded else None
        control = None if window is None else window.findChild(SyncControl)
        if window is None or control is None or control.status is None:
            return
        if not started:
            started = control.sync_now()
            if started:
                print("syncing", flush=True)
            return
        if flag.exists():
            timer.stop()
            print(f"closing {time.monotonic():.4f}", flush=True)
            window.close()

    timer.timeout.connect(step)
    timer.start(POLL_MS)
    return gui.main(["--data-dir", data_dir])


if __name__ == "__main__":
    raise SystemExit(main())
