"""The export benchmark's floor does the leanest thing pyHanko can: one signature, not a dry
run first; the figure signs once too. Both PDFs still verify."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pyhanko.sign.signers import SimpleSigner

from benchmarks.export import bare_floor
from observer.documents.summaries import export_summary, prepare_signing
from observer.services import Services
from observer.signing import verify_pdf
from observer.vocabulary import Role, SignatureRole
from tests.support.core import NewDraft, Staff
from tests.support.signing import filled


@pytest.fixture
def signed_record(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
    record = filled(services, new_draft, staff)
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    return record


@pytest.fixture
def signatures_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a SimpleSigner has signed (a dry run counts), as a one-item list."""
    made = [0]
    sign_raw = SimpleSigner.async_sign_raw

    async def counted(self: SimpleSigner, *args: object, **kwargs: object) -> bytes:
        made[0] += 1
        return await sign_raw(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SimpleSigner, "async_sign_raw", counted)
    return made


def test_the_floor_and_the_export_each_sign_once(
    services: Services, signed_record: uuid.UUID, signatures_made: list[int], tmp_path: Path
) -> None:
    prepare_signing(services)
    floor = bare_floor(services, signed_record)
    export_summary(services, signed_record, tmp_path / "first.pdf")  # opens the identity

    signatures_made[0] = 0
    floor_pdf = floor()
    assert signatures_made[0] == 1

    signatures_made[0] = 0
    export_summary(services, signed_record, tmp_path / "summary.pdf")
    assert signatures_made[0] == 1

    for pdf in (floor_pdf, (tmp_path / "summary.pdf").read_bytes()):
        result = verify_pdf(pdf)
        assert (result.signed, result.intact) == (True, True)
