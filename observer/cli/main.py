"""The `observer` command: scripting, IT tasks and tests, with no window.

Exit codes: 0 success, 1 a check failed, 2 bad input or usage. Errors are one line on
stderr, never a traceback.

The commands are listed in observer/cli/commands.py; each lives in a module of this
package that builds its arguments and runs it, imported only when that command runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from observer import __version__
from observer.cli.commands import BY_NAME, COMMANDS, EXIT_BAD_INPUT, EXIT_OK, Command
from observer.paths import DATA_DIR_ENV, PASSPHRASE_ENV

# Not `typing.TYPE_CHECKING`: --help and --version import neither typing nor the errors.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path
    from types import ModuleType
    from typing import NoReturn

    from observer.services import Services


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """Every command by name and help; only `chosen`'s module is imported, to add its
    arguments."""
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
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help)
        if command.name == chosen:
            arguments, _ = _module(command).COMMANDS[command.name]
            arguments(sub)
    return parser


def _module(command: Command) -> ModuleType:
    return importlib.import_module(f"observer.cli.{command.module}")


def command_named_in(argv: Sequence[str]) -> str | None:
    """The command `argv` asks for, found without parsing (which would need every
    command's arguments): the first word that is not an option or --data-dir's value."""
    words = iter(argv)
    for word in words:
        if word == "--":
            return next(words, None)
        if word.startswith("-"):
            name = word.split("=", 1)[0]
            if "=" not in word and len(name) > 2 and "--data-dir".startswith(name):
                next(words, None)
            continue
        return word if word in BY_NAME else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    args = build_parser(command_named_in(argv)).parse_args(argv)
    command = BY_NAME[args.command]
    handlers = _module(command).COMMANDS
    from observer.errors import ObserverError
    from observer.paths import data_dir

    try:
        directory = data_dir(args.data_dir)
        if command.opens_store and not command.makes_store:
            _refuse_missing_store(directory)
        passphrase = passphrase_from_environment(directory)
        directory.mkdir(parents=True, exist_ok=True)
        from observer.logfile import configure_logging

        configure_logging(directory)
    except ObserverError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"The data folder cannot be used: {exc.strerror or exc}.")
    if not command.opens_store:
        _, store_free = handlers[command.name]
        return _guarded(lambda: store_free(directory, passphrase, args), directory, args)
    try:
        from observer.cli.common import say
        from observer.services import open_services

        services = open_services(directory, passphrase, progress=say)
    except ObserverError as exc:
        return _fail(_opening_failed(exc, directory, passphrase))
    except OSError as exc:
        return _fail(f"The data folder cannot be used: {exc.strerror or exc}.")
    _say_what_opening_did(services)
    _, handler = handlers[command.name]
    try:
        return _guarded(lambda: handler(services, args), directory, args)
    finally:
        services.close()


def _opening_failed(error: Exception, directory: Path, passphrase: str) -> str:
    from observer.errors import DatabaseUnreadable

    if isinstance(error, DatabaseUnreadable):
        from observer.services import DataFolder

        return DataFolder(directory).damaged_store_message(passphrase, error)
    return str(error)


def _guarded(command: Callable[[], int], directory: Path, args: argparse.Namespace) -> int:
    """Runs a command, turning what a user can cause into one line and an exit code."""
    from observer.errors import ObserverError

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
        import logging

        from observer.paths import log_path

        logging.getLogger(__name__).exception("unexpected error in %s", args.command)
        return _fail(f"Something went wrong; the details are in {log_path(directory)}.")


def _refuse_missing_store(directory: Path) -> None:
    from observer.errors import InvalidInput
    from observer.security.unlock import StoreState, store_state

    if store_state(directory) is StoreState.NEW:
        raise InvalidInput(
            f"There is no Practice Observer store in {directory}: check --data-dir (or "
            f"${DATA_DIR_ENV}), or make one with `observer --data-dir {directory} setup "
            "--name NAME --role ROLE --organisation NAME`."
        )


def passphrase_from_environment(directory: Path | None = None) -> str:
    """The passphrase in the environment; without one, a sentence that fits the store in
    `directory` (the benchmarks and scripts, which give none, get the general one)."""
    from observer.errors import InvalidInput

    passphrase = os.environ.get(PASSPHRASE_ENV)
    if not passphrase:
        from observer.security.unlock import StoreState, store_state

        state = StoreState.ENCRYPTED if directory is None else store_state(directory)
        if state is StoreState.PLAIN:
            raise InvalidInput(
                f"The store is not encrypted yet: set {PASSPHRASE_ENV} to the passphrase it "
                "should have; it will be encrypted with it."
            )
        if state is StoreState.NEW:
            raise InvalidInput(
                f"There is no store here yet: set {PASSPHRASE_ENV} to the passphrase the new "
                "store should have."
            )
        raise InvalidInput(f"The store is encrypted: set {PASSPHRASE_ENV} to its passphrase.")
    return passphrase


def _say_what_opening_did(services: Services) -> None:
    """One line on stderr (stdout may be a script's JSON) for each thing opening did to the
    store that the user did not ask for by name."""
    if services.encrypted_plain_store:
        print(
            "observer: The store, left unencrypted by an earlier version, is now encrypted "
            f"with the passphrase in {PASSPHRASE_ENV}; that passphrase opens it from now on.",
            file=sys.stderr,
        )
    upgraded = services.upgraded
    if upgraded is not None:
        kept = (
            f"; the store as it was is kept in {upgraded.backup}"
            if upgraded.backup is not None
            else ""
        )
        print(
            f"observer: Upgraded the store from schema {upgraded.from_revision} to "
            f"{upgraded.to_revision}{kept}.",
            file=sys.stderr,
        )


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    # One line even when a file name the user gave holds a line break.
    print(f"observer: {' '.join(message.splitlines())}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
