"""`observer demo`: realistic, fictional sample data for trying the app and for tests."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from observer.cli.common import EXIT_OK, Arguments, Handler
from observer.errors import InvalidInput

if TYPE_CHECKING:
    from observer.services import Services


def demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=40, metavar="N")
    parser.add_argument("--observations", type=int, default=400, metavar="M")
    parser.add_argument("--seed", type=int, help="repeatable data for the same seed")


def demo(services: Services, args: argparse.Namespace) -> int:
    from observer.demo.generator import generate

    if args.workers < 1 or args.workers > 100_000:
        raise InvalidInput("--workers must be between 1 and 100,000.")
    if args.observations < 0 or args.observations > 1_000_000:
        raise InvalidInput("--observations must be between 0 and 1,000,000.")
    if services.recording.count() > 0 and not services.sample_data.held():
        raise InvalidInput(
            "This store holds real records, and sample data would mix fictional ones in: "
            "give sample data a data folder of its own (--data-dir)."
        )
    summary = generate(
        services, workers=args.workers, observations=args.observations, seed=args.seed
    )
    print(
        f"Added {summary.teams} teams, {summary.people} people and "
        f"{summary.observations} observations of fictional sample data; this is a sample "
        "store now, and everything exported from it says SAMPLE."
    )
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"demo": (demo_arguments, demo)}
