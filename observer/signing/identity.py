"""Each laptop user's signing identity: a key and its certificate in a protected PKCS#12.

On first use the app makes an EC P-256 key and a self-signed certificate for the user
(signing with P-256 is several times faster than with RSA-2048); an organisation may issue
its own PKCS#12 instead, which is imported and protected under the user's passphrase. The
file never leaves the data folder unprotected; only the certificate is exported, so that
others can recognise (or trust) the signer.

The PKCS#12 is protected by the store's passphrase, so one passphrase opens everything.
An identity made before the store had one may still be under the passphrase its user chose
for signing then: `adopt_identity` re-protects it by the store's, once.

Which certificates this laptop knows (its identities' among them) is kept inside the
encrypted store (observer/signing/known.py), never beside the PKCS#12: a plain file in the
data folder vouches for nothing, since anyone able to write there could have put it there.
Earlier versions kept each certificate's fingerprint (`certificate*.sha256`) or the whole
certificate as PEM (`certificate*.pem`) in plain files; they are removed when seen
(`forget_plain_certificates`), and only identities that open with the store's passphrase
are taken into the store as its own (`own_certificates`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from observer.errors import ObserverError
from observer.signing.errors import (
    InvalidIdentity,
    NoIdentity,
    PassphraseNeeded,
    WrongPassphrase,
)
from observer.signing.files import write_atomically
from observer.store.encryption import earlier_forms, normalised, shred

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization.pkcs12 import PKCS12KeyAndCertificates
    from pyhanko.sign.signers import SimpleSigner

    from observer.signing.endorsement import Endorser

log = logging.getLogger(__name__)

SIGNING_DIR = "signing"
IDENTITY_FILE = "identity.p12"
# What earlier versions kept in plain files beside the identity: fingerprints, then PEMs.
# Any such name goes, not only the ones those versions wrote: a plain certificate file here
# vouches for nothing, whoever put it there.
PLAIN_CERTIFICATES = ("certificate*.sha256", "certificate*.pem")
IDENTITY_FILES = "identity*.p12"
VALIDITY = timedelta(days=5 * 365 + 1)
MIN_PASSPHRASE = 8
MAX_P12_BYTES = 1_000_000
STAGED_SUFFIX = ".rekeyed"  # an identity under the new passphrase, waiting to replace it


@dataclass(frozen=True)
class IdentityInfo:
    """What a user may see of a signing identity: never the key."""

    path: Path
    name: str
    organisation: str
    fingerprint_sha256: str
    not_valid_before: datetime
    not_valid_after: datetime
    self_signed: bool
    created: bool = False
    certificate_der: bytes = field(default=b"", repr=False)

    @property
    def fingerprint(self) -> str:
        """The SHA-256 fingerprint as people compare it: pairs of hex digits."""
        pairs = self.fingerprint_sha256.upper()
        return ":".join(pairs[i : i + 2] for i in range(0, len(pairs), 2))


def signing_dir(data_dir: Path) -> Path:
    return data_dir / SIGNING_DIR


def identity_path(data_dir: Path) -> Path:
    return signing_dir(data_dir) / IDENTITY_FILE


def has_identity(data_dir: Path) -> bool:
    return identity_path(data_dir).is_file()


def own_certificates(data_dir: Path, passphrase: str) -> list[tuple[bytes, bool]]:
    """The certificates (DER) of this folder's identities that open with `passphrase`: the
    current one (True) and those it replaced (False). A PKCS#12 that opens with the store's
    passphrase was protected by someone who holds it; one that does not open is left out."""
    secret = _secret(passphrase)
    found: list[tuple[bytes, bool]] = []
    try:
        paths = sorted(signing_dir(data_dir).glob(IDENTITY_FILES))
    except OSError:
        return found
    for path in paths:
        try:
            loaded = _open(path, secret)
        except ObserverError:
            log.info("a signing identity does not open with the store's passphrase; not taken")
            continue
        assert loaded.cert is not None
        found.append((_der(loaded.cert.certificate), path.name == IDENTITY_FILE))
    return found


def forget_plain_certificates(data_dir: Path) -> int:
    """Removes the fingerprints and certificates earlier versions kept in plain files
    beside the identity; returns how many. A plain file vouches for nothing (which
    certificates this laptop knows is kept in the store), and a PEM names the signer, so
    each is shredded; one that cannot be removed now is tried again next time."""
    folder = signing_dir(data_dir)
    plain: list[Path] = []
    with contextlib.suppress(OSError):
        for pattern in PLAIN_CERTIFICATES:
            plain += sorted(folder.glob(pattern))
    forgotten = 0
    for path in plain:
        try:
            shred(path)
        except OSError as exc:
            log.warning("a plain certificate file could not be removed (%s)", type(exc).__name__)
            continue
        forgotten += 1
    if forgotten:
        log.info("removed %d plain certificate files kept by an earlier version", forgotten)
    return forgotten


def ensure_identity(data_dir: Path, passphrase: str, name: str, organisation: str) -> IdentityInfo:
    """The data folder's identity, made on first use for `name` at `organisation`.

    An existing identity is kept as it is (it may be an organisation's); the passphrase
    must open it.
    """
    secret = _secret(passphrase)
    path = identity_path(data_dir)
    if path.is_file():
        return _info(path, _open_own(data_dir, secret))
    if len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseNeeded(
            f"A new signing identity needs a passphrase of at least {MIN_PASSPHRASE} characters."
        )
    name = " ".join(name.split())
    organisation = " ".join(organisation.split())
    if not name:
        raise InvalidIdentity("A signing identity needs the signer's name.")
    data = _new_identity(name, organisation, secret)
    _folder(data_dir)
    if not write_atomically(path, data, replace=False, what="signing identity"):
        # Another process made one a moment ago; that one stands.
        return _info(path, _open_own(data_dir, secret))
    log.info("created a signing identity")
    return _info(path, _open_own(data_dir, secret), created=True)


def import_identity(
    data_dir: Path, p12_bytes: bytes, p12_passphrase: str | None, passphrase: str
) -> IdentityInfo:
    """Installs an organisation-issued PKCS#12, protected afterwards by `passphrase`.

    A previous identity is kept beside it (renamed), so nothing signed with it becomes
    unexplainable; signed PDFs carry their own certificate and verify without it.
    """
    secret = _secret(passphrase)
    if len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseNeeded(
            f"The signing identity needs a passphrase of at least {MIN_PASSPHRASE} characters."
        )
    if len(p12_bytes) > MAX_P12_BYTES:
        raise InvalidIdentity("That file is too large to be a PKCS#12 signing identity.")
    loaded = _load(p12_bytes, p12_passphrase.encode() if p12_passphrase else None, imported=True)
    _check_usable(loaded)
    data = _protected(loaded, secret)
    path = identity_path(data_dir)
    _folder(data_dir)
    if path.is_file():
        _set_aside(data_dir)
    write_atomically(path, data, what="signing identity")
    log.info("imported a signing identity")
    return _info(path, _open_own(data_dir, secret), created=True)


def identity_info(data_dir: Path, passphrase: str) -> IdentityInfo:
    path = identity_path(data_dir)
    return _info(path, _open_own(data_dir, _secret(passphrase)))


def export_certificate(data_dir: Path, out: Path, passphrase: str) -> IdentityInfo:
    """Writes the identity's certificate (PEM) to `out`, for others to recognise or trust."""
    from cryptography.hazmat.primitives.serialization import Encoding

    path = identity_path(data_dir)
    loaded = _open_own(data_dir, _secret(passphrase))
    assert loaded.cert is not None
    write_atomically(out, loaded.cert.certificate.public_bytes(Encoding.PEM), what="certificate")
    return _info(path, loaded)


def load_signer(data_dir: Path, passphrase: str) -> SimpleSigner:
    """A pyHanko signer holding the identity's key, its certificate and any chain."""
    return open_signer(data_dir, passphrase)[1]


def open_signer(data_dir: Path, passphrase: str) -> tuple[IdentityInfo, SimpleSigner]:
    """The identity as the user may see it, and a pyHanko signer holding its key, its
    certificate and any chain: from one opening of the PKCS#12, whose key derivation is
    most of the cost of opening it."""
    loaded = _open_own(data_dir, _secret(passphrase))
    return _info(identity_path(data_dir), loaded), _signer(loaded)


def open_endorser(data_dir: Path, passphrase: str) -> Endorser:
    """The identity's key and certificate, for the digital signature on each sign-off and
    addendum made on this laptop (observer/signing/endorsement.py)."""
    from observer.signing.endorsement import endorser_from_pkcs12

    return endorser_from_pkcs12(_open_own(data_dir, _secret(passphrase)))


def _signer(loaded: PKCS12KeyAndCertificates) -> SimpleSigner:
    """What pyHanko's `SimpleSigner.load_pkcs12_data` makes, from a PKCS#12 already open
    (the key handed over in memory only, as pyHanko itself does)."""
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, cert = loaded.key, loaded.cert
    assert key is not None
    assert cert is not None
    chain = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    for extra in loaded.additional_certs:
        chain.register_multiple(
            load_certs_from_pemder_data(extra.certificate.public_bytes(Encoding.DER))
        )
    (certificate,) = load_certs_from_pemder_data(cert.certificate.public_bytes(Encoding.DER))
    private = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    signer: SimpleSigner = SimpleSigner(
        signing_key=load_private_key_from_pemder_data(private, passphrase=None),
        signing_cert=certificate,
        cert_registry=chain,
    )
    return signer


def change_identity_passphrase(data_dir: Path, old: str, new: str) -> int:
    """Protects this folder's identities (the current one and any replaced ones) that open
    with `old` by `new` instead; returns how many. Used when the store's passphrase changes."""
    folder = signing_dir(data_dir)
    if not folder.is_dir():
        return 0
    forget_plain_certificates(data_dir)
    changed = 0
    for path in sorted(folder.glob(IDENTITY_FILES)):
        try:
            loaded = _open(path, _secret(old))
        except ObserverError:
            log.warning("a signing identity does not open with the old passphrase; left as it is")
            continue
        write_atomically(path, _protected(loaded, _secret(new)), what="signing identity")
        changed += 1
    return changed


def stage_identity_passphrase(data_dir: Path, old: str, new: str) -> list[str]:
    """Writes beside each of this folder's identities that `old` opens (normalised or as
    typed) a copy protected by `new` (`identity….p12.rekeyed`); returns the identities'
    file names. Nothing is replaced yet: `put_staged_identities` does that, once the store
    itself is under `new`, so a change stopped part-way can be finished or undone."""
    folder = signing_dir(data_dir)
    if not folder.is_dir():
        return []
    forget_plain_certificates(data_dir)
    tries = [_secret(old)] + [form.encode("utf-8") for form in earlier_forms(old)]
    staged: list[str] = []
    for path in sorted(folder.glob("identity*.p12")):
        loaded = None
        for secret in tries:
            with contextlib.suppress(WrongPassphrase):
                loaded = _open(path, secret)
                break
        if loaded is None:
            log.warning("a signing identity does not open with the old passphrase; left as it is")
            continue
        target = path.with_name(path.name + STAGED_SUFFIX)
        write_atomically(target, _protected(loaded, _secret(new)), what="signing identity")
        staged.append(path.name)
    return staged


def put_staged_identities(data_dir: Path, names: list[str]) -> int:
    """Puts in place the identities `stage_identity_passphrase` wrote (each one rename);
    returns how many of `names` are now there. Safe to run again after an interruption."""
    folder = signing_dir(data_dir)
    placed = 0
    for name in names:
        if "/" in name or not name.endswith(".p12"):
            continue  # not a name this module wrote
        target = folder / name
        staged = folder / (name + STAGED_SUFFIX)
        if staged.is_file():
            staged.replace(target)
        placed += target.is_file()
    return placed


def discard_staged_identities(data_dir: Path) -> int:
    """Removes identities staged for a passphrase change that did not happen."""
    folder = signing_dir(data_dir)
    removed = 0
    for staged in sorted(folder.glob(f"identity*.p12{STAGED_SUFFIX}")) if folder.is_dir() else []:
        staged.unlink(missing_ok=True)
        removed += 1
    return removed


def under_another_passphrase(data_dir: Path, passphrase: str) -> bool:
    """Whether this folder has a signing identity that `passphrase` does not open."""
    if not has_identity(data_dir) or not passphrase:
        return False
    try:
        _open_own(data_dir, _secret(passphrase))
    except WrongPassphrase:
        return True
    except (ObserverError, OSError):
        return False
    return False


def adopt_identity(data_dir: Path, earlier: str, passphrase: str) -> int:
    """Protects by `passphrase` (the store's) this folder's identities that `earlier` opens:
    the passphrase its user chose for signing before the store had one. Afterwards signing
    needs the store's passphrase only. Returns how many identity files were re-protected.

    WrongPassphrase when the current identity opens with neither passphrase."""
    secret = _secret(passphrase)
    try:
        _open_own(data_dir, secret)
    except WrongPassphrase:
        _open(identity_path(data_dir), _secret(earlier))  # WrongPassphrase when not this either
    changed = change_identity_passphrase(data_dir, earlier, passphrase)
    _open_own(data_dir, secret)
    log.info("signing identities now under the store's passphrase: %d", changed)
    return changed


def _protected(loaded: PKCS12KeyAndCertificates, secret: bytes) -> bytes:
    """The identity as PKCS#12 under `secret`. No friendly name: PKCS#12 keeps the key's
    attributes unencrypted, and the signer's name has no business in plaintext on disk."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    key, cert = loaded.key, loaded.cert
    assert key is not None
    assert cert is not None
    extra = [c.certificate for c in loaded.additional_certs]
    return pkcs12.serialize_key_and_certificates(
        None,
        key,  # type: ignore[arg-type]  # checked by _check_usable
        cert.certificate,
        extra or None,
        BestAvailableEncryption(secret),
    )


def _secret(passphrase: str | None) -> bytes:
    if not passphrase:
        raise PassphraseNeeded("A passphrase is needed to use the signing identity.")
    return normalised(passphrase).encode("utf-8")


def _folder(data_dir: Path) -> None:
    folder = signing_dir(data_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def _open_own(data_dir: Path, secret: bytes) -> PKCS12KeyAndCertificates:
    return _open(identity_path(data_dir), secret)


def set_aside_identity(data_dir: Path) -> bool:
    """Sets this laptop's identity aside (kept, renamed, as an import does) when the user
    changes, so nobody signs in another person's name: the next signature makes one in the
    name now set up (an organisation-issued one is imported again with `observer identity
    import`). Returns whether there was one to set aside."""
    path = identity_path(data_dir)
    if not path.is_file():
        return False
    _set_aside(data_dir)
    log.info("set the signing identity aside for a new user")
    return True


def _set_aside(data_dir: Path) -> None:
    """Renames the current identity before another is installed, so that nothing signed
    with it becomes unexplainable."""
    path = identity_path(data_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path.replace(path.with_name(f"identity-replaced-{stamp}.p12"))


def _open(path: Path, secret: bytes) -> PKCS12KeyAndCertificates:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NoIdentity(
            "There is no signing identity in this data folder yet; one is made when a "
            "signed summary is first exported, or import one with `observer identity import`."
        ) from None
    return _load(data, secret, imported=False)


def _load(data: bytes, secret: bytes | None, *, imported: bool) -> PKCS12KeyAndCertificates:
    from cryptography.hazmat.primitives.serialization import pkcs12

    what = "That PKCS#12 file" if imported else "The signing identity file"
    if not _whole_der_sequence(data):
        raise InvalidIdentity(f"{what} is damaged or is not a PKCS#12 file.")
    try:
        loaded = pkcs12.load_pkcs12(data, secret)
    except (ValueError, TypeError):
        if imported:
            raise WrongPassphrase(
                "The passphrase given for that PKCS#12 file does not open it."
            ) from None
        raise WrongPassphrase("That passphrase does not open the signing identity.") from None
    if loaded.key is None or loaded.cert is None:
        raise InvalidIdentity(f"{what} lacks a private key or its certificate.")
    return loaded


def _whole_der_sequence(data: bytes) -> bool:
    """Whether `data` is one complete DER SEQUENCE, as a PKCS#12 file is: tells a damaged
    or foreign file apart from a wrong passphrase, which the PKCS#12 reader cannot."""
    if len(data) < 2 or data[0] != 0x30:
        return False
    first = data[1]
    if first < 0x80:
        return 2 + first == len(data)
    count = first & 0x7F
    if count == 0 or count > 4 or len(data) < 2 + count:
        return False
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big") == len(data)


def _check_usable(loaded: PKCS12KeyAndCertificates) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    key, cert = loaded.key, loaded.cert
    assert key is not None
    assert cert is not None
    if not isinstance(
        key,
        rsa.RSAPrivateKey
        | ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
        | ed448.Ed448PrivateKey,
    ):
        raise InvalidIdentity("That PKCS#12 file holds a kind of key that cannot sign PDFs.")
    certificate = cert.certificate
    if key.public_key() != certificate.public_key():
        raise InvalidIdentity("The key in that PKCS#12 file does not belong to its certificate.")
    now = datetime.now(UTC)
    if certificate.not_valid_after_utc < now:
        raise InvalidIdentity(
            f"The certificate in that PKCS#12 file expired on "
            f"{certificate.not_valid_after_utc:%d %B %Y}."
        )
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise InvalidIdentity("The certificate in that PKCS#12 file is not for signing.")


def _new_identity(name: str, organisation: str, secret: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name[:64])]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    subject = x509.Name(attributes)
    now = datetime.now(UTC)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        None, key, certificate, None, BestAvailableEncryption(secret)
    )


def _der(certificate: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.DER)


def _info(path: Path, loaded: PKCS12KeyAndCertificates, *, created: bool = False) -> IdentityInfo:
    assert loaded.cert is not None
    certificate = loaded.cert.certificate
    der = _der(certificate)
    return IdentityInfo(
        path=path,
        name=_common_name(certificate),
        organisation=_attribute(certificate, "organization"),
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        not_valid_before=certificate.not_valid_before_utc,
        not_valid_after=certificate.not_valid_after_utc,
        self_signed=certificate.issuer == certificate.subject,
        created=created,
        certificate_der=der,
    )


def _common_name(certificate: x509.Certificate) -> str:
    return _attribute(certificate, "common_name")


def _attribute(certificate: x509.Certificate, which: str) -> str:
    from cryptography.x509.oid import NameOID

    oid = NameOID.COMMON_NAME if which == "common_name" else NameOID.ORGANIZATION_NAME
    values = certificate.subject.get_attributes_for_oid(oid)
    if not values:
        return ""
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
