"""The retention commands of `observer`, for information governance: show, set, preview, apply.

`apply` removes records for good, so without --yes it only shows what it would remove and
exits 2, the way a command refuses an incomplete request. Once the laptop has joined a team
server, retention is the server's: `show` and `preview` say so, `set` and `apply` refuse.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from observer.cli.common import EXIT_BAD_INPUT, EXIT_OK, Arguments, Handler, print_json, subcommands
from observer.governance.retention import MAX_YEARS, MIN_YEARS

if TYPE_CHECKING:
    from observer.governance.retention import RetentionPreview
    from observer.services import Services


def retention_arguments(parser: argparse.ArgumentParser) -> None:
    retention_commands = subcommands(parser, "retention_command")
    retention_commands.add_parser("show", help="the retention policy of this store")
    setting = retention_commands.add_parser("set", help="set the retention policy")
    how_long = setting.add_mutually_exclusive_group(required=True)
    how_long.add_argument(
        "--years",
        type=int,
        metavar="N",
        help=f"remove a person's observations N whole years after they left ({MIN_YEARS}-"
        f"{MAX_YEARS})",
    )
    how_long.add_argument(
        "--keep-everything", action="store_true", help="never remove observations (the default)"
    )
    showing = retention_commands.add_parser("preview", help="what is due for removal today")
    showing.add_argument("--json", action="store_true", help="a JSON object, for scripts")
    applying = retention_commands.add_parser("apply", help="remove what is due for removal")
    applying.add_argument("--yes", action="store_true", help="remove without asking again")


def retention(services: Services, args: argparse.Namespace) -> int:
    from observer.governance.retention import RetentionOnServer, RetentionPolicy, check_years

    on_server = services.retention.decided_on_server()
    if on_server is not None:
        if args.retention_command in ("set", "apply"):
            raise RetentionOnServer(on_server)
        if getattr(args, "json", False):
            print_json({"decided_on_server": True, "message": on_server})
        else:
            print(on_server)
        return EXIT_OK
    if args.retention_command == "show":
        print(services.retention.policy().describe())
        return EXIT_OK
    if args.retention_command == "set":
        policy = RetentionPolicy(None if args.keep_everything else check_years(args.years))
        print(services.retention.set_policy(policy).describe())
        return EXIT_OK
    today = date.today()
    preview = services.retention.preview(today)
    if args.retention_command == "preview":
        if args.json:
            print_json(_as_json(preview))
        else:
            _print(preview)
        return EXIT_OK
    _print(preview)
    if not preview.due:
        return EXIT_OK
    if not args.yes:
        print(
            "observer: nothing was removed; add --yes to remove these observations.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    removed = services.retention.apply(today, preview)
    print(
        f"Removed {removed.observations} observations ({removed.signed} signed) of "
        f"{removed.people} {'person' if removed.people == 1 else 'people'}."
    )
    return EXIT_OK


def _print(preview: RetentionPreview) -> None:
    print(preview.policy.describe())
    for p in preview.due:
        print(
            f"{p.name:<28.28}  left {p.left_on:%Y-%m-%d}  due since {p.due_since:%Y-%m-%d}  "
            f"{p.observations:>5} observations  {p.signed:>5} signed  {p.person_id}"
        )
    for k in preview.no_leaving_date:
        print(f"{k.name:<28.28}  kept: {k.reason}  {k.observations:>5} observations  {k.person_id}")
    print(preview.totals())
    if kept := preview.kept_without_date():
        print(kept)


def _as_json(preview: RetentionPreview) -> dict[str, Any]:
    return {
        "policy": {"years_after_leaving": preview.policy.years_after_leaving},
        "today": preview.today.isoformat(),
        "due": [
            {
                "person_id": str(p.person_id),
                "name": p.name,
                "left_on": p.left_on.isoformat(),
                "due_since": p.due_since.isoformat(),
                "observations": p.observations,
                "signed": p.signed,
            }
            for p in preview.due
        ],
        "kept": [
            {
                "person_id": str(k.person_id),
                "name": k.name,
                "observations": k.observations,
                "reason": k.reason,
            }
            for k in preview.no_leaving_date
        ],
        "totals": {
            "people": preview.people,
            "observations": preview.observations,
            "signed": preview.signed,
        },
    }


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"retention": (retention_arguments, retention)}
