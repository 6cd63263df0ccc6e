"""The audit commands of `observer`: check the trail's chain, and list its events.

`audit verify` exits 1 when anything in the trail was altered or removed, so IT can run
it from a scheduled task and be told.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from observer.errors import InvalidInput

if TYPE_CHECKING:
    from observer.services import Services

EXIT_OK, EXIT_CHECK_FAILED = 0, 1

Handler = Callable[["Services", argparse.Namespace], int]


def add_audit_commands(
    commands: argparse._SubParsersAction[Any],
    parser_class: type[argparse.ArgumentParser],
) -> None:
    audit = commands.add_parser("audit", help="check or list the audit trail")
    audit_commands = audit.add_subparsers(
        dest="audit_command", required=True, parser_class=parser_class
    )
    verify = audit_commands.add_parser(
        "verify", help="check that no event was altered or removed (exit 1 if any was)"
    )
    verify.add_argument("--json", action="store_true", help="a JSON object, for scripts")
    listing = audit_commands.add_parser("list", help="events, newest first")
    listing.add_argument("--record", metavar="ID", help="only events about this record")
    listing.add_argument("--limit", type=int, metavar="N", help="only the newest N events")
    listing.add_argument("--json", action="store_true", help="a JSON array, for scripts")


def _audit(services: Services, args: argparse.Namespace) -> int:
    if args.audit_command == "verify":
        return _verify(services, args)
    return _list(services, args)


def _verify(services: Services, args: argparse.Namespace) -> int:
    from observer.governance.audit import verify_chain

    report = verify_chain(services.db)
    if args.json:
        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif report.ok:
        print(report.sentence())
    else:
        for problem in report.problems:
            print(problem)
    return EXIT_OK if report.ok else EXIT_CHECK_FAILED


def _list(services: Services, args: argparse.Namespace) -> int:
    from observer.governance.audit import events

    if args.limit is not None and args.limit < 1:
        raise InvalidInput("--limit must be at least 1.")
    record_id = _record_id(args.record) if args.record is not None else None
    entries = events(services.db, record_id=record_id, limit=args.limit)
    if args.json:
        json.dump([e.as_dict() for e in entries], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    if not entries:
        print("No events yet." if record_id is None else "No events about that record.")
    for e in entries:
        record = f"{e.record_type} {e.record_id}" if e.record_id else e.record_type
        detail = f"  ({e.detail})" if e.detail else ""
        place = "-" if e.sequence is None else str(e.sequence)
        print(
            f"{place:>6}  {e.when.astimezone():%Y-%m-%d %H:%M:%S}  {e.actor:<24.24}  "
            f"{e.action:<28.28}  {record}  {e.content_hash[:12] or '-'}{detail}"
        )
    return EXIT_OK


def _record_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a record id.") from None


AUDIT_HANDLERS: dict[str, Handler] = {"audit": _audit}
