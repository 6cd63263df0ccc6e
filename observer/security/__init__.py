"""Keeping the store closed to others: encryption, unlocking, passphrase, idle lock."""
