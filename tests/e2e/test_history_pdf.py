"""`observer history` as a real process on sample data: the busiest worker, with signed
records, records ready for sign-off and a draft, read back with pdftotext as a manager
would."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.test_cli_smoke import observer
from tests.support.pdf import flat, metadata, page_count, pdf_text

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Counter[str]]:
    """The data folder, the busiest worker's name and how many records of each status."""
    data_dir = tmp_path_factory.mktemp("history") / "data"
    done = observer(
        data_dir, "setup", "--name", "Priya Shah", "--role", "practice_lead",
        "--organisation", "Northshire County Council",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = observer(data_dir, "demo", "--workers", "3", "--observations", "42", "--seed", "14")
    assert done.returncode == 0, done.stderr
    records = json.loads(observer(data_dir, "list", "--json").stdout)
    worker, _count = Counter(r["worker"] for r in records).most_common(1)[0]
    statuses = Counter(r["status"] for r in records if r["worker"] == worker)
    assert set(statuses) == {"signed", "ready", "draft"}  # every kind of record to leave out
    assert statuses["signed"] >= 8
    return data_dir, worker, statuses


def history(store: tuple[Path, str, Counter[str]], folder: Path, *options: str) -> bytes:
    data_dir, worker, _ = store
    target = folder / f"history{''.join(options)}.pdf"
    done = observer(data_dir, "history", worker, "-o", str(target), *options)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return target.read_bytes()


def test_by_default_only_signed_observations_each_in_brief(
    store: tuple[Path, str, Counter[str]], tmp_path: Path
) -> None:
    signed = store[2]["signed"]
    pdf = history(store, tmp_path)
    text = flat(pdf_text(pdf, tmp_path))

    assert "not signed" not in text.lower()
    assert "DRAFT" not in text
    assert "Ready for sign-off" not in text
    assert "Records included Signed observations only" in text
    assert text.count(f"Observation 1 of {signed}.") == 1
    assert f"Observation {signed} of {signed}." in text
    assert re.search(rf"observations={signed} records=signed unsigned=0 detail=compact( |$)",
                     metadata(pdf)["/Keywords"])  # fmt: skip
    assert page_count(pdf) <= 1.6 * signed  # 55 pages for 16 records before (3.4 a record)


def test_unsigned_records_on_request_each_marked(
    store: tuple[Path, str, Counter[str]], tmp_path: Path
) -> None:
    statuses = store[2]
    unsigned = statuses["ready"] + statuses["draft"]
    pdf = history(store, tmp_path, "--include-unsigned")
    text = flat(pdf_text(pdf, tmp_path))

    assert text.count("Draft — not signed") == statuses["draft"]
    assert text.count("Ready for sign-off — not signed") == statuses["ready"]
    assert f"Signed observations and {unsigned} records not yet signed" in text
    total = statuses.total()
    keywords = f"observations={total} records=any unsigned={unsigned} detail=compact"
    assert keywords in metadata(pdf)["/Keywords"]
    assert page_count(pdf) <= 1.6 * total


def test_full_summaries_on_request(store: tuple[Path, str, Counter[str]], tmp_path: Path) -> None:
    brief = page_count(history(store, tmp_path))
    pdf = history(store, tmp_path, "--full")
    text = flat(pdf_text(pdf, tmp_path))

    assert text.count("Practice observation summary") == store[2]["signed"]
    assert "detail=full" in metadata(pdf)["/Keywords"]
    assert page_count(pdf) > 2 * brief
