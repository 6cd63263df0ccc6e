"""Old name of tests.support.passphrase, for the command-line tests until they move over."""

from tests.support.passphrase import STORE_PASSPHRASE

__all__ = ["STORE_PASSPHRASE"]
