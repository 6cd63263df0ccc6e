"""A summary export job as the GUI hands it to the export process, a line of JSON on the
process's standard input (observer/cli/export_process.py runs it): the data folder, the
store's derived key and passphrase, the records and the file each goes to. The key and
passphrase travel only through that pipe: never a file, an argument or the environment.
After the job, the line `cancel` asks the process to stop after the summary in hand.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

CANCEL = "cancel"


@dataclass(frozen=True)
class Job:
    data_dir: Path
    key: bytes
    salt: bytes
    passphrase: str
    items: list[tuple[uuid.UUID, Path]]
    sign: bool
    include_case_reference: bool
    earlier: str | None = None  # the passphrase an earlier signing key is still under

    def to_line(self) -> bytes:
        job = {
            "data_dir": str(self.data_dir),
            "key": self.key.hex(),
            "salt": self.salt.hex(),
            "passphrase": self.passphrase,
            "items": [[str(i), str(p)] for i, p in self.items],
            "sign": self.sign,
            "include_case_reference": self.include_case_reference,
            "earlier": self.earlier,
        }
        return json.dumps(job).encode() + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> Job:
        job = json.loads(line)
        return cls(
            data_dir=Path(job["data_dir"]),
            key=bytes.fromhex(job["key"]),
            salt=bytes.fromhex(job["salt"]),
            passphrase=job["passphrase"],
            items=[(uuid.UUID(i), Path(p)) for i, p in job["items"]],
            sign=bool(job["sign"]),
            include_case_reference=bool(job["include_case_reference"]),
            earlier=job.get("earlier"),
        )
