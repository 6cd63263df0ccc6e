"""Signing identities, PAdES signatures on summaries, and their verification.

Importing this package is cheap: cryptography, pyHanko and reportlab load only when an
identity is opened, a PDF signed, or a file verified.
"""

from __future__ import annotations

from observer.signing.errors import (
    InvalidIdentity,
    NoIdentity,
    NotAPdf,
    PassphraseNeeded,
    TimestampUnavailable,
    WrongPassphrase,
)
from observer.signing.identity import (
    IdentityInfo,
    adopt_identity,
    ensure_identity,
    export_certificate,
    has_identity,
    identity_info,
    identity_path,
    import_identity,
    load_signer,
    open_signer,
)
from observer.signing.sign import FIELD_NAME, sign_pdf, signature_box
from observer.signing.verify import (
    HistoryClaim,
    Verification,
    keywords,
    parse_history_keywords,
    parse_keywords,
    read_claim,
    verify_pdf,
)

__all__ = [
    "FIELD_NAME",
    "HistoryClaim",
    "IdentityInfo",
    "InvalidIdentity",
    "NoIdentity",
    "NotAPdf",
    "PassphraseNeeded",
    "TimestampUnavailable",
    "Verification",
    "WrongPassphrase",
    "adopt_identity",
    "ensure_identity",
    "export_certificate",
    "has_identity",
    "identity_info",
    "identity_path",
    "import_identity",
    "keywords",
    "load_signer",
    "open_signer",
    "parse_history_keywords",
    "parse_keywords",
    "read_claim",
    "sign_pdf",
    "signature_box",
    "verify_pdf",
]
