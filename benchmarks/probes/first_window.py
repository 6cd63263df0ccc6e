"""Practice Observer's cold start to its first window: the unlock prompt for an encrypted
store (run without OBSERVER_PASSPHRASE). The app starts as `main.py` starts it; once its
first window is painted, the probe says so and closes it, which ends the app.

    python benchmarks/probes/first_window.py --data-dir DIR
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from PySide6.QtWidgets import QApplication

from benchmarks.probes.first_paint import report_first_paint

# ui.app uses the application that exists, so the probe can watch it from the start.
app = QApplication(sys.argv[:1])
report_first_paint(app, lambda window: window.close())

from ui.app import main  # noqa: E402

raise SystemExit(main(sys.argv[1:]))
