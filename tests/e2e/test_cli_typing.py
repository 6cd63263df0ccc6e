"""The command line as a person types at it: dates as the app shows them, a worker by part of
their name, and `observer list` read on a terminal 80 or 120 columns wide."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from observer.vocabulary import KIND_LABELS
from tests.e2e.test_cli_smoke import observer
from tests.support.passphrase import STORE_PASSPHRASE

pytestmark = pytest.mark.e2e

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("typing") / "data"
    done = observer(data_dir, "demo", "--workers", "6", "--observations", "60", "--seed", "3")
    assert done.returncode == 0, done.stderr
    return data_dir, json.loads(observer(data_dir, "list", "--json").stdout)


def at_width(data_dir: Path, columns: int, *args: str) -> tuple[int, str]:
    """The exit code and what a terminal `columns` wide shows (a pseudo-terminal)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVER_")}
    reader, writer = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "observer", "--data-dir", str(data_dir), *args],
            stdout=writer,
            stderr=subprocess.DEVNULL,
            env={**env, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE, "COLUMNS": str(columns)},
            timeout=120,
            check=False,
        )
        os.close(writer)
        chunks = []
        while True:
            try:
                chunk = os.read(reader, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reader)
    return done.returncode, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def shown_width(line: str) -> int:
    return sum(0 if unicodedata.combining(c) else 1 for c in line)


def busiest(records: list[dict[str, str]]) -> str:
    names = [r["worker"] for r in records]
    return max(set(names), key=names.count)


def test_dates_are_taken_as_the_app_shows_them_and_as_iso(
    store: tuple[Path, list[dict[str, str]]],
) -> None:
    data_dir, records = store
    worker = busiest(records)
    part = worker.split()[-1][1:5]  # a piece of the surname, in any case
    shown = observer(data_dir, "worker", part.upper(), "--from", "01/06/2024", "--json")
    iso = observer(data_dir, "worker", worker, "--from", "2024-06-01", "--json")

    assert (shown.returncode, shown.stderr) == (0, ""), shown.stderr
    assert json.loads(shown.stdout) == json.loads(iso.stdout)
    assert json.loads(shown.stdout)["filters"]["from"] == "2024-06-01"


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("31/02/2025", "There is no day 31 in February 2025: it has 28 days"),
        ("2025/02/01", "'2025/02/01' is not a date: type the day first, then month and year, "
         "as in 07/12/2026"),
        ("1/13/25", "There is no month 13: the month comes second, from 1 to 12"),
    ],
)  # fmt: skip
def test_a_date_not_understood_is_one_sentence_and_exit_2(
    store: tuple[Path, list[dict[str, str]]], typed: str, sentence: str
) -> None:
    data_dir, _ = store
    for command in (("worker", "a"), ("team",), ("history", "a", "-o", "x.pdf")):
        done = observer(data_dir, *command, "--from", typed)
        assert done.returncode == 2
        assert done.stdout == ""
        assert sentence in done.stderr
        assert done.stderr.count("\n") == 1
        assert "Traceback" not in done.stderr


def test_several_workers_matching_are_named_to_choose_from_and_never_logged(
    store: tuple[Path, list[dict[str, str]]],
) -> None:
    data_dir, records = store
    done = observer(data_dir, "worker", "A")

    assert done.returncode == 2
    assert done.stderr.startswith("observer: ")
    assert re.search(r"\d+ people have names containing 'A': ", done.stderr)
    assert done.stderr.count("\n") == 1
    named = [name for name in {r["worker"] for r in records} if name in done.stderr]
    assert named
    logs = "".join(p.read_text("utf-8") for p in (data_dir / "logs").glob("*"))
    assert not any(name in logs for name in named)


@pytest.mark.parametrize("columns", [80, 120])
def test_list_fits_the_terminal_and_cuts_no_word(
    store: tuple[Path, list[dict[str, str]]], columns: int
) -> None:
    data_dir, records = store
    code, shown = at_width(data_dir, columns, "list")
    lines = shown.splitlines()
    words = {
        word
        for text in [*KIND_LABELS.values(), *(r["worker"] for r in records)]
        for word in text.replace(":", " ").split()
    }

    assert code == 0
    assert all(shown_width(line) <= columns for line in lines), columns
    assert "…" not in shown
    assert len(UUID.findall(shown)) == len(records)
    for token in shown.replace(":", " ").split():
        if not (UUID.fullmatch(token) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", token)):
            assert token in words | {"signed", "ready", "draft"}, token
    if columns == 120:  # room for one line each, but for the longest kind
        assert len(lines) < 1.2 * len(records)


def test_list_to_a_pipe_is_one_whole_line_each_whatever_columns_says(
    store: tuple[Path, list[dict[str, str]]],
) -> None:
    data_dir, records = store
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVER_")}
    lines = subprocess.run(
        [sys.executable, "-m", "observer", "--data-dir", str(data_dir), "list"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**env, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE, "COLUMNS": "80"},
        timeout=120,
        check=True,
    ).stdout.splitlines()

    assert len(lines) == len(records)
    for line, record in zip(lines, records, strict=True):
        assert KIND_LABELS_BY_VALUE[record["kind"]] in line
        assert line.endswith(record["id"])


KIND_LABELS_BY_VALUE = {kind.value: label for kind, label in KIND_LABELS.items()}
