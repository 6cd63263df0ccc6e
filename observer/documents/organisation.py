"""What this laptop's summaries carry: the organisation's logo and a timestamp server.

The logo is a PNG kept in the data folder (summaries embed it at the top of the first
page); the timestamp server, when set, turns each signature into PAdES B-T. Both are set
by IT with the command line, once per laptop.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from observer.errors import InvalidInput
from observer.store.db import Database
from observer.store.settings import store_value

LOGO_NAME = "logo.png"
MAX_LOGO_BYTES = 2_000_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TIMESTAMP_SETTING = "timestamp_url"


def logo_path(data_dir: Path) -> Path:
    return data_dir / LOGO_NAME


def set_logo(data_dir: Path, source: Path | None) -> Path | None:
    """Copies a PNG logo into the data folder (None removes it); returns where it is."""
    target = logo_path(data_dir)
    if source is None:
        target.unlink(missing_ok=True)
        return None
    data = source.read_bytes()
    if not data.startswith(PNG_MAGIC):
        raise InvalidInput(f"{source} is not a PNG image; save the logo as PNG first.")
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput(f"{source} is larger than 2 MB; a smaller logo keeps summaries small.")
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def set_timestamp_server(db: Database, url: str | None) -> str | None:
    """Sets (or, with None, clears) the RFC 3161 timestamp server used when signing."""
    if url is not None:
        url = url.strip()
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InvalidInput(f"{url!r} is not an http or https address.")
    with db.session() as s, s.begin():
        store_value(s, TIMESTAMP_SETTING, url)
    return url
