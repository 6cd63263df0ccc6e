"""Starts Practice Observer's window; see `python main.py --help`."""

import sys

from ui.app import main

raise SystemExit(main(sys.argv[1:]))
