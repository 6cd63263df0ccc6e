"""The summary export process as the GUI drives it: a job on its input, news on its output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from observer.cli.export_process import UNEXPECTED
from observer.documents.export_job import CANCEL, Job
from observer.services import Services
from observer.store.encryption import StoreKey

MODULE = "observer.cli.export_process"


def start(job: Job) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", MODULE], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdin is not None
    process.stdin.write(job.to_line())
    process.stdin.flush()
    return process


def news(process: subprocess.Popen[bytes]) -> list[dict[str, object]]:
    assert process.stdout is not None
    said = [json.loads(line) for line in process.stdout]
    process.stdout.close()
    if process.stdin is not None:
        process.stdin.close()
    assert process.wait(timeout=60) == 0
    return said


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "exported"
    made.mkdir()
    return made


def test_drafts_are_exported_one_by_one_and_the_end_is_said(
    services: Services, new_draft, folder: Path
) -> None:
    records = [new_draft() for _ in range(3)]
    job = services.summaries.export_job(
        [(r, folder / f"{n}.pdf") for n, r in enumerate(records)],
        sign=False,
        include_case_reference=True,
    )
    process = start(job)
    assert process.stdin is not None
    process.stdin.close()  # the GUI gone at once: the export stops before the first
    said = news(process)

    assert said[-1]["event"] == "finished"
    assert said[-1]["cancelled"] is True
    assert [n["event"] for n in said[:-1]] == ["step"] * len(list(folder.iterdir()))


def test_an_export_runs_to_the_end_while_its_input_is_open(
    services: Services, new_draft, folder: Path
) -> None:
    records = [new_draft() for _ in range(3)]
    job = services.summaries.export_job(
        [(r, folder / f"{n}.pdf") for n, r in enumerate(records)],
        sign=False,
        include_case_reference=False,
    )
    process = start(job)
    assert process.stdout is not None
    said = []
    for line in process.stdout:
        said.append(json.loads(line))
        if said[-1]["event"] == "finished":
            break
    assert process.stdin is not None
    process.stdin.close()
    process.stdout.close()
    assert process.wait(timeout=60) == 0

    assert [n["event"] for n in said] == ["step", "step", "step", "finished"]
    assert [n["problem"] for n in said[:-1]] == [None, None, None]
    assert said[-1]["done"] == 3
    assert said[-1]["cancelled"] is False
    assert sorted(p.name for p in folder.iterdir()) == ["0.pdf", "1.pdf", "2.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in folder.iterdir())


def test_cancel_stops_after_the_summary_in_hand(
    services: Services, new_draft, folder: Path
) -> None:
    records = [new_draft() for _ in range(20)]
    job = services.summaries.export_job(
        [(r, folder / f"{n}.pdf") for n, r in enumerate(records)],
        sign=False,
        include_case_reference=True,
    )
    process = start(job)
    assert process.stdin is not None
    process.stdin.write(CANCEL.encode() + b"\n")
    process.stdin.flush()
    said = news(process)

    assert said[-1]["event"] == "finished"
    assert said[-1]["cancelled"] is True
    assert said[-1]["done"] == len(list(folder.iterdir())) < 20


def test_a_key_that_does_not_open_the_store_is_one_sentence_not_a_traceback(
    services: Services, new_draft, folder: Path
) -> None:
    job = services.summaries.export_job(
        [(new_draft(), folder / "a.pdf")], sign=False, include_case_reference=True
    )
    wrong = StoreKey(bytes(32), job.salt)
    bad = Job(job.data_dir, wrong.key, wrong.salt, job.passphrase, job.items, False, True)
    process = subprocess.Popen(
        [sys.executable, "-m", MODULE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = process.communicate(bad.to_line(), timeout=60)

    assert process.returncode == 1
    (said,) = [json.loads(line) for line in out.splitlines()]
    assert said == {"event": "refused", "sentence": UNEXPECTED}
    assert b"Traceback" not in err
    assert list(folder.iterdir()) == []


def test_a_job_survives_its_line_unchanged(tmp_path: Path) -> None:
    import uuid

    job = Job(
        tmp_path,
        b"\x01" * 32,
        b"\x02" * 16,
        "Zoë's passphrase",
        [(uuid.uuid4(), tmp_path / "a b.pdf")],
        sign=True,
        include_case_reference=False,
        earlier="before",
    )
    assert Job.from_line(job.to_line()) == job
