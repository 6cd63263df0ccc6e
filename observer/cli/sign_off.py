"""The sign-off commands of `observer`: sign, pdf, verify, identity.

Passphrases come from the environment, never the command line (which other users of the
machine can see): OBSERVER_PASSPHRASE, the store's, protects this data folder's signing
identity as well; OBSERVER_P12_PASSPHRASE opens a PKCS#12 file being imported, or an
identity still under the passphrase its user chose for signing before the store had one
(`identity adopt`, once).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.errors import InvalidInput

if TYPE_CHECKING:
    from observer.services import Services

EXIT_OK = 0

P12_PASSPHRASE_ENV = "OBSERVER_P12_PASSPHRASE"
ROLES = ("observer", "practitioner", "manager")
ADOPT_HINT = (
    "The signing identity is still under the passphrase chosen for signing before the store "
    f"had one: run `observer identity adopt` once with that passphrase in {P12_PASSPHRASE_ENV}."
)

Handler = Callable[["Services", argparse.Namespace], int]


def add_signoff_commands(
    commands: argparse._SubParsersAction[Any],
    parser_class: type[argparse.ArgumentParser],
) -> None:
    sign = commands.add_parser("sign", help="sign an observation off, in a role")
    sign.add_argument("observation", metavar="OBS_ID")
    sign.add_argument("--role", required=True, choices=ROLES)
    sign.add_argument("--name", required=True, metavar="NAME", help="the signer's typed name")
    sign.add_argument("--comment", default="", metavar="TEXT")

    pdf = commands.add_parser(
        "pdf", help="write an observation's summary PDF (signed once the record is)"
    )
    pdf.add_argument("observation", metavar="OBS_ID")
    pdf.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    pdf.add_argument(
        "--no-case-reference", action="store_true", help="leave the case reference out"
    )

    verify = commands.add_parser(
        "verify", help="check a summary PDF: signer, time, intact, record hash"
    )
    verify.add_argument("file", metavar="FILE.pdf")
    verify.add_argument("--json", action="store_true", help="a JSON object, for scripts")

    identity = commands.add_parser("identity", help="this data folder's signing identity")
    identity_commands = identity.add_subparsers(
        dest="identity_command", required=True, parser_class=parser_class
    )
    export_cert = identity_commands.add_parser(
        "export-cert", help="write the signing certificate (PEM) for others to trust"
    )
    export_cert.add_argument("-o", "--output", required=True, metavar="FILE")
    importing = identity_commands.add_parser(
        "import",
        help=f"use an organisation's PKCS#12 (opened with ${P12_PASSPHRASE_ENV}, "
        "then protected by the store's passphrase)",
    )
    importing.add_argument("file", metavar="FILE.p12")
    identity_commands.add_parser(
        "adopt",
        help=f"protect an identity made under an earlier signing passphrase "
        f"(${P12_PASSPHRASE_ENV}) by the store's passphrase instead",
    )


def _observation_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not an observation id.") from None


def _p12_passphrase() -> str | None:
    return os.environ.get(P12_PASSPHRASE_ENV) or None


@contextlib.contextmanager
def _saying_how_to_adopt() -> Iterator[None]:
    """An identity the store's passphrase does not open is one from before the store had a
    passphrase: says how to bring it under the store's."""
    from observer.signing import WrongPassphrase

    try:
        yield
    except WrongPassphrase:
        raise WrongPassphrase(ADOPT_HINT) from None


def _sign(services: Services, args: argparse.Namespace) -> int:
    from observer.records.sign_off import ROLE_LABELS
    from observer.vocabulary import SignatureRole, Status

    observation_id = _observation_id(args.observation)
    role = SignatureRole(args.role)
    signature = services.signoff.sign(observation_id, role, args.name, comment=args.comment)
    locked = services.recording.get(observation_id).status is Status.SIGNED
    print(
        f"Signed as {ROLE_LABELS[role].lower()} by {signature.name} at "
        f"{signature.signed_at.astimezone():%Y-%m-%d %H:%M %Z}; content hash "
        f"{signature.content_hash}{'; the record is now locked' if locked else ''}."
    )
    return EXIT_OK


def _pdf(services: Services, args: argparse.Namespace) -> int:
    from observer.documents.summaries import export_summary

    with _saying_how_to_adopt():
        result = export_summary(
            services,
            _observation_id(args.observation),
            Path(args.output),
            include_case_reference=not args.no_case_reference,
        )
    for line in result.lines():
        print(line)
    return EXIT_OK


def _verify(services: Services, args: argparse.Namespace) -> int:
    from observer.documents.summaries import verify_summary

    result = verify_summary(services, Path(args.file))
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for line in result.summary_lines():
            print(line)
    return result.exit_code


def _identity(services: Services, args: argparse.Namespace) -> int:
    from observer.signing import export_certificate, import_identity

    if args.identity_command == "adopt":
        return _adopt(services)
    if args.identity_command == "export-cert":
        target = Path(args.output)
        with _saying_how_to_adopt():
            info = export_certificate(services.data_dir, target, services.passphrase)
        print(
            f"Wrote the certificate of {info.name} to {target}; its SHA-256 fingerprint is "
            f"{info.fingerprint}."
        )
        return EXIT_OK
    source = Path(args.file)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{source} cannot be read: {exc.strerror or exc}.") from None
    info = import_identity(services.data_dir, data, _p12_passphrase(), services.passphrase)
    issuer = "self-signed" if info.self_signed else "issued by an authority"
    print(
        f"Imported the signing identity of {info.name} ({issuer}, valid until "
        f"{info.not_valid_after:%d %B %Y}); its SHA-256 fingerprint is {info.fingerprint}."
    )
    return EXIT_OK


def _adopt(services: Services) -> int:
    from observer.signing import PassphraseNeeded, WrongPassphrase, adopt_identity, identity_info

    earlier = _p12_passphrase()
    if earlier is None:
        raise PassphraseNeeded(
            f"Set {P12_PASSPHRASE_ENV} to the passphrase you chose for signing before."
        )
    try:
        changed = adopt_identity(services.data_dir, earlier, services.passphrase)
    except WrongPassphrase:
        raise WrongPassphrase(
            f"The passphrase in {P12_PASSPHRASE_ENV} does not open the signing identity."
        ) from None
    info = identity_info(services.data_dir, services.passphrase)
    if changed:
        print(
            f"The signing identity of {info.name} is now protected by the store's passphrase; "
            f"{P12_PASSPHRASE_ENV} is no longer needed."
        )
    else:
        print(
            f"The signing identity of {info.name} was already protected by the store's passphrase."
        )
    return EXIT_OK


SIGNOFF_HANDLERS: dict[str, Handler] = {
    "sign": _sign,
    "pdf": _pdf,
    "verify": _verify,
    "identity": _identity,
}
