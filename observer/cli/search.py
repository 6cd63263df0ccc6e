"""`observer search "TEXT"`: full-text search from the command line, best matches first.

Plain output is one line per match and the snippet under it; --json is a ranked array of
objects for scripts. Neither marks the matched words: JSON gives their offsets instead.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from observer.cli.common import EXIT_OK, Arguments, Handler, print_json
from observer.search.service import DEFAULT_LIMIT, MAX_LIMIT

if TYPE_CHECKING:
    from observer.search.service import SearchHit
    from observer.services import Services


def search_arguments(searching: argparse.ArgumentParser) -> None:
    searching.description = (
        'Words must all be found; put a phrase in "double quotes"; end a word '
        "with * to find words that start with it."
    )
    searching.add_argument("text", metavar="TEXT", help="what to search for")
    searching.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N matches (1-{MAX_LIMIT}, default {DEFAULT_LIMIT})",
    )
    searching.add_argument("--json", action="store_true", help="a JSON array, for scripts")


def search(services: Services, args: argparse.Namespace) -> int:
    hits = services.search.find(args.text, limit=args.limit)
    if args.json:
        print_json([as_json(hit) for hit in hits])
        return EXIT_OK
    if not hits:
        print("No observation matches.")
    for rank, hit in enumerate(hits, start=1):
        print(
            f"{rank:>3}. {hit.observed_at.astimezone():%Y-%m-%d}  {hit.kind.label:<32.32}  "
            f"{hit.worker:<28.28}  {hit.observation_id}"
        )
        print(f"     {hit.field_label}: {hit.snippet}")
    return EXIT_OK


def as_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "observation_id": str(hit.observation_id),
        "score": hit.score,
        "snippet": hit.snippet,
        "highlights": [list(span) for span in hit.highlights],
        "field": hit.field,
        "field_label": hit.field_label,
        "worker": hit.worker,
        "observer": hit.observer,
        "date": hit.observed_at.astimezone().date().isoformat(),
        "observed_at": hit.observed_at.isoformat(),
        "kind": hit.kind.value,
        "status": hit.status.value,
    }


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"search": (search_arguments, search)}
