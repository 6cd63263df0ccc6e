"""The JSON bundle: every record of a store (or of one worker), for moving and backing up.

The format is documented in docs/bundle-format.md. Import validates every record before
it writes anything and runs in one transaction, so a bad bundle changes nothing. Records
keep their UUIDs; a record already present is replaced only by a higher revision, so
importing the same bundle twice changes nothing.
"""

from __future__ import annotations

from observer.bundle.export import (
    FORMAT_NAME,
    FORMAT_VERSION,
    export_bundle,
    write_bundle,
)
from observer.bundle.importer import ImportResult, import_bundle, read_bundle

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ImportResult",
    "export_bundle",
    "import_bundle",
    "read_bundle",
    "write_bundle",
]
