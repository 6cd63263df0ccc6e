"""A worker's history as one signed PDF for the supervision file.

`export_history` is what `observer history` and the worker page's button call. It gathers
the history (observer/documents/history_content.py), lays it out
(observer/documents/pdf/history_layout.py),
signs it like a summary (PAdES, with this data folder's identity under the store's
passphrase; observer/documents/summaries.py), records the export in the audit trail (the
person's id, the dates and the count; never a name) and only then puts the file in place,
so the audit trail never misses a history that was written (observer/signing/files.py).

A history holds signed observations only, unless asked to include the others: a draft or
a record only ready for sign-off may still change, so it has no place in a signed document
for the supervision file unless someone chooses to put it there, and then each such record
carries a "not signed" banner (and, in a full summary, its DRAFT watermark). Each
observation is shown in brief unless full summaries are asked for. The Keywords, which
the signature covers, say both (observer/signing/claims.py), as does the cover.

It opens its own sessions, shares no mutable state, and loads reportlab and pyHanko only
when called, so the GUI runs it on a worker thread (a BatchJob); `progress` and
`cancelled` let a dialog show progress and stop it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from observer.documents.history_content import Cancelled, HistoryCancelled, Progress
from observer.documents.summaries import PASSPHRASE_NEEDED, after_signing_lines
from observer.governance.audit import record_event
from observer.review.worker_history import HistoryFilter
from observer.signing.errors import PassphraseNeeded

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from observer.documents.pdf.content import HistoryContent
    from observer.documents.sources import DocumentSources
    from observer.signing import IdentityInfo

log = logging.getLogger(__name__)

SIGNING_REASON = "History of observations of a worker's practice, for their supervision file"

__all__ = ["HistoryCancelled", "HistoryExportResult", "export_history"]


@dataclass(frozen=True)
class HistoryExportResult:
    path: Path
    person_id: uuid.UUID
    date_from: date | None
    date_to: date | None
    observations: int  # how many observations (and summaries) the history holds
    pages: int
    signer: str
    timestamped: bool = False
    identity: IdentityInfo | None = None
    note: str | None = None  # e.g. the timestamp server did not answer

    def lines(self) -> list[str]:
        """What to tell the user, one sentence a line."""
        how = " with a timestamp from the timestamp server" if self.timestamped else ""
        count = f"{self.observations} observation{'s' if self.observations != 1 else ''}"
        lines = [
            f"Wrote a signed history of {count} ({self.pages} pages) to {self.path}, "
            f"signed by {self.signer}{how}."
        ]
        return lines + after_signing_lines(self.identity, self.note)


def export_history(
    services: DocumentSources,
    person_id: uuid.UUID,
    target: Path,
    filters: HistoryFilter,
    *,
    include_case_reference: bool = True,
    include_unsigned: bool = False,
    full_summaries: bool = False,
    today: date | None = None,
    passphrase: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    generated_at: datetime | None = None,
) -> HistoryExportResult:
    """Writes the signed history of `person_id`, narrowed by `filters`, to `target`.

    Only signed observations, each in brief, unless `include_unsigned` (drafts and records
    ready for sign-off too, each marked) or `full_summaries` (each one's whole summary).
    `today` decides which open actions are overdue (default: this laptop's date).
    `progress(done, steps)` hears of each observation gathered and each laid out, then of
    the signing; `cancelled()` is asked between steps and stops with HistoryCancelled,
    before anything is written. Raises InvalidInput for a date range that ends before it
    starts, NotFound for an unknown person, PassphraseNeeded without a passphrase.
    """
    from observer.documents.history_content import history_content
    from observer.documents.pdf.history_layout import build_history
    from observer.documents.summaries import sign_for_export
    from observer.signing.files import write_recorded

    filters = replace(filters, signed_only=not include_unsigned).check()
    if passphrase is None:
        passphrase = services.passphrase
    if not passphrase:
        raise PassphraseNeeded(PASSPHRASE_NEEDED)
    steps = _Steps(progress, cancelled)
    content = history_content(
        services,
        person_id,
        filters,
        include_case_reference=include_case_reference,
        full_summaries=full_summaries,
        today=today,
        generated_at=generated_at,
        progress=steps.gathered,
        cancelled=cancelled,
    )
    _check_records_hold_together(content)
    count = len(content.summaries)
    steps.total = 2 * count + 1
    pdf = build_history(content, laid_out=steps.laid_out)
    steps.check()
    # The visible signature goes on the cover, beside who produced the history.
    signed = sign_for_export(services, pdf, reason=SIGNING_REASON, passphrase=passphrase, page=0)
    steps.check()
    write_recorded(
        target,
        signed.data,
        lambda: _audit(services, person_id, filters, count, signed_with=signed.identity),
        what="history",
        not_completed=lambda: _audit(services, person_id, filters, count, written=False),
    )
    steps.report(steps.total)
    log.info("exported a signed history of person %s: %d observations", person_id, count)
    return HistoryExportResult(
        path=target,
        person_id=person_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
        observations=count,
        pages=_page_count(pdf),
        signer=signed.identity.name,
        timestamped=signed.timestamped,
        identity=signed.identity,
        note=signed.note,
    )


class _Steps:
    """Progress over the whole export: n observations gathered, n laid out, one signing."""

    def __init__(self, progress: Progress | None, cancelled: Cancelled | None) -> None:
        self.progress = progress
        self.cancelled = cancelled
        self.total = 0

    def report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, self.total)

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise HistoryCancelled("Stopped; no history was written.")

    def gathered(self, done: int, count: int) -> None:
        self.total = 2 * count + 1
        self.report(done)

    def laid_out(self, done: int, count: int) -> None:
        self.check()
        self.report(count + done)


def _check_records_hold_together(content: HistoryContent) -> None:
    """A history is signed like a summary, so it refuses, as a summary would, a record whose
    signatures or addenda no longer fit it; it names the record by date and id, never by a
    name. (A record marked signed off with no signature at all shows no signature here; the
    audit trail's check finds it.)"""
    from observer.documents.summaries import RecordAltered, altered_reason

    for summary in content.summaries:
        reason = altered_reason(summary, signed_needs_signatures=False)
        if reason is not None:
            observed = summary.observation.observed_at
            raise RecordAltered(
                f"The observation of {observed:%d %B %Y} ({summary.record_id}) no longer "
                f"matches what was signed, so this history cannot be exported ({reason})."
            )


def _page_count(pdf: bytes) -> int:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"])


def _audit(
    services: DocumentSources,
    person_id: uuid.UUID,
    filters: HistoryFilter,
    count: int,
    *,
    signed_with: IdentityInfo | None = None,
    written: bool = True,
) -> None:
    """Records the export; with `signed_with`, the certificate is remembered in the same
    transaction (as for summaries), so either both are stored or neither."""
    from observer.documents.summaries import remember_in, writing

    start = filters.date_from.isoformat() if filters.date_from else "any date"
    end = filters.date_to.isoformat() if filters.date_to else "any date"
    narrowed = " (narrowed further by kind, observer or framework)" if _narrowed(filters) else ""
    records = "signed observations only" if filters.signed_only else "unsigned records included"
    outcome = (
        "signed, about to be written"
        if written
        else "not written after all (the file could not be put in place)"
    )
    actor = services.actor()

    def write(s: Session) -> None:
        if signed_with is not None:
            remember_in(s, signed_with, actor)
        record_event(
            s,
            actor=actor,
            action="export",
            record_type="history",
            record_id=person_id,
            detail=(f"{count} observations, from {start} to {end}{narrowed}; {records}; {outcome}"),
        )

    writing(services, write)


def _narrowed(filters: HistoryFilter) -> bool:
    return (
        bool(filters.kinds) or filters.observer_id is not None or filters.framework_id is not None
    )


class HistoryPdfs:
    """A worker's history as a signed PDF for the supervision file."""

    def __init__(self, sources: DocumentSources) -> None:
        self._sources = sources

    def export(
        self,
        person_id: uuid.UUID,
        target: Path,
        filters: HistoryFilter,
        *,
        include_case_reference: bool = True,
        include_unsigned: bool = False,
        full_summaries: bool = False,
        today: date | None = None,
        passphrase: str | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        generated_at: datetime | None = None,
    ) -> HistoryExportResult:
        return export_history(
            self._sources,
            person_id,
            target,
            filters,
            include_case_reference=include_case_reference,
            include_unsigned=include_unsigned,
            full_summaries=full_summaries,
            today=today,
            passphrase=passphrase,
            progress=progress,
            cancelled=cancelled,
            generated_at=generated_at,
        )
