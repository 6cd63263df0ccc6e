"""Service-wide quality of practice, improvement themes, moderation and the Board report."""
