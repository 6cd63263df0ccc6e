"""The records commands of `observer`: list observations, and move them between stores as
bundles (export-json, import)."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from observer.cli.commands import BUNDLE_PASSPHRASE_ENV
from observer.cli.common import (
    EXIT_OK,
    Arguments,
    Handler,
    padded,
    print_json,
    shown_width,
    terminal_width,
)

if TYPE_CHECKING:
    from observer.records.recording import ObservationSummary
    from observer.services import Services

MIN_KIND_WIDTH = 16  # "Group supervision" wraps no further than this
WORKER_HELP = "only this worker's observations (their name, part of it, staff reference or id)"


def _worker_ids(services: Services, worker: str | None) -> tuple[uuid.UUID, ...] | None:
    return None if worker is None else (services.people.resolve_worker(worker).id,)


def listed(rows: Sequence[ObservationSummary], width: int | None) -> list[str]:
    """Date, status, kind, worker and id, one line an observation where `width` allows.
    A narrower terminal wraps the kind at word boundaries in its column; one too narrow
    for that gives each observation two lines: date, status and id, then worker and kind.
    No word is cut; `width` None (a file or a pipe) is as wide as the rows need."""
    if not rows:
        return []
    worker_width = max(shown_width(r.worker) for r in rows)
    kind_width = max(shown_width(r.kind.label) for r in rows)
    fixed = len("2025-01-31  ready   ") + 2 + worker_width + 2 + 36
    room = kind_width if width is None else min(kind_width, width - fixed)
    lines = []
    if room >= min(kind_width, MIN_KIND_WIDTH):  # short kinds ("Home visit") need no more
        for r in rows:
            start = f"{r.observed_at.astimezone():%Y-%m-%d}  {r.status.value:<6}  "
            kind, *more = textwrap.wrap(r.kind.label, room, break_long_words=False)
            lines.append(f"{start}{padded(kind, room)}  {padded(r.worker, worker_width)}  {r.id}")
            lines += [" " * len(start) + part for part in more]
        return lines
    for r in rows:
        lines.append(f"{r.observed_at.astimezone():%Y-%m-%d}  {r.status.value:<6}  {r.id}")
        under = textwrap.wrap(
            f"{r.worker}: {r.kind.label}",
            max(MIN_KIND_WIDTH, (width or 0) - 12),
            initial_indent=" " * 12,
            subsequent_indent=" " * 14,
            break_long_words=False,
        )
        lines += under
    return lines


def list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--worker", metavar="NAME", help=WORKER_HELP)
    parser.add_argument("--json", action="store_true", help="a JSON array, for scripts")


def list_observations(services: Services, args: argparse.Namespace) -> int:
    from observer.store.filters import ObservationFilter

    rows = services.recording.list(ObservationFilter(person_ids=_worker_ids(services, args.worker)))
    if args.json:
        print_json(
            [
                {
                    "id": str(r.id),
                    "worker": r.worker,
                    "observer": r.observer,
                    "kind": r.kind.value,
                    "date": r.observed_at.astimezone().date().isoformat(),
                    "observed_at": r.observed_at.isoformat(),
                    "status": r.status.value,
                    "framework": r.framework,
                    "overall": r.overall or None,
                }
                for r in rows
            ]
        )
        return EXIT_OK
    if not rows:
        print("No observations yet.")
    for line in listed(rows, terminal_width()):
        print(line)
    return EXIT_OK


def export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--worker", metavar="NAME", help=WORKER_HELP)
    parser.add_argument("-o", "--output", required=True, metavar="FILE")
    parser.add_argument(
        "--plain", action="store_true", help="write readable JSON, not encrypted (take care)"
    )


def export(services: Services, args: argparse.Namespace) -> int:
    target = Path(args.output)
    done = services.bundles.export(
        target,
        None if args.plain else _bundle_passphrase(services),
        _worker_ids(services, args.worker),
    )
    print(
        f"Wrote {done.observations} observations, {done.people} people "
        f"and {done.teams} teams to {target}"
        + (", encrypted." if done.encrypted else ", not encrypted.")
    )
    if not done.encrypted:
        print(
            f"observer: warning: {target.name} is not encrypted and holds personal data; "
            "keep it safe and delete it once it has been imported.",
            file=sys.stderr,
        )
    return EXIT_OK


def _bundle_passphrase(services: Services) -> str:
    return os.environ.get(BUNDLE_PASSPHRASE_ENV) or services.passphrase


def import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        f"Read a bundle; all or nothing. A sealed bundle is opened with ${BUNDLE_PASSPHRASE_ENV}, "
        "or else the store's passphrase: for a bundle sealed on another laptop, set "
        f"{BUNDLE_PASSPHRASE_ENV} to the passphrase it was sealed with."
    )
    parser.add_argument("file", metavar="FILE")


def import_file(services: Services, args: argparse.Namespace) -> int:
    from observer.bundle.sealed import WrongBundlePassphrase

    path = Path(args.file)
    try:
        result = services.bundles.import_file(path, _bundle_passphrase(services))
    except WrongBundlePassphrase:
        raise WrongBundlePassphrase(_not_opened(path.name)) from None
    print(f"Imported {path.name}: {result.describe()}.")
    if left_out := result.left_out():
        print(left_out)
    return EXIT_OK


def _not_opened(name: str) -> str:
    if os.environ.get(BUNDLE_PASSPHRASE_ENV):
        return (
            f"The passphrase in {BUNDLE_PASSPHRASE_ENV} does not open {name}, or the file has "
            f"been altered: set {BUNDLE_PASSPHRASE_ENV} to the passphrase it was sealed with."
        )
    return (
        f"The store's passphrase does not open {name}, or the file has been altered: if it was "
        f"sealed on another laptop, set {BUNDLE_PASSPHRASE_ENV} to the passphrase it was "
        "sealed with."
    )


COMMANDS: dict[str, tuple[Arguments, Handler]] = {
    "list": (list_arguments, list_observations),
    "export-json": (export_arguments, export),
    "import": (import_arguments, import_file),
}
