"""The encrypted file: connection, models, settings, backups and schema migrations."""
