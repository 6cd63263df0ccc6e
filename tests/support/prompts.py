"""A stand-in for ui.prompts.Prompts that records messages instead of showing them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ui.prompts import Prompts


@dataclass
class FakePrompts(Prompts):
    """Records every message instead of showing it; answers questions from a script."""

    shown: list[tuple[str, str]] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)
    passphrases: list[str | None] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)  # what the file and folder pickers return
    suggested: list[Path] = field(default_factory=list)  # where each picker opened

    def information(self, parent: QWidget | None, message: str) -> None:
        self.shown.append(("information", message))

    def warning(self, parent: QWidget | None, message: str) -> None:
        self.shown.append(("warning", message))

    def error(self, parent: QWidget | None, message: str) -> None:
        self.shown.append(("error", message))

    def ask(self, parent: QWidget | None, question: str, *, default_yes: bool = False) -> bool:
        self.shown.append(("ask", question))
        return self.answers.pop(0) if self.answers else False

    def discard(self, parent: QWidget | None, question: str) -> bool:
        self.shown.append(("discard", question))
        return self.answers.pop(0) if self.answers else False

    def text(self, parent: QWidget | None, label: str, value: str = "") -> str | None:
        raise AssertionError("no test expects a text prompt")

    def passphrase(self, parent: QWidget | None, label: str) -> str | None:
        """The next scripted passphrase; None (as if cancelled) when the script has run out."""
        self.shown.append(("passphrase", label))
        return self.passphrases.pop(0) if self.passphrases else None

    def open_file(self, parent: QWidget | None, caption: str, file_filter: str = "") -> Path | None:
        return self._picked(caption)

    def save_file(
        self, parent: QWidget | None, caption: str, suggested: Path, file_filter: str = ""
    ) -> Path | None:
        self.suggested.append(suggested)
        return self._picked(caption)

    def folder(
        self, parent: QWidget | None, caption: str, start: Path | None = None
    ) -> Path | None:
        if start is not None:
            self.suggested.append(start)
        return self._picked(caption)

    def _picked(self, caption: str) -> Path | None:
        self.shown.append(("picker", caption))
        if not self.paths:
            raise AssertionError(f"no path scripted for the picker {caption!r}")
        return self.paths.pop(0)
