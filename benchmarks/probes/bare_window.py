"""The floor for a cold start to the first window: a bare PySide6 window (QApplication,
QMainWindow and a table view), shown, then quit."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

from benchmarks.probes.first_paint import report_first_paint

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QTableView())
window.resize(900, 600)
report_first_paint(app, lambda _window: app.quit())
window.show()
raise SystemExit(app.exec())
