"""Who uses this laptop, and people: `observer setup`, `observer profile`, `observer people`.

`setup` never renames anyone: a name already in the store (with the same role) is that
person; another name is another person. Correcting the spelling of the laptop user's own
name, their role or organisation is `observer profile --correct-…`, and is audited.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from observer.cli.common import EXIT_OK, Arguments, Handler, column, print_json, subcommands
from observer.errors import InvalidInput
from observer.vocabulary import Role

if TYPE_CHECKING:
    from observer.people.profile import LocalProfile
    from observer.services import Services


def setup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True, metavar="NAME")
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--organisation", required=True, metavar="NAME")
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--person", metavar="ID", help="be this person already in the store (by id or name)"
    )
    who.add_argument(
        "--new-person",
        action="store_true",
        help="add a new person even if someone of that name and role is in the store",
    )


def _line(profile: LocalProfile) -> str:
    return f"{profile.name}, {profile.role.label}, {profile.organisation}"


def setup(services: Services, args: argparse.Namespace) -> int:
    from observer.people.profile import PersonExists

    before = services.profiles.current()
    person_id = None
    if args.person:
        person_id = services.people.resolve_worker(args.person).id
    try:
        profile = services.profiles.set_up(
            args.name,
            Role(args.role),
            args.organisation,
            person_id=person_id,
            new_person=args.new_person,
        )
    except PersonExists as error:
        ids = ", ".join(f"{c.person_id} ({c.team or 'no team'})" for c in error.candidates)
        raise InvalidInput(
            f"{error} Run again with --person ID (one of {ids}), or --new-person."
        ) from None
    if before is None or before.person_id == profile.person_id:
        print(f"This laptop is used by {_line(profile)}.")
    else:
        whom = "a new person" if before.name == profile.name else "a different person"
        print(
            f"This laptop is now used by {_line(profile)}: {whom}, not {before.name} "
            f"(id {before.person_id}), whose records keep their name. To correct the "
            "spelling of your own name instead, use `observer profile --correct-name`."
        )
    return EXIT_OK


def profile_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--correct-name", metavar="NAME", help="your name, spelt right")
    parser.add_argument(
        "--correct-role", choices=[r.value for r in Role], help="your role, if it changed"
    )
    parser.add_argument("--correct-organisation", metavar="NAME", help="your organisation")


def profile(services: Services, args: argparse.Namespace) -> int:
    asked = (args.correct_name, args.correct_role, args.correct_organisation)
    if all(value is None for value in asked):
        current = services.profiles.current()
        if current is None:
            raise InvalidInput("No one is set up as this laptop's user yet: run `observer setup`.")
        print(f"This laptop is used by {_line(current)}.")
        return EXIT_OK
    corrected = services.profiles.correct(
        name=args.correct_name,
        role=Role(args.correct_role) if args.correct_role else None,
        organisation=args.correct_organisation,
    )
    print(f"Corrected: this laptop is used by {_line(corrected)}.")
    return EXIT_OK


def people_arguments(parser: argparse.ArgumentParser) -> None:
    commands = subcommands(parser, "people_command")
    merge = commands.add_parser(
        "merge",
        help="merge a duplicate into the person kept: their records move, signed ones stay "
        "as signed (audited)",
    )
    merge.add_argument("keep", metavar="KEEP", help="the person kept (id, name or reference)")
    merge.add_argument("duplicate", metavar="DUPLICATE", help="the duplicate (id)")
    listing = commands.add_parser(
        "list", help="everyone, with id, role, team and observations: to find duplicates"
    )
    listing.add_argument("--json", action="store_true", help="a JSON array, for scripts")


def people(services: Services, args: argparse.Namespace) -> int:
    if args.people_command == "list":
        rows = services.people.list_workers()
        if args.json:
            print_json(
                [
                    {
                        "id": str(r.person.id),
                        "name": r.person.name,
                        "role": r.person.role.value,
                        "team": r.person.team_name,
                        "staff_reference": r.person.staff_reference,
                        "active": r.person.active,
                        "observations": r.observations,
                    }
                    for r in rows
                ]
            )
        for r in [] if args.json else rows:
            p = r.person
            print(
                f"{p.id}  {column(p.name, 28)}  {column(p.role.label, 22)}  "
                f"{column(p.team_name or '-', 24)}  {r.observations}"
            )
        return EXIT_OK
    keep = services.people.resolve_worker(args.keep)
    duplicate = services.people.resolve_worker(args.duplicate)
    report = services.duplicates.merge(keep.id, duplicate.id)
    print(report.sentence())
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler]] = {
    "setup": (setup_arguments, setup),
    "profile": (profile_arguments, profile),
    "people": (people_arguments, people),
}
