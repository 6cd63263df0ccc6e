"""Runs `observer passphrase change` in this process and stops it with SIGKILL at a named
step of the change (observer.security.passphrase_change._step), as a power cut would.

    python passphrase_driver.py STEP[#N] DATA_DIR

STEP is a step's name; #N stops at its N-th time (a backup among several). STEP!pause
pauses there instead, still running and holding the change lock, after writing `paused`
in the data folder, until the test ends it. The current and new passphrases come from the
environment, as for the command itself.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from observer.cli.main import main
from observer.security import passphrase_change


def stop_at(target: str, data_dir: Path) -> None:
    target, pause, _ = target.partition("!pause")
    name, _, nth = target.partition("#")
    wanted = int(nth or 1)
    seen: dict[str, int] = {}

    def step(reached: str) -> None:
        seen[reached] = seen.get(reached, 0) + 1
        if reached == name and seen[reached] == wanted:
            if pause:
                (data_dir / "paused").write_text("paused\n", encoding="ascii")
                time.sleep(300)
            os.kill(os.getpid(), signal.SIGKILL)

    passphrase_change._step = step  # type: ignore[assignment]


if __name__ == "__main__":
    stop_at(sys.argv[1], Path(sys.argv[2]))
    sys.exit(main(["--data-dir", sys.argv[2], "passphrase", "change"]))
