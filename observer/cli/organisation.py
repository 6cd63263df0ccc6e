"""The set-up commands of `observer`, for IT: who uses this laptop, the logo, timestamps."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.vocabulary import Role

if TYPE_CHECKING:
    from observer.services import Services

Handler = Callable[["Services", argparse.Namespace], int]


def add_organisation_commands(commands: argparse._SubParsersAction[Any]) -> None:
    setup = commands.add_parser(
        "setup", help="record who uses this laptop (as the app's first run)"
    )
    setup.add_argument("--name", required=True, metavar="NAME")
    setup.add_argument("--role", required=True, choices=[r.value for r in Role])
    setup.add_argument("--organisation", required=True, metavar="NAME")

    logo = commands.add_parser("logo", help="the organisation's logo on summaries (a PNG)")
    chosen = logo.add_mutually_exclusive_group(required=True)
    chosen.add_argument("file", nargs="?", metavar="FILE.png")
    chosen.add_argument("--remove", action="store_true", help="summaries without a logo")

    stamp = commands.add_parser(
        "timestamp-server", help="sign with timestamps from this server (PAdES B-T)"
    )
    where = stamp.add_mutually_exclusive_group(required=True)
    where.add_argument("url", nargs="?", metavar="URL")
    where.add_argument("--off", action="store_true", help="sign offline (PAdES B-B)")

    lock = commands.add_parser(
        "lock-after", help="minutes without use before the app locks itself (1-60)"
    )
    lock.add_argument("minutes", nargs="?", type=int, metavar="MINUTES")


def _setup(services: Services, args: argparse.Namespace) -> int:
    profile = services.profiles.set_up(args.name, Role(args.role), args.organisation)
    print(f"This laptop is used by {profile.name}, {profile.role.label}, {profile.organisation}.")
    return 0


def _logo(services: Services, args: argparse.Namespace) -> int:
    from observer.documents.organisation import set_logo

    where = set_logo(services.data_dir, None if args.remove else Path(args.file))
    print(f"Summaries now carry the logo in {where}." if where else "Summaries have no logo.")
    return 0


def _timestamp_server(services: Services, args: argparse.Namespace) -> int:
    from observer.documents.organisation import set_timestamp_server

    url = set_timestamp_server(services.db, None if args.off else args.url)
    print(
        f"Signatures will carry timestamps from {url} (PAdES B-T)."
        if url
        else "Signatures are made offline, without a timestamp server (PAdES B-B)."
    )
    return 0


def _lock_after(services: Services, args: argparse.Namespace) -> int:
    from observer.security.idle_lock import idle_lock_minutes, set_idle_lock_minutes

    if args.minutes is None:
        minutes = idle_lock_minutes(services.db)
    else:
        minutes = set_idle_lock_minutes(services.db, args.minutes, services.actor())
    print(f"The app locks itself after {minutes} minute{'s' if minutes != 1 else ''} without use.")
    return 0


ORGANISATION_HANDLERS: dict[str, Handler] = {
    "setup": _setup,
    "logo": _logo,
    "timestamp-server": _timestamp_server,
    "lock-after": _lock_after,
}
