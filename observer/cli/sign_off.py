"""The sign-off commands of `observer`: sign, pdf, verify, identity.

Passphrases come from the environment, never the command line (which other users of the
machine can see): OBSERVER_PASSPHRASE, the store's, protects this data folder's signing
identity as well; OBSERVER_P12_PASSPHRASE opens a PKCS#12 file being imported, or an
identity still under the passphrase its user chose for signing before the store had one
(`identity adopt`, once).
"""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from observer.cli.commands import P12_PASSPHRASE_ENV
from observer.cli.common import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    Arguments,
    Handler,
    print_json,
    record_id,
    saying_how_to_sign,
    subcommands,
)
from observer.errors import InvalidInput

if TYPE_CHECKING:
    from observer.services import Services

ROLES = ("observer", "practitioner", "manager")


def sign_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("observation", metavar="OBS_ID")
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--name", required=True, metavar="NAME", help="the signer's typed name")
    parser.add_argument("--comment", default="", metavar="TEXT")


def pdf_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("observation", metavar="OBS_ID")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    parser.add_argument(
        "--no-case-reference", action="store_true", help="leave the case reference out"
    )


def verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.pdf")
    parser.add_argument("--json", action="store_true", help="a JSON object, for scripts")


def identity_arguments(parser: argparse.ArgumentParser) -> None:
    commands = subcommands(parser, "identity_command")
    export_cert = commands.add_parser(
        "export-cert", help="write the signing certificate (PEM) for others to trust"
    )
    export_cert.add_argument("-o", "--output", required=True, metavar="FILE")
    importing = commands.add_parser(
        "import",
        help=f"use an organisation's PKCS#12 (opened with ${P12_PASSPHRASE_ENV}, "
        "then protected by the store's passphrase)",
    )
    importing.add_argument("file", metavar="FILE.p12")
    commands.add_parser(
        "adopt",
        help=f"protect an identity made under an earlier signing passphrase "
        f"(${P12_PASSPHRASE_ENV}) by the store's passphrase instead",
    )


def _observation_id(text: str) -> uuid.UUID:
    return record_id(text, "an observation id")


def _p12_passphrase() -> str | None:
    return os.environ.get(P12_PASSPHRASE_ENV) or None


def sign(services: Services, args: argparse.Namespace) -> int:
    from observer.records.sign_off import ROLE_LABELS
    from observer.vocabulary import SignatureRole, Status

    observation_id = _observation_id(args.observation)
    role = SignatureRole(args.role)
    had_identity = services.summaries.has_signing_identity()
    with saying_how_to_sign(services):
        signature = services.signoff.sign(observation_id, role, args.name, comment=args.comment)
    locked = services.recording.get(observation_id).status is Status.SIGNED
    print(
        f"Signed as {ROLE_LABELS[role].lower()} by {signature.name} at "
        f"{signature.signed_at.astimezone():%Y-%m-%d %H:%M %Z}; content hash "
        f"{signature.content_hash}{'; the record is now locked' if locked else ''}."
    )
    if not had_identity and services.summaries.has_signing_identity():
        # The sign-off carries this laptop's digital signature; its identity was made for it.
        info = services.summaries.identity()
        print(
            f"Made a signing identity for {info.name}; its certificate's SHA-256 "
            f"fingerprint is {info.fingerprint}."
        )
    return EXIT_OK


def pdf(services: Services, args: argparse.Namespace) -> int:
    with saying_how_to_sign():
        result = services.summaries.export(
            _observation_id(args.observation),
            Path(args.output),
            include_case_reference=not args.no_case_reference,
        )
    for line in result.lines():
        print(line)
    return EXIT_OK


def verify(services: Services, args: argparse.Namespace) -> int:
    result = services.summaries.verify(Path(args.file))
    code = EXIT_OK if result.ok else EXIT_CHECK_FAILED
    if args.json:
        print_json({**result.as_dict(), "exit_code": code})
    else:
        for line in result.summary_lines():
            print(line)
    return code


def identity(services: Services, args: argparse.Namespace) -> int:
    if args.identity_command == "adopt":
        return _adopt(services)
    if args.identity_command == "export-cert":
        target = Path(args.output)
        with saying_how_to_sign():
            info = services.summaries.export_certificate(target)
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
    info = services.summaries.import_identity(data, _p12_passphrase())
    issuer = "self-signed" if info.self_signed else "issued by an authority"
    print(
        f"Imported the signing identity of {info.name} ({issuer}, valid until "
        f"{info.not_valid_after:%d %B %Y}); its SHA-256 fingerprint is {info.fingerprint}."
    )
    return EXIT_OK


def _adopt(services: Services) -> int:
    from observer.signing import PassphraseNeeded, WrongPassphrase

    earlier = _p12_passphrase()
    if earlier is None:
        raise PassphraseNeeded(
            f"Set {P12_PASSPHRASE_ENV} to the passphrase the signing identity is under (the one "
            "chosen for signing before, or the store's before a restore)."
        )
    try:
        changed = services.summaries.adopt_identity(earlier)
    except WrongPassphrase:
        raise WrongPassphrase(
            f"The passphrase in {P12_PASSPHRASE_ENV} does not open the signing identity."
        ) from None
    info = services.summaries.identity()
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


COMMANDS: dict[str, tuple[Arguments, Handler]] = {
    "sign": (sign_arguments, sign),
    "pdf": (pdf_arguments, pdf),
    "verify": (verify_arguments, verify),
    "identity": (identity_arguments, identity),
}
