"""The floor for a cold start to the main window with its data: the leanest way the same
stack can do the job. It imports the SQLAlchemy ORM and opens the SQLCipher store with its
default key derivation (the passphrase from OBSERVER_PASSPHRASE) before importing PySide6,
whose import hook makes every later import slower (SQLAlchemy's by about 40%); then it
shows the bare window and quits.

    python benchmarks/probes/stack_floor.py STORE_FILE
"""

import os
import sys
from pathlib import Path

import sqlalchemy.orm  # noqa: F401
from sqlcipher3 import dbapi2 as sqlcipher

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

connection = sqlcipher.connect(sys.argv[1])
passphrase = os.environ["OBSERVER_PASSPHRASE"].replace("'", "''")
connection.execute(f"PRAGMA key = '{passphrase}'")
connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # derives the key

from PySide6.QtWidgets import QApplication, QMainWindow, QTableView  # noqa: E402

from benchmarks.probes.first_paint import report_first_paint  # noqa: E402

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QTableView())
window.resize(900, 600)
report_first_paint(app, lambda _window: app.quit())
window.show()
app.exec()
connection.close()
