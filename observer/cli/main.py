"""The `observer` command: scripting, IT tasks and tests, with no window.

Exit codes: 0 success, 1 a check failed, 2 bad input or usage. Errors are one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from observer import __version__
from observer.cli.audit import AUDIT_HANDLERS, add_audit_commands
from observer.cli.backup import BACKUP_HANDLERS, STORE_FREE_HANDLERS, add_backup_commands
from observer.cli.history import HISTORY_HANDLERS, add_history_commands
from observer.cli.organisation import ORGANISATION_HANDLERS, add_organisation_commands
from observer.cli.retention import RETENTION_HANDLERS, add_retention_commands
from observer.cli.review import REVIEW_HANDLERS, add_review_commands
from observer.cli.search import SEARCH_HANDLERS, add_search_commands
from observer.cli.security import SECURITY_HANDLERS, add_security_commands
from observer.cli.sign_off import SIGNOFF_HANDLERS, add_signoff_commands
from observer.errors import DatabaseUnreadable, InvalidInput, ObserverError
from observer.logfile import configure_logging
from observer.paths import PASSPHRASE_ENV, data_dir, log_path
from observer.services import Services, open_services
from observer.store.backups import damaged_store_message

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2
BUNDLE_PASSPHRASE_ENV = "OBSERVER_BUNDLE_PASSPHRASE"
log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="observer",
        description="Practice Observer: record and review observations of practice.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the store lives (default: $OBSERVER_DATA_DIR, else the user data folder)",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = commands.add_parser("demo", help="add realistic, fictional sample data")
    demo.add_argument("--workers", type=int, default=40, metavar="N")
    demo.add_argument("--observations", type=int, default=400, metavar="M")
    demo.add_argument("--seed", type=int, help="repeatable data for the same seed")

    listing = commands.add_parser("list", help="list observations, newest first")
    listing.add_argument("--worker", metavar="NAME", help="only this worker's observations")
    listing.add_argument("--json", action="store_true", help="a JSON array, for scripts")

    export = commands.add_parser(
        "export-json",
        help=f"write records to a bundle, encrypted with ${BUNDLE_PASSPHRASE_ENV} "
        f"or else the store's passphrase",
    )
    export.add_argument("--worker", metavar="NAME", help="only this worker's observations")
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.add_argument(
        "--plain", action="store_true", help="write readable JSON, not encrypted (take care)"
    )

    importing = commands.add_parser("import", help="read a bundle; all or nothing")
    importing.add_argument("file", metavar="FILE")

    frameworks = commands.add_parser("frameworks", help="list or import frameworks")
    framework_commands = frameworks.add_subparsers(
        dest="framework_command", required=True, parser_class=_Parser
    )
    framework_list = framework_commands.add_parser("list", help="installed framework versions")
    framework_list.add_argument("--json", action="store_true")
    framework_import = framework_commands.add_parser("import", help="install a framework file")
    framework_import.add_argument("file", metavar="FILE")
    add_signoff_commands(commands, _Parser)
    add_security_commands(commands, _Parser)
    add_organisation_commands(commands)
    add_retention_commands(commands, _Parser)
    add_review_commands(commands)
    add_history_commands(commands)
    add_search_commands(commands)
    add_audit_commands(commands, _Parser)
    add_backup_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        passphrase = passphrase_from_environment()
        directory = data_dir(args.data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        configure_logging(directory)
        if args.command in STORE_FREE_HANDLERS:
            # restore and backups work on files: a damaged store must not stand in their way.
            store_free = STORE_FREE_HANDLERS[args.command]
            return _guarded(lambda: store_free(directory, passphrase, args), directory, args)
        services = open_services(directory, passphrase)
    except DatabaseUnreadable as exc:
        return _fail(damaged_store_message(directory, passphrase, exc))
    except ObserverError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"The data folder cannot be used: {exc.strerror or exc}.")
    try:
        return _guarded(lambda: _run(services, args), directory, args)
    finally:
        services.close()


def _guarded(command: Callable[[], int], directory: Path, args: argparse.Namespace) -> int:
    """Runs a command, turning what a user can cause into one line and an exit code."""
    try:
        return command()
    except ObserverError as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        # The reader (say, `head`) stopped listening; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(f"Cannot read or write{where}: {exc.strerror or exc}.")
    except KeyboardInterrupt:
        return _fail("Stopped.", 130)
    except Exception:
        log.exception("unexpected error in %s", args.command)
        return _fail(f"Something went wrong; the details are in {log_path(directory)}.")


def passphrase_from_environment() -> str:
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if not passphrase:
        raise InvalidInput(f"The store is encrypted: set {PASSPHRASE_ENV} to its passphrase.")
    return passphrase


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    # One line even when a file name the user gave holds a line break.
    print(f"observer: {' '.join(message.splitlines())}", file=sys.stderr)
    return code


def _run(services: Services, args: argparse.Namespace) -> int:
    handlers = {
        "demo": _demo,
        "list": _list,
        "export-json": _export,
        "import": _import,
        "frameworks": _frameworks,
        **SIGNOFF_HANDLERS,
        **SECURITY_HANDLERS,
        **ORGANISATION_HANDLERS,
        **RETENTION_HANDLERS,
        **REVIEW_HANDLERS,
        **HISTORY_HANDLERS,
        **SEARCH_HANDLERS,
        **AUDIT_HANDLERS,
        **BACKUP_HANDLERS,
    }
    return handlers[args.command](services, args)


def _worker_ids(services: Services, name: str | None) -> tuple[Any, ...] | None:
    if name is None:
        return None
    matches = services.people.find_by_name(name)
    if not matches:
        raise InvalidInput(f"No one called {name!r} is in this store.")
    return tuple(p.id for p in matches)


def _demo(services: Services, args: argparse.Namespace) -> int:
    from observer.demo.generator import generate

    if args.workers < 1 or args.workers > 100_000:
        raise InvalidInput("--workers must be between 1 and 100,000.")
    if args.observations < 0 or args.observations > 1_000_000:
        raise InvalidInput("--observations must be between 0 and 1,000,000.")
    summary = generate(
        services, workers=args.workers, observations=args.observations, seed=args.seed
    )
    print(
        f"Added {summary.teams} teams, {summary.people} people and "
        f"{summary.observations} observations of fictional sample data."
    )
    return EXIT_OK


def _list(services: Services, args: argparse.Namespace) -> int:
    from observer.records.recording import ObservationFilter

    rows = services.recording.list(ObservationFilter(person_ids=_worker_ids(services, args.worker)))
    if args.json:
        json.dump(
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
            ],
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        print()
        return EXIT_OK
    if not rows:
        print("No observations yet.")
    for r in rows:
        print(
            f"{r.observed_at.astimezone():%Y-%m-%d}  {r.status.value:<6}  {r.kind.label:<32.32}  "
            f"{r.worker:<28.28}  {r.id}"
        )
    return EXIT_OK


def _export(services: Services, args: argparse.Namespace) -> int:
    from observer.bundle import export_bundle, write_bundle
    from observer.governance.audit import record_event

    bundle = export_bundle(services.db, _worker_ids(services, args.worker))
    target = Path(args.output)
    write_bundle(bundle, target, None if args.plain else _bundle_passphrase(services))
    with services.db.session() as s, s.begin():
        record_event(
            s,
            actor=services.actor(),
            action="export",
            record_type="bundle",
            record_id=None,
            detail=f"{len(bundle['observations'])} observations, "
            f"{'not encrypted' if args.plain else 'encrypted'}",
        )
    print(
        f"Wrote {len(bundle['observations'])} observations, {len(bundle['people'])} people "
        f"and {len(bundle['teams'])} teams to {target}"
        + (", not encrypted." if args.plain else ", encrypted.")
    )
    if args.plain:
        print(
            f"observer: warning: {target.name} is not encrypted and holds personal data; "
            "keep it safe and delete it once it has been imported.",
            file=sys.stderr,
        )
    return EXIT_OK


def _bundle_passphrase(services: Services) -> str:
    return os.environ.get(BUNDLE_PASSPHRASE_ENV) or services.passphrase


def _import(services: Services, args: argparse.Namespace) -> int:
    from observer.bundle import import_bundle, read_bundle

    path = Path(args.file)
    data = read_bundle(path, _bundle_passphrase(services))
    result = import_bundle(services.db, data, services.actor(), path.name)
    print(f"Imported {path.name}: {result.describe()}.")
    return EXIT_OK


def _frameworks(services: Services, args: argparse.Namespace) -> int:
    if args.framework_command == "import":
        from observer.records.frameworks import load_framework_file, store_framework

        path = Path(args.file)
        definition = load_framework_file(path)
        with services.db.session() as s, s.begin():
            _, added = store_framework(s, definition, source=path.name)
        state = "Installed" if added else "Already installed:"
        print(f"{state} {definition.name} ({definition.key} v{definition.version}).")
        return EXIT_OK
    frameworks = services.recording.frameworks()
    if args.json:
        json.dump(
            [
                {
                    "key": f.key,
                    "version": f.version,
                    "name": f.name,
                    "standards": f.standards,
                    "in_force_from": f.in_force_from and f.in_force_from.isoformat(),
                    "in_force_until": f.in_force_until and f.in_force_until.isoformat(),
                }
                for f in frameworks
            ],
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        print()
        return EXIT_OK
    for f in frameworks:
        until = f" (in force until {f.in_force_until:%d %B %Y})" if f.in_force_until else ""
        print(f"{f.key} v{f.version}  {f.name}: {f.standards} standards{until}")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
