"""The encrypted file: its encryption, connection, models, settings, backups and
migrations."""
