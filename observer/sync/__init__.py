"""The laptop's side of sync with a team server (docs/sync-protocol.md)."""
