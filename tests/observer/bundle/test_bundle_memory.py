"""An import asks for memory in proportion to the bundle, not to the largest bundle allowed:
a real `observer import` in a process whose address space is capped at 1 GiB reads a small
bundle, plain or sealed."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.vocabulary import Role
from tests.support.passphrase import STORE_PASSPHRASE

ADDRESS_SPACE = 1 << 30


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.mark.parametrize("sealed", [False, True], ids=["plain", "sealed"])
def test_a_small_bundle_imports_within_a_gibibyte(
    services: Services, data_dir: Path, tmp_path: Path, sealed: bool
) -> None:
    services.people.add_person(PersonDetails("Tomasz Wójcik", Role.SOCIAL_WORKER))
    bundle = tmp_path / ("team.bundle" if sealed else "team.json")
    services.bundles.export(bundle, STORE_PASSPHRASE if sealed else None)
    services.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVER_")}
    env["OBSERVER_PASSPHRASE"] = STORE_PASSPHRASE

    done = subprocess.run(
        [sys.executable, "-m", "observer", "--data-dir", str(data_dir), "import", str(bundle)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_capped,
    )

    assert done.returncode == 0, done.stderr
    assert "people: 0 added, 0 updated, 1 unchanged" in done.stdout, done.stdout
