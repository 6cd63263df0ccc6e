"""`observer themes`: the organisation's improvement plan (its themes and the standards
under each), importing a new version of it, its history, and writing it to a file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.cli.common import EXIT_OK, Arguments, Handler, print_json, subcommands

if TYPE_CHECKING:
    from observer.service.themes import FrameworkStandards, PlanOutline
    from observer.services import Services


def themes_arguments(parser: argparse.ArgumentParser) -> None:
    commands = subcommands(parser, "themes_command")
    show = commands.add_parser("show", help="the current plan: each theme and its standards")
    show.add_argument("--json", action="store_true", help="a JSON object, for scripts")
    importing = commands.add_parser(
        "import", help="make the plan in FILE the current one (a new version; audited)"
    )
    importing.add_argument("file", metavar="FILE")
    history = commands.add_parser("history", help="every version of the plan, oldest first")
    history.add_argument("--json", action="store_true", help="a JSON array, for scripts")
    export = commands.add_parser(
        "export", help="write the current plan to FILE, in the format `themes import` reads"
    )
    export.add_argument("file", metavar="FILE")


def themes(services: Services, args: argparse.Namespace) -> int:
    command = args.themes_command
    if command == "import":
        imported = services.themes.import_file(Path(args.file))
        plan = imported.plan
        if imported.added:
            print(
                f"Imported {plan.name}: version {plan.version}, now current "
                f"({len(plan.themes)} themes, {len(plan.standards)} standards)."
            )
        else:
            print(f"{plan.name} is the current plan already (version {plan.version}); unchanged.")
        return EXIT_OK
    if command == "export":
        from observer.signing.files import write_atomically

        document = json.dumps(services.themes.export_json(), ensure_ascii=False, indent=2)
        write_atomically(Path(args.file), (document + "\n").encode("utf-8"), what="plan")
        print(f"Wrote the current improvement plan to {args.file}.")
        return EXIT_OK
    if command == "history":
        return _history(services, args.json)
    outline = services.themes.outline()
    if args.json:
        print_json(_outline_json(outline))
    else:
        print("\n".join(_outline_lines(outline)))
    return EXIT_OK


def _history(services: Services, as_json: bool) -> int:
    versions = services.themes.history()
    if as_json:
        print_json(
            [
                {
                    "version": v.version,
                    "name": v.name,
                    "current": v.current,
                    "imported_at": v.imported_at.isoformat(),
                    "imported_by": v.imported_by,
                    "source": v.source,
                    "content_hash": v.content_hash,
                    "themes": [t.key for t in v.plan.themes],
                    "standards": len(v.plan.standards),
                }
                for v in versions
            ]
        )
        return EXIT_OK
    for v in versions:
        current = "  (current)" if v.current else ""
        print(
            f"v{v.version}  {v.imported_at.astimezone():%d %b %Y %H:%M}  {v.name}: "
            f"{', '.join(t.name for t in v.plan.themes)}; {len(v.plan.standards)} standards; "
            f"from {v.source}, by {v.imported_by}{current}"
        )
    return EXIT_OK


def _outline_lines(outline: PlanOutline) -> list[str]:
    plan = outline.plan
    held = f"version {plan.version}" if plan.version else "shipped, not held in this store"
    lines = [
        f"{plan.name} ({held})",
        f"Agreed actions linked to no standard in a theme count under {plan.unlinked_theme.name}.",
    ]
    for item in outline.themes:
        theme = item.theme
        lines += ["", f"{theme.name}: {theme.description}" if theme.description else theme.name]
        if not item.frameworks:
            lines.append("  (no standards)")
        lines += _framework_lines(item.frameworks)
    if outline.unmapped:
        lines += ["", "In no theme (their ratings count under none; their actions as unlinked):"]
        lines += _framework_lines(outline.unmapped)
    return lines


def _framework_lines(frameworks: tuple[FrameworkStandards, ...]) -> list[str]:
    lines = []
    for framework in frameworks:
        lines.append(f"  {framework.name} ({framework.key} v{framework.version})")
        width = max(len(s.code) for s in framework.standards)
        lines += [f"    {s.code.rjust(width)}  {s.title}" for s in framework.standards]
    return lines


def _frameworks_json(frameworks: tuple[FrameworkStandards, ...]) -> list[dict[str, Any]]:
    return [
        {
            "framework": f.key,
            "version": f.version,
            "name": f.name,
            "standards": [{"code": s.code, "title": s.title} for s in f.standards],
        }
        for f in frameworks
    ]


def _outline_json(outline: PlanOutline) -> dict[str, Any]:
    plan = outline.plan
    return {
        "name": plan.name,
        "version": plan.version,
        "content_hash": plan.content_hash(),
        "unlinked_actions": plan.unlinked_actions,
        "themes": [
            {
                "key": item.theme.key,
                "name": item.theme.name,
                "description": item.theme.description,
                "standards": _frameworks_json(item.frameworks),
            }
            for item in outline.themes
        ],
        "unmapped": _frameworks_json(outline.unmapped),
    }


COMMANDS: dict[str, tuple[Arguments, Handler]] = {"themes": (themes_arguments, themes)}
