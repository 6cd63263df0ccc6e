"""Reading PDFs back as a reader (or anyone checking them) would: text, pages, images."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader


def pdf_text(pdf: bytes, folder: Path, page: int | None = None) -> str:
    path = folder / "read.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces made single spaces, as a reader sees it."""
    return " ".join(text.split())


def page_count(pdf: bytes) -> int:
    info = PdfFileReader(BytesIO(pdf)).root["/Pages"]
    return int(info["/Count"])


def images_drawn(pdf: bytes) -> int:
    """How many image XObjects the pages use (their transparency masks not counted)."""

    def pages(node: Any) -> Iterator[Any]:
        node = node.get_object()
        if "/Kids" in node:
            for kid in node["/Kids"]:
                yield from pages(kid)
        else:
            yield node

    count = 0
    for page in pages(PdfFileReader(BytesIO(pdf)).root["/Pages"]):
        xobjects = page["/Resources"].get_object().get("/XObject", {})
        count += sum(1 for name in xobjects if xobjects[name]["/Subtype"] == "/Image")
    return count


def metadata(pdf: bytes) -> dict[str, str]:
    info = PdfFileReader(BytesIO(pdf)).trailer["/Info"]
    return {str(key): str(value) for key, value in info.items()}
