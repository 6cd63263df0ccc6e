"""The floor for a cold start to the main window with its data: the bare window, plus
importing the SQLAlchemy ORM, plus opening the SQLCipher store with its default key
derivation (the passphrase from OBSERVER_PASSPHRASE), then quit.

    python benchmarks/probes/stack_floor.py STORE_FILE
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

from benchmarks.probes.first_paint import report_first_paint

app = QApplication(sys.argv[:1])

import sqlalchemy.orm  # noqa: E402, F401
from sqlcipher3 import dbapi2 as sqlcipher  # noqa: E402

connection = sqlcipher.connect(sys.argv[1])
passphrase = os.environ["OBSERVER_PASSPHRASE"].replace("'", "''")
connection.execute(f"PRAGMA key = '{passphrase}'")
connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # derives the key

window = QMainWindow()
window.setCentralWidget(QTableView())
window.resize(900, 600)
report_first_paint(app, lambda _window: app.quit())
window.show()
app.exec()
connection.close()
