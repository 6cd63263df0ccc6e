"""Tells the benchmark when the first window is painted: a line `painted <epoch seconds>`
on stdout, then `then` runs with that window. Imports nothing but Qt's core and widgets,
which every probe needs anyway."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

MARK = "painted"


class _FirstPaint(QObject):
    def __init__(self, app: QApplication, then: Callable[[QWidget], object]) -> None:
        super().__init__(app)
        self._app = app
        self._then = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window().isVisible()
        ):
            # Reported once the paint has been handled, so the window is on screen.
            window = watched.window()
            self._app.removeEventFilter(self)
            QTimer.singleShot(0, lambda: self._report(window))
        return False

    def _report(self, window: QWidget) -> None:
        print(f"{MARK} {time.time():.6f}", flush=True)
        self._then(window)


def report_first_paint(app: QApplication, then: Callable[[QWidget], object]) -> None:
    app.installEventFilter(_FirstPaint(app, then))
