"""The passphrase of every test store unless a test says otherwise (stores are encrypted)."""

STORE_PASSPHRASE = "correct horse battery"
