"""Service-wide quality of practice: themes, moderation, the Board's figures."""
