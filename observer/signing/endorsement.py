"""The digital signature a laptop puts on each sign-off and addendum made on it.

What is signed is the sign-off's own hash (observer/records/seals.py), behind a fixed
prefix so that a signature made for a sign-off can never pass for one over anything else.
The key is the laptop's signing identity (observer/signing/identity.py); the certificate
travels with the sign-off, and a store takes a sign-off from a bundle only when it knows
that certificate. The work is `cryptography`'s: ECDSA or RSA (PKCS#1 v1.5) with SHA-256.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

PREFIX = b"practice-observer sign-off sha256="


@dataclass(frozen=True)
class Endorser:
    """The identity's private key and its certificate (DER), held for a session."""

    key: PrivateKeyTypes
    certificate: bytes

    @property
    def fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate)


def certificate_fingerprint(certificate: bytes) -> str:
    """SHA-256 of the certificate's DER, lower-case hex, as known certificates are kept."""
    return hashlib.sha256(certificate).hexdigest()


def endorser_from_pkcs12(loaded: Any) -> Endorser:
    """An Endorser from a PKCS#12 opened by `cryptography` (identity.open_endorser)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return Endorser(loaded.key, loaded.cert.certificate.public_bytes(Encoding.DER))


def endorse(endorser: Endorser, own_hash: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    message = PREFIX + own_hash.encode("ascii")
    key = endorser.key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    raise TypeError("a signing identity's key is EC or RSA")


def endorsement_holds(certificate: bytes | None, signature: bytes, own_hash: str) -> bool:
    """Whether `signature` is the certificate's key's signature over `own_hash`."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    if certificate is None:
        return False
    try:
        public = x509.load_der_x509_certificate(certificate).public_key()
        message = PREFIX + own_hash.encode("ascii")
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except (InvalidSignature, ValueError, UnicodeEncodeError):
        return False
    return True
