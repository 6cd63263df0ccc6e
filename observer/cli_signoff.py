"""The sign-off commands of `observer`: sign, pdf, verify, identity.

Passphrases come from the environment, never the command line (which other users of the
machine can see): OBSERVER_PASSPHRASE protects this data folder's signing identity, and
OBSERVER_P12_PASSPHRASE opens a PKCS#12 file being imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.errors import InvalidInput
from observer.paths import PASSPHRASE_ENV

if TYPE_CHECKING:
    from observer.services import Services

EXIT_OK = 0

P12_PASSPHRASE_ENV = "OBSERVER_P12_PASSPHRASE"
ROLES = ("observer", "practitioner", "manager")

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
        "pdf", help=f"write an observation's summary PDF (signed ones need ${PASSPHRASE_ENV})"
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
        f"then protected by ${PASSPHRASE_ENV})",
    )
    importing.add_argument("file", metavar="FILE.p12")


def _observation_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not an observation id.") from None


def _passphrase(env: str = PASSPHRASE_ENV) -> str | None:
    return os.environ.get(env) or None


def _sign(services: Services, args: argparse.Namespace) -> int:
    from observer.signoff import ROLE_LABELS
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
    from observer.summaries import export_summary

    result = export_summary(
        services,
        _observation_id(args.observation),
        Path(args.output),
        passphrase=_passphrase(),
        include_case_reference=not args.no_case_reference,
    )
    for line in result.lines():
        print(line)
    return EXIT_OK


def _verify(services: Services, args: argparse.Namespace) -> int:
    from observer.summaries import verify_summary

    result = verify_summary(services, Path(args.file))
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for line in result.summary_lines():
            print(line)
    return result.exit_code


def _identity(services: Services, args: argparse.Namespace) -> int:
    from observer.signing import PassphraseNeeded, export_certificate, import_identity

    passphrase = _passphrase()
    if passphrase is None:
        raise PassphraseNeeded(
            f"A passphrase is needed for the signing identity: set {PASSPHRASE_ENV}."
        )
    if args.identity_command == "export-cert":
        target = Path(args.output)
        info = export_certificate(services.data_dir, target, passphrase)
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
    info = import_identity(services.data_dir, data, _passphrase(P12_PASSPHRASE_ENV), passphrase)
    issuer = "self-signed" if info.self_signed else "issued by an authority"
    print(
        f"Imported the signing identity of {info.name} ({issuer}, valid until "
        f"{info.not_valid_after:%d %B %Y}); its SHA-256 fingerprint is {info.fingerprint}."
    )
    return EXIT_OK


SIGNOFF_HANDLERS: dict[str, Handler] = {
    "sign": _sign,
    "pdf": _pdf,
    "verify": _verify,
    "identity": _identity,
}
