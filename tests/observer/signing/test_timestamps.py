"""B-T signatures: a timestamp from a timestamp server, or a clear error without one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from observer.signing import (
    TimestampUnavailable,
    load_signer,
    sign_pdf,
    verify_pdf,
)
from tests.support.signing import PASSPHRASE, Signed, summary_like_pdf, unused_port


def test_with_a_timestamp_server_the_signature_carries_its_time(
    signed: Signed, timestamp_server: str
) -> None:
    pdf = sign_pdf(
        summary_like_pdf(),
        load_signer(signed.data_dir, PASSPHRASE),
        reason="r",
        location="l",
        signer_name="Zoë Ştefănescu",
        timestamp_url=timestamp_server,
    )

    result = verify_pdf(pdf)

    assert result.intact
    assert result.timestamp is not None
    assert abs(datetime.now(UTC) - result.timestamp) < timedelta(minutes=5)
    assert any(
        line.startswith("Timestamp: ") and "from a timestamp server" in line
        for line in result.summary_lines()
    )


def test_an_unreachable_timestamp_server_is_a_clear_error(signed: Signed) -> None:
    url = f"http://127.0.0.1:{unused_port()}/"

    with pytest.raises(TimestampUnavailable, match="did not answer"):
        sign_pdf(
            summary_like_pdf(),
            load_signer(signed.data_dir, PASSPHRASE),
            reason="r",
            location="l",
            signer_name="Zoë",
            timestamp_url=url,
        )
