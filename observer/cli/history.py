"""`observer history`: a worker's history as one signed PDF for their supervision file.

Signed observations only, each in brief, unless --include-unsigned or --full. The same PDF
as the worker page's "History PDF…" button (observer/documents/histories.py), signed
with this data folder's identity under the store's passphrase (OBSERVER_PASSPHRASE).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from observer.cli.common import EXIT_OK, Arguments, Handler, day_argument, saying_how_to_sign

if TYPE_CHECKING:
    from observer.services import Services


def history_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "worker", metavar="WORKER", help="the worker's name, part of it, staff reference or id"
    )
    parser.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    parser.add_argument(
        "--from",
        dest="date_from",
        type=day_argument,
        metavar="DATE",
        help="observed on or after DATE",
    )
    parser.add_argument(
        "--to", dest="date_to", type=day_argument, metavar="DATE", help="observed on or before DATE"
    )
    parser.add_argument(
        "--no-case-reference", action="store_true", help="leave case references out"
    )
    parser.add_argument(
        "--include-unsigned",
        action="store_true",
        help="include drafts and records ready for sign-off, each marked as not signed "
        "(by default only signed observations)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="each observation's whole summary (by default each in brief)",
    )


def history(services: Services, args: argparse.Namespace) -> int:
    from observer.review.worker_history import HistoryFilter

    filters = HistoryFilter(date_from=args.date_from, date_to=args.date_to).check()
    person = services.people.resolve_worker(args.worker)
    with saying_how_to_sign():
        result = services.history_pdfs.export(
            person.id,
            Path(args.output),
            filters,
            include_case_reference=not args.no_case_reference,
            include_unsigned=args.include_unsigned,
            full_summaries=args.full,
        )
    for line in result.lines():
        print(line)
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"history": (history_arguments, history)}
