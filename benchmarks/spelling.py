"""Times typing into a 2,000-word narrative with and without spell-checking.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/spelling.py

A narrative box of the editor (GrowingTextEdit) holds 2,000 words of the demo's fictional
narrative, in paragraphs of about 100 words (as people write) and then as one paragraph
(the worst case: Qt underlines a whole paragraph again at each key). Each figure is the
time from a key press to the box having taken it, underlines drawn, for 400 keys typed at
the end of the text (words, spaces and the odd misspelling); the floor is the same box
without spell-checking, in the same run. Also the first underlining of the whole text,
the dictionary loaded. Prints a markdown table; a throwaway store in a temporary folder.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import percentile  # noqa: E402
from observer.demo import corpus  # noqa: E402
from observer.services import Services, open_services  # noqa: E402

WORDS = 2000
TYPED = "the child said she felt safe with her nan and recieve the plan "


def narrative(words: int, paragraph: int | None, seed: int = 7) -> str:
    rng = random.Random(seed)
    sentences = [*corpus.STRENGTHS, *corpus.CHILD_VOICE, *corpus.REFLECTION]
    taken: list[str] = []
    while len(taken) < words:
        taken += rng.choice(sentences).split()
    taken = taken[:words]
    if paragraph is None:
        return " ".join(taken)
    chunks = [taken[i : i + paragraph] for i in range(0, len(taken), paragraph)]
    return "\n\n".join(" ".join(chunk) for chunk in chunks)


def typing_times(services: Services | None, text: str, keys: int) -> tuple[list[float], float]:
    """Milliseconds per key typed at the end of `text`, and for the first underlining."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ui.prompts import Prompts
    from ui.widgets.growing_text import GrowingTextEdit
    from ui.widgets.spell_check import SpellCheck

    app = QApplication.instance() or QApplication([])
    edit = GrowingTextEdit(min_lines=4)
    edit.resize(900, 400)
    edit.setPlainText(text)
    edit.show()
    first = 0.0
    if services is not None:
        started = time.perf_counter()
        check = SpellCheck(edit, services.spelling, Prompts())
        check.underline.rehighlight()
        first = (time.perf_counter() - started) * 1000
    app.processEvents()
    edit.setFocus()
    edit.moveCursor(QTextCursor.MoveOperation.End)
    times: list[float] = []
    typed = (TYPED * (keys // len(TYPED) + 1))[:keys]
    for char in typed:
        started = time.perf_counter()
        if char == " ":
            QTest.keyClick(edit, Qt.Key.Key_Space)
        else:
            QTest.keyClick(edit, char)
        app.processEvents()
        times.append((time.perf_counter() - started) * 1000)
    edit.close()
    edit.deleteLater()
    app.processEvents()
    return times, first


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=400)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        services = open_services(Path(folder), "benchmark passphrase, not a secret")
        try:
            assert services.spelling.available, "no British English dictionary"
            rows = []
            for label, paragraph in (("paragraphs of 100 words", 100), ("one paragraph", None)):
                text = narrative(WORDS, paragraph)
                plain, _ = typing_times(None, text, args.keys)
                checked, first = typing_times(services, text, args.keys)
                rows.append((label, plain, checked, first))
        finally:
            services.close()
    print(f"{WORDS:,} words, {args.keys} keys typed at the end.\n")
    print(
        "| narrative | per key: median | 95th percentile | without spell-checking: median "
        "| 95th | first underlining |"
    )
    print("|---|---|---|---|---|---|")
    for label, plain, checked, first in rows:
        print(
            f"| {label} | {statistics.median(checked):.2f} ms | {percentile(checked, 0.95):.2f} ms"
            f" | {statistics.median(plain):.2f} ms | {percentile(plain, 0.95):.2f} ms"
            f" | {first:.0f} ms |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
