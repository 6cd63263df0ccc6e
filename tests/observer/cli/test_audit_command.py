"""`observer audit list` as people read it: columns that shorten long words whole."""

from __future__ import annotations

from pathlib import Path

from observer.governance.audit import record_event
from observer.services import UNKNOWN_ACTOR, open_services
from tests.support.cli import run_cli
from tests.support.passphrase import STORE_PASSPHRASE


def test_a_long_actor_or_action_is_shortened_at_a_word_with_an_ellipsis(tmp_path: Path) -> None:
    services = open_services(tmp_path, STORE_PASSPHRASE)
    try:
        with services.db.session() as s, s.begin():
            for action, record_type in (("retention", "person"), ("trust_certificate", "x")):
                record_event(
                    s, actor=UNKNOWN_ACTOR, action=action, record_type=record_type, record_id=None
                )
    finally:
        services.close()

    listed = run_cli(
        ["--data-dir", str(tmp_path), "audit", "list"], {"OBSERVER_PASSPHRASE": STORE_PASSPHRASE}
    )

    assert listed.exit_code == 0, listed.stderr
    trust, retention = listed.stdout.splitlines()
    for line in (trust, retention):
        assert f"  {'someone without the…':<24}  " in line
    assert f"  {'Trusted a signing…':<28}  x  " in trust
    assert f"  {'Removed records under the…':<28}  person  " in retention
