"""Starts Practice Observer's window; see `python main.py --help`."""

import os
import sys

from ui.memory import hold_off_collection

hold_off_collection()  # until the window is filled: start-up makes next to no garbage

from observer.paths import PASSPHRASE_ENV  # noqa: E402

passphrase = os.environ.get(PASSPHRASE_ENV)
if passphrase:
    # With no unlock window to show first, the store's key is derived on a thread while
    # the rest is imported, and the store's modules are imported before Qt's: PySide6's
    # import hook makes every import after it slower (SQLAlchemy's by about 40%).
    from observer.paths import database_path
    from observer.security.key_ahead import derive_ahead
    from ui.arguments import parse_args, store_folder

    derive_ahead(database_path(store_folder(parse_args(sys.argv[1:]))), passphrase)
    import observer.services  # noqa: F401
del passphrase  # not kept for the life of the process

from ui.app import main  # noqa: E402

raise SystemExit(main(sys.argv[1:]))
