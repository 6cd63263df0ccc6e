"""Where the test files keep what they read: stores made by earlier schemas, golden PDFs."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
