"""`observer frameworks`: the installed framework versions, and installing one from a file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from observer.cli.common import EXIT_OK, Arguments, Handler, print_json, subcommands

if TYPE_CHECKING:
    from observer.services import Services


def frameworks_arguments(parser: argparse.ArgumentParser) -> None:
    commands = subcommands(parser, "framework_command")
    listing = commands.add_parser("list", help="installed framework versions")
    listing.add_argument("--json", action="store_true")
    importing = commands.add_parser("import", help="install a framework file")
    importing.add_argument("file", metavar="FILE")


def frameworks(services: Services, args: argparse.Namespace) -> int:
    if args.framework_command == "import":
        definition, added = services.recording.install_framework_file(Path(args.file))
        state = "Installed" if added else "Already installed:"
        print(f"{state} {definition.name} ({definition.key} v{definition.version}).")
        return EXIT_OK
    installed = services.recording.frameworks()
    if args.json:
        print_json(
            [
                {
                    "key": f.key,
                    "version": f.version,
                    "name": f.name,
                    "standards": f.standards,
                    "in_force_from": f.in_force_from and f.in_force_from.isoformat(),
                    "in_force_until": f.in_force_until and f.in_force_until.isoformat(),
                }
                for f in installed
            ]
        )
        return EXIT_OK
    for f in installed:
        until = f" (in force until {f.in_force_until:%d %B %Y})" if f.in_force_until else ""
        print(f"{f.key} v{f.version}  {f.name}: {f.standards} standards{until}")
    return EXIT_OK


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"frameworks": (frameworks_arguments, frameworks)}
