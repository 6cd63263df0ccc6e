"""Across the service: the quality of practice by standard, coverage, themes and moderation."""
