"""Everything exported from a store of sample data says SAMPLE: each page of a summary and
of a history, their title and keywords, and a bundle; a real store's exports do not."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from observer.bundle.export import export_bundle
from observer.bundle.importer import import_bundle
from observer.demo.generator import generate
from observer.review.worker_history import HistoryFilter
from observer.services import Services
from observer.store.models import Observation
from observer.vocabulary import Role, Status
from tests.support.core import NewDraft, trusting_bundle
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.pdf import flat, metadata, page_count, pdf_text

SAMPLE_BANNER = "SAMPLE: fictional sample data from Practice Observer, not a real record"


def _sample_store(services: Services) -> uuid.UUID:
    """A sample store; a signed record of it, the longest."""
    services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire County Council")
    generate(services, workers=3, observations=10, seed=11)
    with services.db.session() as s:
        signed = s.scalars(
            select(Observation).where(Observation.status == Status.SIGNED.value)
        ).all()
        return max(signed, key=lambda o: len(o.strengths + o.child_voice + o.reflection)).id


def test_every_page_of_a_summary_from_a_sample_store_says_sample(
    services: Services, tmp_path: Path
) -> None:
    record = _sample_store(services)
    out = tmp_path / "summary.pdf"

    services.summaries.export(record, out, passphrase=STORE_PASSPHRASE)

    pdf = out.read_bytes()
    pages = page_count(pdf)
    assert pages >= 2
    for page in range(1, pages + 1):
        assert SAMPLE_BANNER in flat(pdf_text(pdf, tmp_path, page))
    info = metadata(pdf)
    assert info["/Title"].startswith("SAMPLE: ")
    assert "SAMPLE" in info["/Keywords"]
    assert "SAMPLE" in info["/Subject"]
    assert services.summaries.verify(out).ok  # the keywords still name the record


def test_every_page_of_a_history_from_a_sample_store_says_sample(
    services: Services, tmp_path: Path
) -> None:
    record = _sample_store(services)
    worker = services.recording.get(record).observed_person_id
    out = tmp_path / "history.pdf"

    services.history_pdfs.export(worker, out, HistoryFilter(), passphrase=STORE_PASSPHRASE)

    pdf = out.read_bytes()
    for page in range(1, page_count(pdf) + 1):
        assert SAMPLE_BANNER in flat(pdf_text(pdf, tmp_path, page))
    assert metadata(pdf)["/Title"].startswith("SAMPLE: ")


def test_a_bundle_from_a_sample_store_says_sample_and_marks_the_store_it_enters(
    services: Services, tmp_path: Path
) -> None:
    from observer.services import open_services

    _sample_store(services)
    bundle = export_bundle(services.db)
    assert bundle["sample_data"] is True
    other = open_services(tmp_path / "other", STORE_PASSPHRASE)
    try:
        trusting_bundle(other, bundle)
        import_bundle(other.db, bundle, "Tester", "sample.json")
        assert other.sample_data.held()
    finally:
        other.close()


def test_a_real_stores_exports_say_nothing_of_samples(
    services: Services, new_draft: NewDraft, tmp_path: Path
) -> None:
    services.profiles.set_up("Ayaan Hughes", Role.PRACTICE_LEAD, "Northshire County Council")
    out = tmp_path / "summary.pdf"

    services.summaries.export(new_draft(), out, passphrase=STORE_PASSPHRASE)

    pdf = out.read_bytes()
    assert "SAMPLE" not in pdf_text(pdf, tmp_path)
    assert "SAMPLE" not in metadata(pdf)["/Title"]
    assert "sample_data" not in export_bundle(services.db)
