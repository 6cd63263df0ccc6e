"""Errors a user can cause while signing or verifying; each is one plain sentence."""

from __future__ import annotations

from observer.errors import ObserverError


class NoIdentity(ObserverError):
    """This data folder has no signing identity yet."""


class WrongPassphrase(ObserverError):
    """The passphrase does not open the signing identity (or an imported PKCS#12 file)."""


class PassphraseNeeded(ObserverError):
    """A passphrase was needed and none (or an unusable one) was given."""


class InvalidIdentity(ObserverError):
    """A PKCS#12 file cannot serve as a signing identity: damaged, incomplete or unfit."""


class NotAPdf(ObserverError):
    """The file to verify is not a PDF, or cannot be read at all."""


class TimestampUnavailable(ObserverError):
    """The configured timestamp server did not answer with a timestamp."""
