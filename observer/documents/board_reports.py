"""The Board report: the Service section's figures for a period as a signed, anonymised PDF
for the Improvement Board, with the QA lead's commentary and the moderation results; and
the same tables as CSV files for the council's own reporting tools (`services.
board_reports`, `observer service-report`).

Anonymised by construction: the PDF and the CSV files are made from observer/service/
board_tables.py's tables alone (teams and counts; small numbers held back), never from
anything that names a worker or an observer. The commentary is the QA lead's own words, so
it is checked: a report whose commentary names a person in this store is refused, with
the sentence saying which, so that no name reaches the Board by accident.

Signed like a summary (PAdES, with this data folder's identity), recorded in the audit
trail before the file is put in place (observer/signing/files.py), never logging a name.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from observer.documents.summaries import PASSPHRASE_NEEDED, after_signing_lines
from observer.errors import InvalidInput
from observer.governance.audit import record_event
from observer.service.board_tables import AgreementRow, BoardTables, Table, board_tables
from observer.service.commentary import Commentaries
from observer.service.disclosure import Cell, count_cell
from observer.service.period import ServiceFilter, period_name
from observer.service.quality import COUNTED, ServiceFigures
from observer.service.standards import observations_in
from observer.signing.errors import PassphraseNeeded
from observer.store.models import Observation, Person, Team
from observer.store.sample import holds_sample_data

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from observer.documents.sources import DocumentSources
    from observer.signing import IdentityInfo

log = logging.getLogger(__name__)

SIGNING_REASON = "Quality of practice across the service, for the Improvement Board"
ABOUT_FILE = "about.csv"

Figures = Callable[[ServiceFilter, date], ServiceFigures]
Agreement = Callable[[ServiceFilter], Sequence[AgreementRow]]


class NamesSomeone(InvalidInput):
    """The commentary names a person in this store; the report is anonymised."""


@dataclass(frozen=True)
class BoardReportResult:
    path: Path | None
    csv_folder: Path | None
    csv_files: int
    observations: int
    pages: int
    signer: str
    timestamped: bool = False
    identity: IdentityInfo | None = None
    note: str | None = None

    def lines(self) -> list[str]:
        lines = []
        if self.path is not None:
            how = " with a timestamp from the timestamp server" if self.timestamped else ""
            lines.append(
                f"Wrote the signed Board report ({self.pages} pages, {self.observations:,} "
                f"observations counted) to {self.path}, signed by {self.signer}{how}."
            )
        if self.csv_folder is not None:
            lines.append(f"Wrote {self.csv_files} CSV tables to {self.csv_folder}.")
        return lines + (after_signing_lines(self.identity, self.note) if self.path else [])


@dataclass(frozen=True)
class ReportFigures:
    tables: BoardTables
    observations: int
    workers: Cell
    observed: Cell


class BoardReports:
    """Makes the Board report from the Service section's figures."""

    def __init__(
        self,
        sources: DocumentSources,
        figures: Figures,
        commentaries: Commentaries,
        agreement: Agreement | None = None,
    ) -> None:
        self._sources = sources
        self._figures = figures
        self._commentaries = commentaries
        self._agreement = agreement

    def figures(self, query: ServiceFilter, today: date) -> ReportFigures:
        """The report's tables, as the PDF and the CSV files show them.

        The figures of the whole, of supervision alone and of moderation are worked out at
        once, each on a thread with a session of its own: most of each is SQLite's and
        the arrays' own work, done without Python's lock, so on two processors the three
        take about as long as the longest."""
        from concurrent.futures import ThreadPoolExecutor

        supervision_only = ServiceFilter(
            query.period, query.team_id, query.kind, query.framework_id, True
        )
        agreement = self._agreement
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="board-report") as pool:
            whole = pool.submit(self._figures, query, today)
            supervision = pool.submit(self._figures, supervision_only, today)
            agreed = pool.submit(agreement, query) if agreement is not None else None
            counted = pool.submit(self._counted, query)
            tables = board_tables(
                whole.result(), supervision.result(), agreed.result() if agreed else ()
            )
            coverage = whole.result().coverage
            return ReportFigures(
                tables=tables,
                observations=counted.result(),
                workers=count_cell(sum(t.workers for t in coverage)),
                observed=count_cell(sum(t.observed for t in coverage)),
            )

    def export(
        self,
        query: ServiceFilter,
        target: Path | None,
        *,
        csv_folder: Path | None = None,
        today: date | None = None,
        passphrase: str | None = None,
        generated_at: datetime | None = None,
    ) -> BoardReportResult:
        """Writes the signed PDF to `target` and/or the CSV tables into `csv_folder`.

        Raises NamesSomeone when the commentary names a person in this store, before
        anything is written; PassphraseNeeded without a passphrase for the PDF.
        """
        if target is None and csv_folder is None:
            raise InvalidInput("Say where to write the report: a PDF file, a CSV folder, or both.")
        today = today or date.today()
        commentary = self._commentaries.read(query.period, query.team_id).text
        self._check_anonymous(commentary)
        report = self.figures(query, today)
        csv_files = 0
        if csv_folder is not None:
            csv_files = self._write_csv(query, report, csv_folder)
        if target is None:
            return BoardReportResult(None, csv_folder, csv_files, report.observations, 0, "")
        return self._write_pdf(
            query, report, commentary, target, csv_folder, csv_files, passphrase, generated_at
        )

    def _write_pdf(
        self,
        query: ServiceFilter,
        report: ReportFigures,
        commentary: str,
        target: Path,
        csv_folder: Path | None,
        csv_files: int,
        passphrase: str | None,
        generated_at: datetime | None,
    ) -> BoardReportResult:
        from observer.documents.pdf.board_layout import BoardContent, build_board_report
        from observer.documents.summaries import sign_for_export
        from observer.signing.files import write_recorded

        sources = self._sources
        passphrase = passphrase if passphrase is not None else sources.passphrase
        if not passphrase:
            raise PassphraseNeeded(PASSPHRASE_NEEDED)
        profile = sources.profiles.current()
        with sources.db.session() as s:
            sample = holds_sample_data(s)
            team = _team_name(s, query.team_id)
        content = BoardContent(
            organisation=profile.organisation if profile else "",
            period=period_name(query.period),
            previous_period=period_name(query.previous),
            scope="All teams" if team is None else f"Team: {team}",
            narrowed=_narrowed(query),
            generated_at=generated_at or datetime.now(UTC),
            generated_by=sources.actor(),
            commentary=commentary,
            counted=COUNTED,
            tables=report.tables,
            observations=count_cell(report.observations),
            workers=report.workers,
            observed=report.observed,
            keywords=claim(query, report.observations),
            sample=sample,
        )
        pdf = build_board_report(content)
        signed = sign_for_export(sources, pdf, reason=SIGNING_REASON, passphrase=passphrase, page=0)
        detail = _detail(query, report.observations)
        write_recorded(
            target,
            signed.data,
            lambda: self._audit(detail + "; signed, about to be written", signed.identity),
            what="Board report",
            not_completed=lambda: self._audit(detail + "; not written after all"),
        )
        log.info("exported a signed Board report: %d observations", report.observations)
        return BoardReportResult(
            path=target,
            csv_folder=csv_folder,
            csv_files=csv_files,
            observations=report.observations,
            pages=_page_count(pdf),
            signer=signed.identity.name,
            timestamped=signed.timestamped,
            identity=signed.identity,
            note=signed.note,
        )

    def _write_csv(self, query: ServiceFilter, report: ReportFigures, folder: Path) -> int:
        from observer.signing.files import write_atomically

        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidInput(
                f"The folder {folder} could not be made ({exc.strerror or exc})."
            ) from None
        if not folder.is_dir():
            raise InvalidInput(f"{folder} is not a folder.")
        tables = report.tables.csv_tables()
        for table in tables:
            write_atomically(folder / f"{table.name}.csv", csv_bytes(table), what="CSV table")
        write_atomically(folder / ABOUT_FILE, _about(query, report), what="CSV table")
        self._audit(f"{_detail(query, report.observations)}; {len(tables) + 1} CSV tables")
        return len(tables) + 1

    def _check_anonymous(self, commentary: str) -> None:
        if not commentary.strip():
            return
        with self._sources.db.session() as s:
            names = [name for (name,) in s.execute(select(Person.name)) if name.strip()]
        for name in sorted(names, key=len, reverse=True):
            if _names(commentary, name):
                raise NamesSomeone(
                    f"The commentary names {name}, and the Board report is anonymised: take "
                    "the name out of the commentary and make the report again."
                )

    def _counted(self, query: ServiceFilter) -> int:
        with self._sources.db.session() as s:
            statement = (
                select(func.count())
                .select_from(Observation)
                .where(observations_in(query, query.period.first, query.period.last))
            )
            return int(s.execute(statement).scalar_one())

    def _audit(self, detail: str, signed_with: IdentityInfo | None = None) -> None:
        from observer.documents.summaries import remember_in, writing

        actor = self._sources.actor()

        def write(s: Session) -> None:
            if signed_with is not None:
                remember_in(s, signed_with, actor)
            record_event(
                s,
                actor=actor,
                action="export",
                record_type="board_report",
                record_id=None,
                detail=detail,
            )

        writing(self._sources, write)


def claim(query: ServiceFilter, observations: int) -> str:
    """The Keywords a Board report carries, under its signature (`observer verify` reads
    them back)."""
    from observer.signing.claims import BoardClaim

    period = query.period
    return BoardClaim(period.first, period.last, query.team_id, observations).keywords()


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([csv_value(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def csv_value(cell: Cell) -> str:
    """A cell as the CSV holds it: plain numbers (shares in percent, changes in points),
    the symbol where a figure is held back or not available."""
    value = cell.value
    if value is None:
        return cell.missing
    if cell.kind == "text" or isinstance(value, str):
        return _safe_text(str(value))
    if cell.kind == "share":
        return f"{value * 100:.1f}"
    if cell.kind == "points":
        return f"{value:+.1f}"
    if cell.kind == "statistic":
        return f"{value:.3f}"
    return str(int(value))


def _safe_text(value: str) -> str:
    # A spreadsheet would run a cell starting with one of these as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _about(query: ServiceFilter, report: ReportFigures) -> bytes:
    from observer.service.disclosure import RULE

    about = Table(
        "about",
        ("item", "value"),
        tuple(
            (Cell(k, "text"), Cell(v, "text"))
            for k, v in (
                ("report", "Quality of practice across the service (anonymised)"),
                ("period_from", query.period.first.isoformat()),
                ("period_to", query.period.last.isoformat()),
                ("compared_with_from", query.previous.first.isoformat()),
                ("compared_with_to", query.previous.last.isoformat()),
                ("team", "all" if query.team_id is None else str(query.team_id)),
                ("narrowed", _narrowed(query) or "no"),
                ("observations_counted", csv_value(count_cell(report.observations))),
                ("what_is_counted", COUNTED),
                ("suppression", RULE),
            )
        ),
    )
    return csv_bytes(about)


def _names(text: str, name: str) -> bool:
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in name.split()) + r"(?!\w)"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def _team_name(s: Session, team_id: uuid.UUID | None) -> str | None:
    if team_id is None:
        return None
    name = s.execute(select(Team.name).where(Team.id == team_id)).scalar_one_or_none()
    if name is None:
        raise InvalidInput("That team is not in this store.")
    return name


def _narrowed(query: ServiceFilter) -> str:
    parts = []
    if query.kind is not None:
        parts.append(f"{query.kind.label} only")
    if query.framework_id is not None:
        parts.append("one framework version only")
    return "; ".join(parts)


def _detail(query: ServiceFilter, observations: int) -> str:
    team = "every team" if query.team_id is None else f"team {query.team_id}"
    return (
        f"from {query.period.first.isoformat()} to {query.period.last.isoformat()}, {team}, "
        f"{observations} observations counted"
    )


def _page_count(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


__all__ = ["BoardReportResult", "BoardReports", "NamesSomeone", "claim", "csv_bytes"]
