"""Exporting summaries in a process of its own, for the GUI.

Building a PDF with reportlab and signing it with pyHanko is Python work that holds the
interpreter's lock: on a thread of the GUI's process it keeps the window from painting for
tens of milliseconds at a time, and leaves what it loaded (a hundred megabytes) in the GUI
for good. The GUI starts `python -m observer.cli.export_process` instead, and speaks
to it in lines of JSON:

- on its standard input, the job (observer/documents/export_job.py), then `cancel` to
  stop after the summary in hand; the end of its input (the GUI gone) stops it the same
  way. The key and passphrase travel only through the pipe;
- on its standard output, what happened: the signing identity opened (or that it is under
  an earlier passphrase, or why it cannot be opened), each summary done or refused, and
  the end. Anything else the process prints goes to its standard error.

Each summary is exported as `Summaries.export` exports it in the GUI's process before
(written atomically, its audit event first, by the laptop's user), so the audit trail is
the same. Opening the store records nothing: the GUI's session did that when it opened.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from observer.documents.export_job import CANCEL, Job
from observer.errors import ObserverError

log = logging.getLogger(__name__)

# Each summary reads one record: a small page cache does (the GUI's keeps 32 MB).
CACHE_KIB = 2_000
UNEXPECTED = "Something unexpected went wrong; the details are in the log."


class Reports:
    """What the process tells the GUI, a line of JSON each, sent at once."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def send(self, event: str, **what: Any) -> None:
        self._out.write(json.dumps({"event": event, **what}).encode() + b"\n")
        self._out.flush()


def lines_of(fd: int) -> Iterator[bytes]:
    """The lines read from `fd`, straight from the file descriptor: a thread still waiting
    in sys.stdin's reader as the process ends would hold that reader's lock, and Python
    aborts rather than wait for it."""
    pending = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            if pending:
                yield pending
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            yield line + b"\n"


def watch_for_cancel(source: Iterator[bytes], cancelled: threading.Event) -> threading.Thread:
    def watch() -> None:
        for line in source:
            if line.strip() == CANCEL.encode():
                break
        cancelled.set()  # asked to, or the GUI is gone

    thread = threading.Thread(target=watch, name="cancel", daemon=True)
    thread.start()
    return thread


def run(job: Job, reports: Reports, cancelled: threading.Event) -> None:
    from observer.services import services_of_open_store
    from observer.signing import WrongPassphrase
    from observer.store.encryption import StoreKey

    key = StoreKey(job.key, job.salt)
    services = services_of_open_store(job.data_dir, job.passphrase, key, cache_kib=CACHE_KIB)
    try:
        summaries = services.summaries
        if job.sign:
            try:
                if job.earlier is not None:
                    summaries.adopt_identity(job.earlier)
                identity = summaries.prepare_signing()
            except WrongPassphrase:
                reports.send("earlier_refused" if job.earlier is not None else "earlier")
                return
            except ObserverError as error:
                reports.send("refused", sentence=str(error))
                return
            reports.send(
                "identity",
                name=identity.name,
                fingerprint=identity.fingerprint,
                created=identity.created,
                adopted=job.earlier is not None,
            )
        done = 0
        for index, (record, target) in enumerate(job.items):
            if cancelled.is_set():
                break
            problem = None
            try:
                summaries.export(record, target, include_case_reference=job.include_case_reference)
            except ObserverError as error:
                problem = str(error)
            except Exception as error:
                # Loud, but without the error's text: it may hold a file name with a name in it.
                log.error(
                    "a summary export failed: %s\n%s",
                    type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)),
                )
                problem = UNEXPECTED
            done += 1
            reports.send("step", index=index, problem=problem)
        reports.send("finished", done=done, cancelled=cancelled.is_set(), peak_kib=peak_kib())
    finally:
        services.db.close()


def peak_kib() -> int | None:
    """This process's peak resident memory since it started to run this module (Linux);
    ru_maxrss would count what it shared with its parent before exec."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main() -> int:
    # The reports have standard output to themselves: whatever else prints goes to stderr.
    reports = Reports(os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0))
    sys.stdout = sys.stderr
    source = lines_of(sys.stdin.fileno())
    first = next(source, b"")
    if not first:
        return 0
    job = Job.from_line(first)
    if hasattr(os, "nice"):
        # Background work: the window, the other process, gets the processor first.
        os.nice(10)
    from observer.logfile import configure_logging

    configure_logging(job.data_dir)
    cancelled = threading.Event()
    watch_for_cancel(source, cancelled)
    try:
        run(job, reports, cancelled)
    except Exception as error:
        log.error(
            "the export process failed: %s\n%s",
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        reports.send("refused", sentence=UNEXPECTED)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
