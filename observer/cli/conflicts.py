"""`observer conflicts`: what merging copies from other laptops left for someone to settle
(the record's window shows the same, with the buttons to settle each)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from observer.cli.common import EXIT_OK, Arguments, Handler, print_json

if TYPE_CHECKING:
    from observer.conflicts.service import ConflictView
    from observer.services import Services

SHOWN_CHARACTERS = 100
HOLDS = {"here": "this laptop's version", "incoming": "the other version", "both": "both"}


def conflicts_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="a JSON array, for scripts")


def conflicts(services: Services, args: argparse.Namespace) -> int:
    from observer.conflicts.service import as_json

    found = services.conflicts.open()
    if args.json:
        print_json([as_json(view) for view in found])
        return EXIT_OK
    if not found:
        print("No open conflicts.")
        return EXIT_OK
    print(f"{len(found)} open conflict{'' if len(found) == 1 else 's'}:")
    for view in found:
        print(_described(view))
    return EXIT_OK


def _described(view: ConflictView) -> str:
    from observer.conflicts.rules import ConflictKind

    source = f"from {view.source}" + (f", exported by {view.source_by}" if view.source_by else "")
    lines = [f"{view.id}  observation {view.observation_id}  {view.label}"]
    if view.kind is ConflictKind.SET_ASIDE:
        where = "on this laptop" if view.set_aside_here else source
        lines.append(f"    made {where}; the signed record stands. As an addendum it would say:")
        lines += [f"      {_short(line)}" for line in view.edit_words().splitlines()]
        return "\n".join(lines)
    lines.append(
        f"    this laptop ({_when(view.here_revision, view.here_changed_at)}): {_short(view.here)}"
    )
    lines.append(
        f"    {source} ({_when(view.other_revision, view.other_changed_at)}): {_short(view.other)}"
    )
    lines.append(f"    the record holds {HOLDS[view.kept.value]}")
    return "\n".join(lines)


def _when(revision: int, moment: datetime | None) -> str:
    at = f", {moment.astimezone():%Y-%m-%d %H:%M}" if moment is not None else ""
    return f"revision {revision}{at}"


def _short(value: Any) -> str:
    from observer.conflicts.service import shown_value

    text = " / ".join(shown_value(value).splitlines())
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"conflicts": (conflicts_arguments, conflicts)}
