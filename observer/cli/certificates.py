"""The `observer certificates` command: the signing certificates this laptop knows.

`list` shows them (fingerprint, holder, why known, since when); `trust FILE` makes another
laptop's certificate known, so summaries and histories it signs about this store's records
verify here. Trusting is explicit and recorded in the audit trail; the fingerprint is
shown so it can be compared with the one the other laptop's `identity export-cert` gave
(or checked at once with --fingerprint).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from observer.cli.common import EXIT_OK, Arguments, Handler, print_json, subcommands
from observer.errors import InvalidInput

if TYPE_CHECKING:
    from observer.services import Services
    from observer.signing.known import KnownCertificate


def certificates_arguments(parser: argparse.ArgumentParser) -> None:
    commands = subcommands(parser, "certificates_command")
    listing = commands.add_parser("list", help="the signing certificates this laptop knows")
    listing.add_argument("--json", action="store_true", help="a JSON list, for scripts")
    trust = commands.add_parser(
        "trust", help="know another laptop's signing certificate (PEM or DER), audited"
    )
    trust.add_argument("file", metavar="FILE")
    trust.add_argument(
        "--fingerprint",
        metavar="SHA256",
        help="the fingerprint the certificate must have (as its holder read it out)",
    )


def certificates(services: Services, args: argparse.Namespace) -> int:
    if args.certificates_command == "trust":
        return _trust(services, Path(args.file), args.fingerprint)
    known = services.known_certificates.known()
    if args.json:
        print_json([_as_dict(c) for c in known])
        return EXIT_OK
    if not known:
        print(
            "This laptop knows no signing certificates yet; its own becomes known when it "
            "first signs."
        )
    for certificate in known:
        since = f", since {certificate.since:%d %B %Y}" if certificate.since else ""
        holder = certificate.name or "unnamed"
        only = " (for its records only)" if certificate.vouched_by is not None else ""
        print(f"{certificate.fingerprint}  {holder}: {certificate.reason}{only}{since}")
    return EXIT_OK


def _trust(services: Services, source: Path, expected: str | None) -> int:
    from observer.signing.known import (
        ANOTHER_LAPTOP,
        certificate_der,
        fingerprint_of,
        normalised,
        pairs,
        subject_name,
    )

    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{source} cannot be read: {exc.strerror or exc}.") from None
    der = certificate_der(data)
    fingerprint = fingerprint_of(der)
    if expected is not None and normalised(expected) != fingerprint:
        raise InvalidInput(
            f"The certificate in {source} has the SHA-256 fingerprint {pairs(fingerprint)}, "
            "not the one given; nothing was trusted."
        )
    name = subject_name(der) or "an unnamed holder"
    known = services.known_certificates
    if known.is_known(fingerprint):
        print(
            f"Already known: the certificate of {name}, SHA-256 fingerprint {pairs(fingerprint)}."
        )
        return EXIT_OK
    known.add(der, ANOTHER_LAPTOP, services.actor())
    print(
        f"Trusted the certificate of {name}, SHA-256 fingerprint {pairs(fingerprint)}: what it "
        "signs about this store's records now verifies here. The audit trail records it."
    )
    return EXIT_OK


def _as_dict(certificate: KnownCertificate) -> dict[str, object]:
    return {
        "fingerprint_sha256": certificate.fingerprint_sha256,
        "name": certificate.name,
        "reason": certificate.reason,
        "since": certificate.since and certificate.since.isoformat(),
        "has_certificate": certificate.certificate_der is not None,
        "vouched_by": certificate.vouched_by,
    }


COMMANDS: dict[str, tuple[Arguments, Handler]] = {
    "certificates": (certificates_arguments, certificates),
}
