"""Shows the New observation dialog in its own process, for the screen-reader test.

python new_observation_driver.py DATA_DIR
    opens the store in DATA_DIR, adds a practice lead and a worker, shows the dialog,
    prints "shown" and waits to be ended.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer

from observer.people.directory import PersonDetails
from observer.services import open_services
from observer.vocabulary import Role
from tests.support.passphrase import STORE_PASSPHRASE
from ui import app as gui
from ui.dialogs.new_observation import NewObservationDialog
from ui.prompts import Prompts


def main() -> int:
    qapp = gui.application()
    services = open_services(Path(sys.argv[1]), STORE_PASSPHRASE)
    lead = services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire Council")
    services.people.add_person(PersonDetails("Jo Adeyemi", Role.SOCIAL_WORKER))
    dialog = NewObservationDialog(services.recording, services.people, lead.person_id, Prompts())
    dialog.show()
    QTimer.singleShot(0, lambda: print("shown", flush=True))
    qapp.exec()
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
