"""Times exporting and signing one summary against bare reportlab plus one bare pyHanko
signature of the same content, measured interleaved in the same run.

    .venv/bin/observer --data-dir DIR demo --workers 2000 --observations 100000
    cp -r DIR COPY          # exporting writes to the store (audit trail, signing identity)
    OBSERVER_PASSPHRASE=... .venv/bin/python benchmarks/export.py --data-dir COPY [--runs N]

The figure is `export_summary` of the signed observation with the most text. The floor
builds a PDF of the same words with reportlab alone (a SimpleDocTemplate of Paragraphs and
Tables, in the same embedded Unicode font, since names need it) and signs it once with
pyHanko's SimpleSigner from the same identity: PAdES, SHA-256, a visible field in the same
place, no timestamp. The floor opens the identity and sizes its signature once, outside
the timed part: told the bytes to reserve, pyHanko signs once (left to work them out, it
signs twice, a dry run first, which the floor did until it was told). The figure does
whatever `export_summary` does (which holds the identity open, its signature sized, for
the session from the first, untimed export on). The PDFs go to a temporary folder.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.harness import Measurement, median, table, timed_ms  # noqa: E402
from observer.cli.main import passphrase_from_environment  # noqa: E402
from observer.documents.summaries import (  # noqa: E402
    SIGNING_REASON,
    _signature_strip,
    export_summary,
    prepare_signing,
)
from observer.records.sign_off import SignedRecord  # noqa: E402
from observer.services import Services, open_services  # noqa: E402
from observer.store.models import Observation  # noqa: E402
from observer.vocabulary import NARRATIVE_SECTIONS, Status  # noqa: E402

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

WHAT = "Export and sign one summary"
TARGET = 1.3  # issue 18: at most 1.3 times the floor, on every run
RUNS = 20
NARRATIVE = (
    Observation.strengths,
    Observation.development_areas,
    Observation.child_voice,
    Observation.family_feedback,
    Observation.reflection,
    Observation.overall_rationale,
)


def richest_signed(services: Services) -> uuid.UUID | None:
    """The signed observation with the most narrative text."""
    length = sum((func.length(column) for column in NARRATIVE[1:]), func.length(NARRATIVE[0]))
    query = (
        select(Observation.id)
        .where(Observation.status == Status.SIGNED.value)
        .order_by(length.desc())
        .limit(1)
    )
    with services.db.session() as s:
        return s.execute(query).scalar_one_or_none()


def _paragraphs(value: str, style: Any) -> list[Any]:
    from reportlab.platypus import Paragraph

    blocks = [b for b in value.split("\n\n") if b.strip()] or ["Nothing recorded."]
    return [Paragraph(escape(b).replace("\n", "<br/>"), style) for b in blocks]


def bare_pdf(record: SignedRecord, font: str, bold: str) -> bytes:
    """The summary's words, laid out by reportlab with no code of ours."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table

    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    strong = ParagraphStyle("strong", parent=body, fontName=bold)
    head = ParagraphStyle("head", parent=body, fontName=bold, fontSize=12.5, leading=16)
    o = record.view

    def p(value: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(value), style)

    story: list[Any] = [p("Practice observation summary", head)]
    details = [
        ("Practitioner observed", o.observed_person_name),
        ("Observer", o.observer_name),
        ("Date and time", str(o.observed_at)),
        ("Kind of observation", o.kind.label),
        ("Duration", f"{o.duration_minutes} minutes"),
        ("Case reference", o.case_reference),
        ("Others present", o.others_present),
        ("Consent given by", o.consent_given_by),
        ("How consent was given", o.consent_how),
        ("Agreed focus", o.focus),
        ("Framework", f"{o.framework.name}, version {o.framework.version}"),
    ]
    story.append(Table([[p(k, strong), p(v)] for k, v in details], colWidths=[130, 350]))
    labels = {level.code: level.label for level in o.levels}
    rows: list[list[Any]] = [[p("Standard", strong), "", p("Rating", strong)]]
    for rating in o.ratings:
        rating_label = labels.get(rating.level_code or "", "Not rated")
        rows.append([p(rating.standard_code), p(rating.title, strong), p(rating_label)])
        rows.append(["", p(rating.evidence or "No evidence recorded."), ""])
    story.append(Table(rows, colWidths=[34, 296, 150], repeatRows=1))
    for field, title in NARRATIVE_SECTIONS.items():
        story.append(p(title, head))
        story += _paragraphs(getattr(o, field), body)
    if o.actions:
        story.append(p("Agreed actions", head))
        story.append(
            Table(
                [
                    [p(a.description), p(a.owner_name), p(str(a.due_date)), p(a.status.label)]
                    for a in o.actions
                ],
                colWidths=[214, 100, 82, 84],
            )
        )
    story.append(p("Signatures", head))
    for signature in record.signatures:
        cells: list[Any] = [p(f"{signature.role_label}: {signature.name}, {signature.signed_at}")]
        if signature.drawing_png:
            cells.append(Image(io.BytesIO(signature.drawing_png), width=170, height=56))
        story.append(Table([cells]))
        if signature.comment:
            story += _paragraphs(signature.comment, body)
    for addendum in record.addenda:
        story.append(p(f"Addendum by {addendum.author_name}, {addendum.signed_at}", strong))
        story += _paragraphs(addendum.text, body)
    story.append(p(f"Record {o.id}"))
    story.append(p(f"Content SHA-256 {record.content_hash}"))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


def bare_sign(pdf: bytes, signer: SimpleSigner, room: int) -> bytes:
    """One PAdES signature by pyHanko alone, visible where ours is, with no timestamp, in
    `room` bytes reserved (`signature_room`), so pyHanko signs once."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name="Signature",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=SIGNING_REASON,
    )
    field = fields.SigFieldSpec("Signature", on_page=-1, box=_signature_strip())
    output = io.BytesIO()
    signers.PdfSigner(metadata, signer, new_field_spec=field).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), output=output, bytes_reserved=room
    )
    return output.getvalue()


def bare_floor(services: Services, observation_id: uuid.UUID) -> Callable[[], bytes]:
    """Bare reportlab building the summary's words, then one bare pyHanko signature; the
    record is read, the identity opened and its signature sized once, beforehand."""
    from pyhanko.sign.signers import SimpleSigner
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from observer.paths import RESOURCES_DIR
    from observer.signing import identity_path
    from observer.signing.sign import signature_room

    font, bold = "BareSans", "BareSans-Bold"
    for name, file in ((font, "DejaVuSans.ttf"), (bold, "DejaVuSans-Bold.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(RESOURCES_DIR / "fonts" / file)))
    record = services.signoff.signed_record(observation_id)
    signer = SimpleSigner.load_pkcs12_data(
        identity_path(services.data_dir).read_bytes(), [], services.passphrase.encode()
    )
    room = signature_room(signer)
    return lambda: bare_sign(bare_pdf(record, font, bold), signer, room)


def measure(services: Services, runs: int) -> list[Measurement]:
    observation_id = richest_signed(services)
    if observation_id is None:
        raise SystemExit("The store has no signed observations: run demo first.")
    prepare_signing(services)  # makes the identity on a store that has none yet
    floor_work = bare_floor(services, observation_id)
    floors: list[float] = []

    def floor() -> None:
        started = time.perf_counter()
        floor_work()
        floors.append((time.perf_counter() - started) * 1000)

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "summary.pdf"
        floor_work()  # warms reportlab's and pyHanko's caches, as timed_ms does the export's
        # The floor runs just before each export, so both see the same load on the machine.
        figures = timed_ms(
            runs, lambda: export_summary(services, observation_id, out), before=floor
        )
    return [
        Measurement(
            what=WHAT,
            figure=median(figures),
            unit="ms",
            target=TARGET,
            floor=median(floors),
            how=f"median of {runs}, interleaved",
        )
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    services = open_services(args.data_dir, passphrase_from_environment())
    try:
        started = time.perf_counter()
        measurements = measure(services, args.runs)
        took = time.perf_counter() - started
    finally:
        services.close()
    print(table(measurements))
    print(f"\n({took:.1f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
