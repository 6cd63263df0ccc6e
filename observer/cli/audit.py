"""The audit commands of `observer`: check the trail's chain, and list its events.

`audit verify` exits 1 when anything in the trail was altered or removed, so IT can run
it from a scheduled task and be told.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from observer.cli.common import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    Arguments,
    Handler,
    column,
    print_json,
    record_id,
    subcommands,
)
from observer.errors import InvalidInput

if TYPE_CHECKING:
    from observer.services import Services


def audit_arguments(parser: argparse.ArgumentParser) -> None:
    commands = subcommands(parser, "audit_command")
    verify = commands.add_parser(
        "verify", help="check that no event was altered or removed (exit 1 if any was)"
    )
    verify.add_argument("--json", action="store_true", help="a JSON object, for scripts")
    listing = commands.add_parser("list", help="events, newest first")
    listing.add_argument("--record", metavar="ID", help="only events about this record")
    listing.add_argument("--limit", type=int, metavar="N", help="only the newest N events")
    listing.add_argument("--json", action="store_true", help="a JSON array, for scripts")


def audit(services: Services, args: argparse.Namespace) -> int:
    if args.audit_command == "verify":
        return _verify(services, args)
    return _list(services, args)


def _verify(services: Services, args: argparse.Namespace) -> int:
    report = services.audit.verify()
    if args.json:
        print_json(report.as_dict())
    elif report.ok:
        print(report.sentence())
    else:
        for problem in report.problems:
            print(problem)
    return EXIT_OK if report.ok else EXIT_CHECK_FAILED


def _list(services: Services, args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise InvalidInput("--limit must be at least 1.")
    about = record_id(args.record) if args.record is not None else None
    entries = services.audit.events(record_id=about, limit=args.limit)
    if args.json:
        print_json([e.as_dict() for e in entries])
        return EXIT_OK
    if not entries:
        print("No events yet." if about is None else "No events about that record.")
    for e in entries:
        record = f"{e.record_type} {e.record_id}" if e.record_id else e.record_type
        detail = f"  ({e.detail})" if e.detail else ""
        place = "-" if e.sequence is None else str(e.sequence)
        print(
            f"{place:>6}  {e.when.astimezone():%Y-%m-%d %H:%M:%S}  {column(e.actor, 24)}  "
            f"{column(e.action, 28)}  {record}  {e.content_hash[:12] or '-'}{detail}"
        )
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"audit": (audit_arguments, audit)}
