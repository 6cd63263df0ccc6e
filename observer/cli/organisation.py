"""The set-up commands of `observer`, for IT: the logo, timestamps, and how soon the app
locks itself (who uses this laptop is observer/cli/people.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from observer.cli.common import EXIT_OK, Arguments, Handler

if TYPE_CHECKING:
    from observer.services import Services


def logo_arguments(parser: argparse.ArgumentParser) -> None:
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("file", nargs="?", metavar="FILE.png")
    chosen.add_argument("--remove", action="store_true", help="summaries without a logo")


def logo(services: Services, args: argparse.Namespace) -> int:
    where = services.summaries.set_logo(None if args.remove else Path(args.file))
    print(f"Summaries now carry the logo in {where}." if where else "Summaries have no logo.")
    return EXIT_OK


def timestamp_server_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("url", nargs="?", metavar="URL")
    where.add_argument("--off", action="store_true", help="sign offline (PAdES B-B)")


def timestamp_server(services: Services, args: argparse.Namespace) -> int:
    url = services.summaries.set_timestamp_server(None if args.off else args.url)
    print(
        f"Signatures will carry timestamps from {url} (PAdES B-T)."
        if url
        else "Signatures are made offline, without a timestamp server (PAdES B-B)."
    )
    return EXIT_OK


def lock_after_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("minutes", nargs="?", type=int, metavar="MINUTES")


def lock_after(services: Services, args: argparse.Namespace) -> int:
    if args.minutes is None:
        minutes = services.idle_lock.minutes()
    else:
        minutes = services.idle_lock.set_minutes(args.minutes)
    print(f"The app locks itself after {minutes} minute{'s' if minutes != 1 else ''} without use.")
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler]] = {
    "logo": (logo_arguments, logo),
    "timestamp-server": (timestamp_server_arguments, timestamp_server),
    "lock-after": (lock_after_arguments, lock_after),
}
