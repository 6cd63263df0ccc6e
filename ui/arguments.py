"""The window's command-line arguments and the folder they name. Qt-free, so that main.py
can read them before anything heavy is imported."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="practice-observer",
        description="Record and review observations of social work practice.",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder holding the database (default: $OBSERVER_DATA_DIR, else the user's)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a store of fictional sample data, filled when empty (without --data-dir: "
        "the sample folder beside the usual one, DIR-sample, never your own store)",
    )
    parser.add_argument(
        "--quit-after-startup",
        action="store_true",
        help="quit as soon as the window is shown and filled (for start-up timing)",
    )
    return parser.parse_args(list(argv))


def store_folder(args: argparse.Namespace) -> Path:
    """The folder the window opens: --data-dir, else the usual one; with --demo and no
    --data-dir, the sample folder beside the usual one, never the real store."""
    from observer.paths import data_dir, sample_dir

    directory = data_dir(args.data_dir)
    return sample_dir(directory) if args.demo and not args.data_dir else directory
