"""Keeping the store closed to others: unlocking, waits after wrong guesses, passphrase
change, idle lock."""
