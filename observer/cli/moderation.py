"""`observer moderation`: draw the sample of signed observations to moderate, and the
agreement between observers and moderators (issue 17). Moderating itself is done in the
app, where the moderator reads the record without its ratings."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from observer.cli.common import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    Arguments,
    Handler,
    day_argument,
    print_json,
    subcommands,
)
from observer.errors import InvalidInput

if TYPE_CHECKING:
    from observer.service.agreement import Interval
    from observer.service.moderation_results import AgreementRow
    from observer.service.moderation_sample import SampleView
    from observer.services import Services


def moderation_arguments(parser: argparse.ArgumentParser) -> None:
    commands = subcommands(parser, "moderation_command")
    sample = commands.add_parser(
        "sample",
        help="draw (or show the kept) sample of signed observations in the period, "
        "stratified by observer",
    )
    sample.add_argument("--from", dest="start", type=day_argument, required=True, metavar="DATE")
    sample.add_argument("--to", dest="end", type=day_argument, required=True, metavar="DATE")
    sample.add_argument("--percent", type=int, required=True, metavar="N", help="1-100")
    sample.add_argument("--seed", type=int, metavar="S", help="drawn and printed when not given")
    sample.add_argument(
        "--supersede",
        metavar="REASON",
        help="replace the sample kept for the period, for this reason (audited)",
    )
    sample.add_argument("--json", action="store_true")
    results = commands.add_parser(
        "results", help="agreement between observers and moderators: per observer, standard"
    )
    results.add_argument("--from", dest="start", type=day_argument, metavar="DATE")
    results.add_argument("--to", dest="end", type=day_argument, metavar="DATE")
    results.add_argument("--json", action="store_true")
    commands.add_parser(
        "verify", help="check every moderation and sample against its hash and the audit trail"
    )


def moderation(services: Services, args: argparse.Namespace) -> int:
    if args.moderation_command == "sample":
        return _sample(services, args)
    if args.moderation_command == "verify":
        problems = services.moderation.verify()
        for problem in problems:
            print(problem)
        if problems:
            return EXIT_CHECK_FAILED
        print("Every moderation and moderation sample is as it was made.")
        return EXIT_OK
    return _results(services, args)


def _sample(services: Services, args: argparse.Namespace) -> int:
    if args.supersede is not None and not args.supersede.strip():
        raise InvalidInput("Say why the sample is drawn again; nothing was drawn.")
    sample = services.moderation.draw_sample(
        args.start, args.end, args.percent, args.seed, supersede_because=args.supersede
    )
    if args.json:
        print_json(_sample_json(sample))
        return EXIT_OK
    when = sample.drawn_at.astimezone()
    state = "Drew" if sample.drawn_now else "Kept already:"
    print(
        f"{state} a {sample.percent}% sample of {sample.period_from:%d/%m/%Y} to "
        f"{sample.period_to:%d/%m/%Y}, seed {sample.seed}, by {sample.drawn_by} on "
        f"{when:%d/%m/%Y %H:%M}: {len(sample.observations)} observations by "
        f"{sample.observers} observers."
    )
    if sample.reason:
        print(f"It replaces an earlier sample because: {sample.reason}")
    for item in sample.observations:
        print(
            f"{item.observed_at.astimezone():%d/%m/%Y}  {item.observation_id}  {item.observer_name}"
        )
    return EXIT_OK


def _sample_json(sample: SampleView) -> dict[str, object]:
    return {
        "id": str(sample.id),
        "from": sample.period_from.isoformat(),
        "to": sample.period_to.isoformat(),
        "percent": sample.percent,
        "seed": sample.seed,
        "drawn_by": sample.drawn_by,
        "drawn_at": sample.drawn_at.isoformat(),
        "drawn_now": sample.drawn_now,
        "supersedes": None if sample.supersedes_id is None else str(sample.supersedes_id),
        "reason": sample.reason,
        "content_hash": sample.content_hash,
        "observations": [
            {
                "observation_id": str(item.observation_id),
                "observer_id": str(item.observer_id),
                "observer": item.observer_name,
                "observed_at": item.observed_at.isoformat(),
            }
            for item in sample.observations
        ],
    }


def _results(services: Services, args: argparse.Namespace) -> int:
    results = services.moderation.results(args.start, args.end)
    if args.json:
        print_json(results.as_dict())
        return EXIT_OK
    if results.moderations == 0:
        print("No moderations in that period.")
        return EXIT_OK
    print(f"{results.moderations} moderations.")
    print()
    print("Overall")
    _print_row(results.standards)
    _print_row(results.judgement)
    print()
    print("By observer")
    for row in results.by_observer:
        _print_row(row)
    print()
    print("By standard")
    for row in results.by_standard:
        _print_row(row)
    return EXIT_OK


def _print_row(row: AgreementRow) -> None:
    paired = row.paired
    print(f"  {row.label} ({row.moderations} moderations, {paired.pairs} rated pairs)")
    if paired.exact is None or paired.within_one is None:
        print(f"    {paired.reason}")
        return
    kappa = paired.kappa
    kappa_text = (
        f"{kappa.value:.2f}{_interval(kappa.interval)}" if kappa.value is not None else kappa.reason
    )
    alpha = row.alpha
    alpha_text = (
        f"{alpha.value:.2f}{_interval(alpha.interval)}" if alpha.value is not None else alpha.reason
    )
    print(
        f"    exact {paired.exact:.0%}, within one level {paired.within_one:.0%}; "
        f"weighted kappa {kappa_text}; Krippendorff's alpha {alpha_text}"
    )
    if paired.direction is not None:
        print(f"    {paired.direction.sentence}")


def _interval(interval: Interval | None) -> str:
    return "" if interval is None else f" (95% CI {interval.low:.2f} to {interval.high:.2f})"


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"moderation": (moderation_arguments, moderation)}
