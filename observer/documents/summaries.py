"""Summary PDFs: export (signed once both parties have signed, else a DRAFT) and verify.

The GUI's export and "Verify a summary" dialogs and the command line all call these. The
PDF names its record and the record's content hash in its Keywords; for a signed record
that hash must be the one both people signed, so the PDF shows exactly what they signed.
Verification vouches for that hash only when the PDF was signed with a certificate this
laptop knows, as its encrypted store lists them (observer/signing/known.py): its own
identities', each one it exported with, and any trusted by hand. Nothing outside the store
counts, so no file dropped into the data folder can make a forgery pass.
Summaries are signed with the identity under the store's passphrase (`services.passphrase`).
Heavy libraries (reportlab, pyHanko) load only when a summary is made or checked.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.documents.organisation import TIMESTAMP_SETTING
from observer.errors import NotFound, ObserverError
from observer.governance.audit import record_event
from observer.signing.errors import PassphraseNeeded, TimestampUnavailable
from observer.signing.known import (
    EXPORTED_WITH,
    OWN_IDENTITY,
    KnownCertificates,
    add_in,
    fingerprints_in,
    take_own_certificates,
)
from observer.store.settings import stored_value
from observer.vocabulary import Status

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from observer.documents.export_job import Job
    from observer.documents.pdf.content import SummaryContent
    from observer.documents.sources import DocumentSources
    from observer.signing import IdentityInfo, Verification
    from observer.signing.opened import Opened

log = logging.getLogger(__name__)

PASSPHRASE_NEEDED = "A passphrase is needed to sign summaries."
SIGNING_REASON = "Summary of an observation of practice, signed off by observer and practitioner"


class RecordAltered(ObserverError):
    """The stored record no longer hashes to what its signatures recorded."""


class NobodyToSignAs(ObserverError):
    pass


@dataclass(frozen=True)
class ExportResult:
    path: Path
    observation_id: uuid.UUID
    content_hash: str
    signed: bool
    signer: str | None = None
    timestamped: bool = False
    identity: IdentityInfo | None = None
    note: str | None = None

    def lines(self) -> list[str]:
        """What to tell the user, one sentence a line."""
        if not self.signed:
            return [
                f"Wrote a DRAFT summary to {self.path}: the record is not signed off yet, so "
                "the PDF carries no digital signature."
            ]
        how = " with a timestamp from the timestamp server" if self.timestamped else ""
        lines = [f"Wrote a signed summary to {self.path}, signed by {self.signer}{how}."]
        return lines + after_signing_lines(self.identity, self.note)


def after_signing_lines(identity: IdentityInfo | None, note: str | None) -> list[str]:
    """The sentences after "Wrote a signed …": a newly made signing identity, then any note."""
    lines = []
    if identity is not None and identity.created:
        lines.append(
            f"Made a signing identity for {identity.name}; its certificate's SHA-256 "
            f"fingerprint is {identity.fingerprint}."
        )
    if note:
        lines.append(note)
    return lines


def export_summary(
    services: DocumentSources,
    observation_id: uuid.UUID,
    out: Path,
    *,
    passphrase: str | None = None,
    include_case_reference: bool = True,
    invariant: bool = False,
) -> ExportResult:
    """Writes the summary to `out` atomically: signed when the record is, else a DRAFT.
    The signing identity opens with `passphrase`, by default the store's. The export's audit
    event is committed before the file is put in place, so a store too busy to record it
    leaves no file (and whatever was at `out` untouched)."""
    from observer.documents.pdf.summary import build_summary
    from observer.documents.summary_content import summary_content

    if passphrase is None:
        passphrase = services.passphrase
    # One read gives the record, its signatures and its hash as they stand together.
    content = summary_content(
        services, observation_id, include_case_reference=include_case_reference
    )
    signed = content.observation.status is Status.SIGNED
    if signed and not passphrase:
        raise PassphraseNeeded(PASSPHRASE_NEEDED)
    check_holds_together(content)
    pdf = build_summary(content, invariant=invariant)
    content_hash = content.content_hash
    if not signed:
        _write_recorded(services, out, pdf, observation_id, content_hash, "a DRAFT summary")
        return ExportResult(out, observation_id, content_hash, signed=False)
    assert passphrase is not None
    signed_pdf = sign_for_export(services, pdf, reason=SIGNING_REASON, passphrase=passphrase)
    _write_recorded(
        services,
        out,
        signed_pdf.data,
        observation_id,
        content_hash,
        "a signed summary",
        signed_with=signed_pdf.identity,
    )
    log.info("exported a signed summary of observation %s", observation_id)
    return ExportResult(
        out,
        observation_id,
        content_hash,
        signed=True,
        signer=signed_pdf.identity.name,
        timestamped=signed_pdf.timestamped,
        identity=signed_pdf.identity,
        note=signed_pdf.note,
    )


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    identity: IdentityInfo
    timestamped: bool
    note: str | None  # a sentence for the user, e.g. that the timestamp server was silent


def sign_for_export(
    services: DocumentSources, pdf: bytes, *, reason: str, passphrase: str, page: int = -1
) -> SignedPdf:
    """Signs a PDF laid out like a summary (PAdES, visible in the strip above the footer of
    its last page, or `page` from 0) with this data folder's identity; with a timestamp
    when a server is set and answers. The caller records the export (remembering the
    certificate in the same transaction, as `_audit` with `signed_with` does), then writes
    the file."""
    from observer.signing import sign_pdf

    identity, opened = _signer(services, passphrase)
    url = _timestamp_url(services)
    note = None
    sign: dict[str, Any] = {
        "reason": reason,
        "location": identity.organisation,
        "signer_name": identity.name,
        "box": _signature_strip(),
        "page": page,
        "room": opened.room,
    }
    try:
        data = sign_pdf(pdf, opened.signer, timestamp_url=url, **sign)
    except TimestampUnavailable:
        data = sign_pdf(pdf, opened.signer, **sign)
        note = (
            "The timestamp server did not answer, so the signature carries the time from "
            "this computer's clock only."
        )
        url = None
    return SignedPdf(data, identity, timestamped=url is not None, note=note)


def verify_summary(services: DocumentSources, path: Path) -> Verification:
    """Verifies the PDF at `path` and compares its record with this store's, if it is here.

    The comparison counts only for a PDF signed with a certificate this laptop's store
    knows; a summary of a record here, or a history of a worker here, signed with any
    other certificate fails verification.
    """
    from observer.signing import verify_pdf

    def local_hash(record_id: uuid.UUID) -> str | None:
        try:
            return services.signoff.current_hash(record_id)
        except NotFound:
            return None

    result = verify_pdf(
        path, local_hash_lookup=local_hash, known_certificates=known_certificates(services)
    )
    if result.history is not None:
        result = _with_worker_named(services, result)
        _audit(
            services,
            "verify",
            result.history.person_id if result.history else None,
            "",
            _outcome(result),
            record_type="history",
        )
        return result
    _audit(services, "verify", result.record_id, result.content_hash or "", _outcome(result))
    return result


def _with_worker_named(services: DocumentSources, result: Verification) -> Verification:
    """Marks a history of a worker in this store, and names them only when a known
    certificate signed it: a forger's history names no one here."""
    from dataclasses import replace

    history = result.history
    if history is None:
        return result
    try:
        person = services.people.get_person(history.person_id)
    except NotFound:
        return result
    worker = person.name if result.signer_known is True else None
    return replace(result, history=replace(history, in_store=True, worker=worker))


def _outcome(result: Verification) -> str:
    """What a check of a summary found, in a few words for the audit trail (no names)."""
    if not result.signed:
        return "not signed"
    if not result.intact:
        return "not intact"
    if result.record_id is None and result.history is not None:
        if result.history.in_store and not result.signer_known:
            return "intact; a worker's history signed with a certificate not known here"
        return "intact; a worker's history"
    if result.record_id is None or not result.record_in_store:
        return "intact; record not in this store"
    if not result.signer_known:
        return "intact; signed with a certificate not known here"
    if result.hash_matches:
        return "intact; matches the record here"
    return "intact; the record here has changed since"


def known_certificates(services: DocumentSources) -> set[str]:
    """SHA-256 fingerprints (hex) of the signing certificates this laptop's store knows."""
    with services.db.session() as s:
        return fingerprints_in(s)


def has_signing_identity(services: DocumentSources) -> bool:
    """Whether this data folder has a signing identity yet (export makes one if not)."""
    from observer.signing import has_identity

    return has_identity(services.data_dir)


def prepare_signing(services: DocumentSources, passphrase: str | None = None) -> IdentityInfo:
    """Checks the passphrase (by default the store's) once before a batch of signed
    exports: opens the identity (WrongPassphrase if it does not, as for an identity still
    under an earlier signing passphrase), or makes one for the laptop's user if there is
    none (PassphraseNeeded for a passphrase too short for a new one)."""
    if passphrase is None:
        passphrase = services.passphrase
    if not passphrase:
        raise PassphraseNeeded(PASSPHRASE_NEEDED)
    return _identity(services, passphrase)


def timestamp_url(services: DocumentSources) -> str | None:
    return _timestamp_url(services)


def _signature_strip() -> tuple[int, int, int, int]:
    """The visible signature's place on a summary's last page: the strip of the bottom
    margin between the text frame and the footer's rule (8 mm below the frame), across
    the text's width, which no text ever reaches."""
    from reportlab.lib.units import mm

    from observer.documents.pdf.styles import BOTTOM_MARGIN, LEFT_MARGIN, PAGE_WIDTH, RIGHT_MARGIN

    rule = BOTTOM_MARGIN - 8 * mm
    return (
        math.ceil(LEFT_MARGIN),
        math.ceil(rule) + 2,
        math.floor(PAGE_WIDTH - RIGHT_MARGIN),
        math.floor(BOTTOM_MARGIN) + 2,
    )


def check_holds_together(content: SummaryContent) -> None:
    """Refuses a record that shows a signature but no longer holds together: its content, a
    signature, an addendum or the wording they cover changed after signing
    (observer.records.seals). A record signed off with no signature left is refused too."""
    reason = altered_reason(content)
    if reason is not None:
        raise RecordAltered(
            "This record's content no longer matches what was signed, so it cannot be "
            f"exported ({reason})."
        )


def altered_reason(content: SummaryContent, *, signed_needs_signatures: bool = True) -> str | None:
    """Why a record with signatures (or signed off) no longer holds together, or None.
    With `signed_needs_signatures`, a record marked signed off that holds no signature is
    refused too (a summary would present it as signed)."""
    signed = content.observation.status is Status.SIGNED
    if not (signed or content.signatures or content.addenda):
        return None
    if content.problem:
        return content.problem
    if signed and not content.signatures:
        return "it is signed off but holds no signature" if signed_needs_signatures else None
    if any(g.content_hash != content.content_hash for g in content.signatures):
        return "its content hash differs"
    return None


def _signer(services: DocumentSources, passphrase: str) -> tuple[IdentityInfo, Opened]:
    """The identity (made first if there is none yet, and then reported as made) and its
    signer, held open for the session."""
    from observer.signing import has_identity

    made = None if has_identity(services.data_dir) else _identity(services, passphrase)
    opened = services.signing_identity.open(passphrase)
    return made or opened.info, opened


def _identity(services: DocumentSources, passphrase: str) -> IdentityInfo:
    from observer.signing import ensure_identity, has_identity

    if has_identity(services.data_dir):
        return services.signing_identity.open(passphrase).info
    profile = services.profiles.current()
    if profile is None:
        raise NobodyToSignAs(
            "No one is set up as this laptop's user, so there is no one to sign as: open the "
            "app once, or run `observer setup --name NAME --role ROLE --organisation NAME`, or "
            "import a signing identity with `observer identity import FILE.p12`."
        )
    info = ensure_identity(services.data_dir, passphrase, profile.name, profile.organisation)
    if info.created:
        KnownCertificates(services.db).add(info.certificate_der, OWN_IDENTITY, services.actor())
    return info


def writing(services: DocumentSources, write: Callable[[Session], object]) -> None:
    """Runs `write` in a transaction, and once more if it lost a race: two exports at once
    may both find the known certificates not yet stored, and then the second to insert
    them is refused. The retry reads what the first stored."""
    from sqlalchemy.exc import IntegrityError

    try:
        with services.db.session() as s, s.begin():
            write(s)
    except IntegrityError:
        with services.db.session() as s, s.begin():
            write(s)


def remember_in(s: Session, identity: IdentityInfo, actor: str) -> None:
    """Makes known, in the caller's transaction, the certificate an export was signed with
    (audited the first time, as every certificate that becomes known is)."""
    add_in(s, identity.certificate_der, EXPORTED_WITH, actor)


def _timestamp_url(services: DocumentSources) -> str | None:
    with services.db.session() as s:
        value = stored_value(s, TIMESTAMP_SETTING)
    if isinstance(value, dict):
        value = value.get("url")
    if isinstance(value, str) and value.strip().startswith(("http://", "https://")):
        return value.strip()
    return None


def _audit(
    services: DocumentSources,
    action: str,
    record_id: uuid.UUID | None,
    content_hash: str,
    detail: str = "",
    *,
    record_type: str = "observation",
    signed_with: IdentityInfo | None = None,
) -> None:
    """Records the event; with `signed_with`, the certificate a summary was signed with is
    remembered in the same transaction (see `remember_in`)."""
    actor = services.actor()

    def write(s: Session) -> None:
        if signed_with is not None:
            remember_in(s, signed_with, actor)
        record_event(
            s,
            actor=actor,
            action=action,
            record_type=record_type,
            record_id=record_id,
            content_hash=content_hash,
            detail=detail,
        )

    writing(services, write)


def _write_recorded(
    services: DocumentSources,
    out: Path,
    pdf: bytes,
    observation_id: uuid.UUID,
    content_hash: str,
    what: str,
    *,
    signed_with: IdentityInfo | None = None,
) -> None:
    """The export's audit event first, then the file (observer/signing/files.py)."""
    from observer.signing.files import write_recorded

    write_recorded(
        out,
        pdf,
        lambda: _audit(
            services,
            "export",
            observation_id,
            content_hash,
            f"{what}, about to be written",
            signed_with=signed_with,
        ),
        what="summary",
        not_completed=lambda: _audit(
            services,
            "export",
            observation_id,
            content_hash,
            f"{what}: not written after all (the file could not be put in place)",
        ),
    )


class Summaries:
    """Summary PDFs of observations: exported (signed once signed off) and verified."""

    def __init__(self, sources: DocumentSources) -> None:
        self._sources = sources

    def export(
        self,
        observation_id: uuid.UUID,
        out: Path,
        *,
        passphrase: str | None = None,
        include_case_reference: bool = True,
        invariant: bool = False,
    ) -> ExportResult:
        return export_summary(
            self._sources,
            observation_id,
            out,
            passphrase=passphrase,
            include_case_reference=include_case_reference,
            invariant=invariant,
        )

    def verify(self, path: Path) -> Verification:
        return verify_summary(self._sources, path)

    def export_job(
        self,
        items: list[tuple[uuid.UUID, Path]],
        *,
        sign: bool,
        include_case_reference: bool,
        earlier: str | None = None,
    ) -> Job:
        """What a process exporting for this session needs: the records, where each goes,
        and the data folder, store key and passphrase to open the store and sign with
        (observer/documents/export_job.py; it travels through a pipe, never a file)."""
        from observer.documents.export_job import Job

        sources = self._sources
        key = sources.db.key
        return Job(
            sources.data_dir,
            key.key,
            key.salt,
            sources.passphrase,
            items,
            sign=sign,
            include_case_reference=include_case_reference,
            earlier=earlier,
        )

    def prepare_signing(self, passphrase: str | None = None) -> IdentityInfo:
        return prepare_signing(self._sources, passphrase)

    def identity_under_another_passphrase(self) -> bool:
        """Whether this data folder has a signing identity that the store's passphrase does
        not open (`adopt_identity` brings it across)."""
        from observer.signing.identity import under_another_passphrase

        return under_another_passphrase(self._sources.data_dir, self._sources.passphrase)

    def adopt_identity(self, earlier: str) -> int:
        """Puts the signing identities an earlier version protected with `earlier` under the
        store's passphrase; how many were (0: already under the store's). WrongPassphrase
        when `earlier` opens neither."""
        from observer.signing import adopt_identity

        changed = adopt_identity(self._sources.data_dir, earlier, self._sources.passphrase)
        self.take_own_certificates()
        return changed

    def identity(self) -> IdentityInfo:
        """This data folder's signing identity, opened with the store's passphrase."""
        from observer.signing import identity_info

        return identity_info(self._sources.data_dir, self._sources.passphrase)

    def export_certificate(self, target: Path) -> IdentityInfo:
        """Writes the identity's certificate (public: no key) to `target`."""
        from observer.signing import export_certificate

        return export_certificate(self._sources.data_dir, target, self._sources.passphrase)

    def import_identity(self, pkcs12: bytes, its_passphrase: str | None) -> IdentityInfo:
        """Takes an organisation-issued identity (PKCS#12 protected by `its_passphrase`) as
        this laptop's, then protects it with the store's passphrase."""
        from observer.signing import import_identity

        info = import_identity(
            self._sources.data_dir, pkcs12, its_passphrase, self._sources.passphrase
        )
        self.take_own_certificates()
        return info

    def take_own_certificates(self) -> int:
        """Makes this laptop's identities (those under the store's passphrase) known; how
        many became known (observer/signing/known.py)."""
        sources = self._sources
        return take_own_certificates(
            sources.db, sources.data_dir, sources.passphrase, sources.actor(), again=True
        )

    def has_signing_identity(self) -> bool:
        return has_signing_identity(self._sources)

    def known_certificates(self) -> set[str]:
        return known_certificates(self._sources)

    def set_logo(self, source: Path | None) -> Path | None:
        """The organisation's PNG logo on every summary from now on (None: no logo)."""
        from observer.documents.organisation import set_logo

        return set_logo(self._sources.data_dir, source)

    def set_timestamp_server(self, url: str | None) -> str | None:
        """Signatures carry timestamps from `url` (PAdES B-T); None signs offline."""
        from observer.documents.organisation import set_timestamp_server

        return set_timestamp_server(self._sources.db, url)
