"""The administrator's commands of `observer-server` that look after the team's records:
import, merge-people, retention, audit verify. Each builds its arguments here, calls one
function of its module in the owner's transaction (observer/server/cli.py), and prints.
"""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from observer.errors import InvalidInput

EXIT_OK = 0
EXIT_CHECK_FAILED = 1


def admin_arguments(commands: Any, database: argparse.ArgumentParser) -> None:
    seeding = commands.add_parser(
        "import",
        parents=[database],
        help="seed the server from a laptop's JSON bundle (all or nothing)",
    )
    seeding.add_argument("bundle", metavar="BUNDLE", type=Path)
    seeding.add_argument(
        "--passphrase-file",
        metavar="FILE",
        type=Path,
        help="a file whose first line is the passphrase of a sealed bundle",
    )
    seeding.add_argument("--json", action="store_true", help="counts as JSON, for scripts")

    merging = commands.add_parser(
        "merge-people",
        parents=[database],
        help="merge a duplicate person into the one kept (references follow)",
    )
    merging.add_argument("keep", metavar="KEEP", help="the id of the person kept")
    merging.add_argument("duplicate", metavar="DUPLICATE", help="the id of the duplicate")
    merging.add_argument("--json", action="store_true", help="counts as JSON, for scripts")

    retention = commands.add_parser(
        "retention", parents=[database], help="the server's retention policy, and applying it"
    )
    which = retention.add_subparsers(
        dest="retention_command", required=True, parser_class=type(retention)
    )
    which.add_parser("show", parents=[database], help="the retention policy")
    setting = which.add_parser("set", parents=[database], help="set the retention policy")
    how_long = setting.add_mutually_exclusive_group(required=True)
    how_long.add_argument(
        "--years-after-leaving",
        type=int,
        metavar="N",
        help="remove a person's observations N whole years after the date they left",
    )
    how_long.add_argument(
        "--keep-everything", action="store_true", help="never remove observations (the default)"
    )
    for name, words in (
        ("preview", "what is due for removal today (ids and counts)"),
        ("apply", "remove what is due, in one transaction"),
    ):
        command = which.add_parser(name, parents=[database], help=words)
        command.add_argument("--json", action="store_true", help="as JSON, for scripts")
        if name == "apply":
            command.add_argument("--yes", action="store_true", help="remove without asking again")

    audit = commands.add_parser("audit", parents=[database], help="the audit chains on the server")
    audit_commands = audit.add_subparsers(
        dest="audit_command", required=True, parser_class=type(audit)
    )
    verify = audit_commands.add_parser(
        "verify",
        parents=[database],
        help="check every laptop's chain and the server's own (exit 1 if anything was altered)",
    )
    verify.add_argument("--json", action="store_true", help="a JSON object, for scripts")


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def _seed(args: argparse.Namespace, conn: Connection) -> int:
    from observer.server.seeding import read_passphrase, seed

    done = seed(conn, args.bundle, read_passphrase(args.passphrase_file))
    if args.json:
        _print_json(done.as_dict())
    elif done.changed:
        print(f"Imported {args.bundle.name}: {done.describe()}.")
    else:
        print(f"Nothing changed: the server already holds {args.bundle.name} ({done.describe()}).")
    return EXIT_OK


def _person_id(given: str) -> uuid.UUID:
    try:
        return uuid.UUID(given.strip())
    except ValueError:
        raise InvalidInput(
            f"{given.strip()!r} is not a person's id; give the ids of both people."
        ) from None


def _merge_people(args: argparse.Namespace, conn: Connection) -> int:
    from observer.server.merging import merge_people

    done = merge_people(conn, _person_id(args.keep), _person_id(args.duplicate))
    if args.json:
        _print_json(done.as_dict())
    else:
        print(done.sentence())
    return EXIT_OK


def _retention(args: argparse.Namespace, conn: Connection) -> int:
    from observer.governance.retention import RetentionPolicy, check_years
    from observer.server import retention

    if args.retention_command == "show":
        print(retention.policy(conn).describe())
        return EXIT_OK
    if args.retention_command == "set":
        years = None if args.keep_everything else check_years(args.years_after_leaving)
        print(retention.set_policy(conn, RetentionPolicy(years)).describe())
        return EXIT_OK
    today = date.today()
    if args.retention_command == "preview" or not args.yes:
        found = retention.preview(conn, today)
    else:
        found = retention.apply(conn, today)
    if args.retention_command == "apply" and not args.yes and found.due:
        # Removal is for good: as on a laptop, it is asked for twice.
        raise InvalidInput(
            f"Nothing was removed: {found.totals()[:-1]}; run retention preview to see them, "
            "then retention apply --yes to remove them."
        )
    if args.json:
        _print_json(retention.as_dict(found, removed=args.retention_command == "apply"))
        return EXIT_OK
    print(found.policy.describe())
    for line in retention.lines(found):
        print(line)
    if args.retention_command == "apply" and found.due:
        print(
            f"Removed {found.observations} observations ({found.signed} signed) of "
            f"{found.people} {'person' if found.people == 1 else 'people'}; laptops drop them "
            "at their next sync."
        )
    else:
        print(found.totals())
    return EXIT_OK


def _audit(args: argparse.Namespace, conn: Connection) -> int:
    from observer.server.chain import verify

    report = verify(conn)
    if args.json:
        _print_json(report.as_dict())
    elif report.ok:
        print(report.sentence())
        for listed in (*report.forks, *report.rejoins):
            print(listed)
    else:
        for problem in report.listed():
            print(problem)
    return EXIT_OK if report.ok else EXIT_CHECK_FAILED


ADMIN_COMMANDS = {
    "import": _seed,
    "merge-people": _merge_people,
    "retention": _retention,
    "audit": _audit,
}
