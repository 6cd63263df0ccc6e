"""Sealed bundles: a bundle encrypted with a passphrase, so records leaving the laptop are
as protected as the store they came from (docs/bundle-format.md).

The file is a first line naming the format, a second line of JSON saying how the key is
derived (scrypt) and the nonce, then the bundle's JSON, compressed and encrypted with
AES-256-GCM. The two header lines are authenticated too, so neither can be altered.
"""

from __future__ import annotations

import base64
import json
import secrets
import zlib
from typing import NamedTuple

from observer.errors import InvalidBundle, InvalidInput
from observer.store.encryption import MIN_PASSPHRASE, earlier_forms, normalised

MAGIC = b"Practice Observer sealed bundle\n"
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
LONGEST_HEADER = 1000


class WrongBundlePassphrase(InvalidBundle):
    """The passphrase does not open a sealed bundle."""


def is_sealed(head: bytes) -> bool:
    return head.startswith(MAGIC)


def check_bundle_passphrase(passphrase: str) -> None:
    """A bundle leaves the laptop, so its passphrase meets the store's own minimum."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(
            f"The bundle's passphrase needs at least {MIN_PASSPHRASE} characters; "
            "nothing was exported."
        )
    if passphrase.strip() != passphrase:
        raise InvalidInput(
            "The bundle's passphrase cannot start or end with a space; nothing was exported."
        )


def seal(document: bytes, passphrase: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    check_bundle_passphrase(passphrase)

    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = json.dumps(
        {
            "format_version": 1,
            "kdf": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": base64.b64encode(salt).decode("ascii"),
            "cipher": "AES-256-GCM",
            "nonce": base64.b64encode(nonce).decode("ascii"),
            "compression": "zlib",
        },
        separators=(",", ":"),
    ).encode("ascii")
    head = MAGIC + header + b"\n"
    key = _key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return head + AESGCM(key).encrypt(nonce, zlib.compress(document, 6), head)


def unseal(data: bytes, passphrase: str, source: str, max_bytes: int) -> bytes:
    """The bundle's JSON bytes, at most `max_bytes` of them."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    end = data.find(b"\n", len(MAGIC), len(MAGIC) + LONGEST_HEADER)
    if not is_sealed(data) or end < 0:
        raise InvalidBundle(f"{source} is not a sealed Practice Observer bundle.")
    head = data[: end + 1]
    settings = _settings(head[len(MAGIC) : end], source)
    # The normalised passphrase, then (for a bundle sealed before passphrases were
    # normalised) the passphrase as typed.
    tries = [normalised(passphrase), *earlier_forms(passphrase)]
    for typed in tries:
        key = _key(typed, settings.salt, settings.n, settings.r, settings.p, as_typed=True)
        try:
            compressed = AESGCM(key).decrypt(settings.nonce, data[end + 1 :], head)
            break
        except InvalidTag:
            continue
    else:
        raise WrongBundlePassphrase(
            f"That passphrase does not open {source}, or the file has been altered."
        )
    inflate = zlib.decompressobj()
    try:
        document = inflate.decompress(compressed, max_bytes + 1)
    except zlib.error:
        raise InvalidBundle(f"{source} is damaged.") from None
    if len(document) > max_bytes or inflate.unconsumed_tail:
        raise InvalidBundle(f"{source} is larger than {max_bytes:,} bytes, too large to read.")
    return document


class _Settings(NamedTuple):
    n: int
    r: int
    p: int
    salt: bytes
    nonce: bytes


def _settings(header: bytes, source: str) -> _Settings:
    damaged = InvalidBundle(f"{source} has a damaged header and cannot be opened.")
    try:
        raw = json.loads(header.decode("ascii"))
        settings = _Settings(
            n=int(raw["n"]),
            r=int(raw["r"]),
            p=int(raw["p"]),
            salt=base64.b64decode(raw["salt"], validate=True),
            nonce=base64.b64decode(raw["nonce"], validate=True),
        )
        supported = (
            raw["format_version"] == 1
            and raw["kdf"] == "scrypt"
            and raw["cipher"] == "AES-256-GCM"
            and raw["compression"] == "zlib"
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise damaged from None
    # Bounds keep a hostile header from asking for gigabytes of memory or hours of work.
    sane = (
        2**14 <= settings.n <= 2**17
        and settings.n & (settings.n - 1) == 0
        and 1 <= settings.r <= 8
        and 1 <= settings.p <= 4
        and len(settings.salt) >= 16
        and len(settings.nonce) == 12
    )
    if not (supported and sane):
        raise damaged
    return settings


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int, *, as_typed: bool = False) -> bytes:
    """The bundle key for `passphrase`, normalised (NFC) unless `as_typed`."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    if not as_typed:
        passphrase = normalised(passphrase)
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
