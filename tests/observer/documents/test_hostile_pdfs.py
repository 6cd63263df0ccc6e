"""A summary PDF truncated or mangled: not a PDF, or not intact, in one sentence; never a
traceback."""

from __future__ import annotations

import io
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observer.documents.summaries import verify_summary
from observer.services import Services
from observer.signing import NotAPdf, ensure_identity, load_signer, sign_pdf
from observer.signing.verify import keywords
from tests.support.hostile import FUZZ, edited, one_sentence
from tests.support.passphrase import STORE_PASSPHRASE


@dataclass(frozen=True)
class SignedPdf:
    data: bytes = field(repr=False)  # its repr would swamp the report of a failing example


@pytest.fixture(scope="module")
def signed_pdf(tmp_path_factory: pytest.TempPathFactory) -> SignedPdf:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    page = Canvas(out, invariant=1, pageCompression=0)
    page.setKeywords(keywords(uuid.UUID(int=7), "ab" * 32))
    page.drawString(72, 760, "The child was seen alone and asked about school.")
    page.showPage()
    page.save()
    identity = tmp_path_factory.mktemp("bad-input-identity")
    ensure_identity(identity, STORE_PASSPHRASE, "Aled Hughes", "Northshire Council")
    signer = load_signer(identity, STORE_PASSPHRASE)
    return SignedPdf(
        sign_pdf(
            out.getvalue(), signer, reason="Test", location="Northshire", signer_name="Aled Hughes"
        )
    )


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], **FUZZ)
@given(
    edit=st.tuples(
        st.sampled_from(["truncate", "delete", "insert", "repeat"]),
        st.integers(0, 10**7),
        st.integers(1, 2000),
        st.binary(min_size=1, max_size=64),
    )
)
def test_a_truncated_or_mangled_summary_is_not_a_pdf_or_not_intact(
    services: Services, signed_pdf: SignedPdf, edit: tuple[str, int, int, bytes]
) -> None:
    content = edited(signed_pdf.data, *edit)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "summary.pdf"
        path.write_bytes(content)
        try:
            result = verify_summary(services, path)
        except NotAPdf as refused:
            message = one_sentence(refused)
        else:
            message = ""
            assert not result.intact
            assert result.ok is False
    assert message == "" or message.startswith("summary.pdf ")
