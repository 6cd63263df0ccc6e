"""Summaries and histories as signed PDFs: what they show and how it is laid out."""
