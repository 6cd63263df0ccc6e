"""Runs the `observer` command in this process, as a test of its arguments and output.

`run_cli(argv, env)` gives `(exit_code, stdout, stderr)`, exactly what a user of the
command would see, without the half second a new interpreter costs. The environment is
the given OBSERVER_* variables only (those of the test run are set aside, then put back),
and the log file the command opens is closed again. An exception the command lets escape
is not caught: it fails the test, as a traceback would fail the user.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from observer.cli.main import main

PREFIX = "OBSERVER_"


class Ran(NamedTuple):
    exit_code: int
    stdout: str
    stderr: str

    def completed(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        """The same as `subprocess.run` would give, for tests written against a process."""
        return subprocess.CompletedProcess(list(argv), self.exit_code, self.stdout, self.stderr)


def run_cli(
    argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Ran:
    """`observer ARGV` with only `env`'s OBSERVER_* variables set (none, if None)."""
    out, err = io.StringIO(), io.StringIO()
    with (
        _environment(env or {}),
        _logging_restored(),
        _directory(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --help, --version and usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
            if isinstance(exc.code, str):
                print(exc.code, file=err)
    return Ran(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = {k: v for k, v in os.environ.items() if k.startswith(PREFIX)}
    for name in saved:
        del os.environ[name]
    os.environ.update({k: v for k, v in env.items() if k.startswith(PREFIX)})
    try:
        yield
    finally:
        for name in [k for k in os.environ if k.startswith(PREFIX)]:
            del os.environ[name]
        os.environ.update(saved)


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)


@contextlib.contextmanager
def _directory(cwd: Path | None) -> Iterator[None]:
    if cwd is None:
        yield
        return
    before = Path.cwd()
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(before)
