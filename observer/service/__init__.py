<<<<<<< HEAD
"""Service-wide quality of practice, improvement themes, moderation and the Board report."""
=======
"""Across the service: the quality of practice by standard, coverage, themes and moderation."""
>>>>>>> service
