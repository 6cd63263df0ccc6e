"""`observer service-report`: the Board report, a signed and anonymised PDF of the quality
of practice across the service for a period, and/or the same tables as CSV files; and
`observer commentary`: the QA lead's commentary the report prints, shown or set.

The same report as the Service section's "Board report…" button (observer/documents/
board_reports.py), signed with this data folder's identity under the store's passphrase
(OBSERVER_PASSPHRASE).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from observer.cli.common import EXIT_OK, Arguments, Handler, day_argument, saying_how_to_sign
from observer.errors import InvalidInput

if TYPE_CHECKING:
    from observer.review.team_overview import Period
    from observer.services import Services


def _period_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="date_from",
        type=day_argument,
        required=True,
        metavar="DATE",
        help="the period's first day",
    )
    parser.add_argument(
        "--to",
        dest="date_to",
        type=day_argument,
        required=True,
        metavar="DATE",
        help="the period's last day (a whole quarter is compared with the quarter before; "
        "any other period with as many days just before it)",
    )
    parser.add_argument("--team", metavar="NAME", help="only this team (by default every team)")


def service_report_arguments(parser: argparse.ArgumentParser) -> None:
    _period_arguments(parser)
    parser.add_argument("-o", "--output", metavar="FILE.pdf", help="write the signed PDF here")
    parser.add_argument(
        "--csv", metavar="DIR", help="write the report's tables as CSV files into DIR"
    )


def commentary_arguments(parser: argparse.ArgumentParser) -> None:
    _period_arguments(parser)
    parser.add_argument(
        "--set",
        metavar="FILE",
        help="set the commentary to the text of FILE (UTF-8; - reads standard input)",
    )


def _period(args: argparse.Namespace) -> Period:
    from observer.review.team_overview import Period

    return Period(args.date_from, args.date_to)


def _team(services: Services, args: argparse.Namespace) -> uuid.UUID | None:
    return None if args.team is None else services.people.team_named(args.team).id


def service_report(services: Services, args: argparse.Namespace) -> int:
    from observer.service.period import ServiceFilter

    if args.output is None and args.csv is None:
        raise InvalidInput("Say where to write the report: -o FILE.pdf, --csv DIR, or both.")
    query = ServiceFilter(_period(args), team_id=_team(services, args))
    with saying_how_to_sign():
        result = services.board_reports.export(
            query,
            Path(args.output) if args.output else None,
            csv_folder=Path(args.csv) if args.csv else None,
        )
    for line in result.lines():
        print(line)
    return EXIT_OK


def commentary(services: Services, args: argparse.Namespace) -> int:
    period, team = _period(args), _team(services, args)
    held = services.commentaries.read(period, team)
    if args.set is None:
        print(held.text if held.text else "No commentary is written for this period.")
        return EXIT_OK
    text = _read_text(args.set)
    services.commentaries.save(period, team, text, based_on=held.revision, actor=services.actor())
    print(f"Saved the commentary ({len(text):,} characters).")
    return EXIT_OK


def _read_text(source: str) -> str:
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{source} could not be read ({exc.strerror or exc}).") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{source} is not UTF-8 text.") from None


COMMANDS: dict[str, tuple[Arguments, Handler]] = {
    "service-report": (service_report_arguments, service_report),
    "commentary": (commentary_arguments, commentary),
}
