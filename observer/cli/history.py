"""`observer history`: a worker's history as one signed PDF for their supervision file.

The same PDF as the worker page's "History PDF…" button (observer/documents/histories.py), signed
with this data folder's identity under the store's passphrase (OBSERVER_PASSPHRASE).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.cli.review import day_argument

if TYPE_CHECKING:
    from observer.services import Services

EXIT_OK = 0

Handler = Callable[["Services", argparse.Namespace], int]


def add_history_commands(commands: argparse._SubParsersAction[Any]) -> None:
    history = commands.add_parser(
        "history",
        help="write a worker's history as one signed PDF: cover, trends, observations, "
        "development themes, actions, then each observation's summary",
    )
    history.add_argument(
        "worker", metavar="WORKER", help="the worker's name, staff reference or id"
    )
    history.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    history.add_argument(
        "--from",
        dest="date_from",
        type=day_argument,
        metavar="DATE",
        help="observed on or after DATE",
    )
    history.add_argument(
        "--to", dest="date_to", type=day_argument, metavar="DATE", help="observed on or before DATE"
    )
    history.add_argument(
        "--no-case-reference", action="store_true", help="leave case references out"
    )


def _history(services: Services, args: argparse.Namespace) -> int:
    from observer.cli.review import resolve_person
    from observer.cli.sign_off import _saying_how_to_adopt
    from observer.documents.histories import export_history
    from observer.review.worker_history import HistoryFilter

    filters = HistoryFilter(date_from=args.date_from, date_to=args.date_to).check()
    person_id = resolve_person(services, args.worker)
    with _saying_how_to_adopt():
        result = export_history(
            services,
            person_id,
            Path(args.output),
            filters,
            include_case_reference=not args.no_case_reference,
        )
    for line in result.lines():
        print(line)
    return EXIT_OK


HISTORY_HANDLERS: dict[str, Handler] = {"history": _history}
