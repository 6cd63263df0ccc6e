"""`observer sync`: push, then pull; `sync enrol URL CODE` joins a team server; `sync status`
and `sync conflicts` say what is waiting. A server that cannot be reached or refuses is one
sentence and exit status 2 (main.py turns every ObserverError into that)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from observer.cli.common import EXIT_OK, Arguments, Handler, print_json

if TYPE_CHECKING:
    from observer.services import Services

EXIT_STOPPED = 130  # Ctrl-C, as for any command (main.py)


def sync_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="sync_command", required=False, parser_class=type(parser))
    enrol = commands.add_parser("enrol", help="join a team server with a one-time code")
    enrol.add_argument("url", metavar="URL", help="the server's address (https://…)")
    enrol.add_argument("code", metavar="CODE", help="the code the administrator gave you")
    enrol.add_argument("--name", help="this laptop's name on the server (default: its hostname)")
    status = commands.add_parser("status", help="server, last sync, changes waiting, conflicts")
    status.add_argument("--json", action="store_true", help="a JSON object, for scripts")
    conflicts = commands.add_parser("conflicts", help="open conflicts, with both versions")
    conflicts.add_argument("--json", action="store_true", help="a JSON array, for scripts")


def sync(services: Services, args: argparse.Namespace) -> int:
    command = args.sync_command
    if command == "enrol":
        joined = services.sync.join(args.url, args.code, args.name)
        teams = f" ({', '.join(joined.teams)})" if joined.teams else ""
        waiting = (
            "nothing waits to be sent yet"
            if not joined.queued
            else "1 record waits to be sent"
            if joined.queued == 1
            else f"{joined.queued} records wait to be sent"
        )
        if joined.replaced is not None:
            n = joined.waiting
            waiting = (
                "nothing waits to be sent"
                if not n
                else "1 change waits to be sent"
                if n == 1
                else f"{n} changes wait to be sent"
            )
            print(
                f"Joined {joined.server} again as {joined.person_name}, {joined.role_words}"
                f"{teams}, in place of laptop {joined.replaced}; {waiting}: run `observer sync`."
            )
            return EXIT_OK
        print(
            f"Joined {joined.server} as {joined.person_name}, {joined.role_words}{teams}; "
            f"{waiting}: run `observer sync`."
        )
        return EXIT_OK
    if command == "status":
        return _status(services, args.json)
    if command == "conflicts":
        from observer.cli.conflicts import conflicts as show_conflicts

        return show_conflicts(services, args)
    try:
        result = services.sync.sync()
    except KeyboardInterrupt:
        # Ctrl-C, most likely while a server does not answer: each transaction is all or
        # nothing, and a push left unanswered is sent again next time (its change id).
        from observer.sync.client import STOPPED

        print(f"observer: {STOPPED}", file=sys.stderr)
        return EXIT_STOPPED
    print(
        f"Synced: {result.pushed} sent, {result.refused} refused, {result.pulled} received, "
        f"{result.removed} removed, {result.conflicts} conflicts."
    )
    if result.notice:
        print(result.notice)
    return EXIT_OK


def _status(services: Services, as_json: bool) -> int:
    status = services.sync.status()
    last = status.last_synced_at
    if as_json:
        print_json(
            {
                "server": status.server,
                "last_synced_at": last.isoformat() if last else None,
                "waiting": status.waiting,
                "refused": [
                    {
                        "record_type": r.record_type,
                        "record_id": str(r.record_id),
                        "message": r.message,
                    }
                    for r in status.refused
                ],
                "open_conflicts": status.open_conflicts,
                "notice": status.notice or None,
            }
        )
        return EXIT_OK
    if status.server is None:
        print("This laptop has not joined a team server (observer sync enrol URL CODE).")
        return EXIT_OK
    when = f"{last.astimezone():%Y-%m-%d %H:%M}" if last else "never"
    print(f"Server: {status.server}")
    print(f"Last successful sync: {when}")
    print(f"Changes waiting: {status.waiting}")
    print(f"Open conflicts: {status.open_conflicts}")
    if status.notice:
        print(status.notice)
    for refused in status.refused:
        print(f"Refused: {refused.record_type} {refused.record_id}: {refused.message}")
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"sync": (sync_arguments, sync)}
