"""A laptop that IT revoked, or that joined after the dump the server was restored from,
joins again with a new code: what waited on it reaches the manager, its audit chain goes
on under the new laptop id (the server's own chain records both ids), and the revoked
laptop's token stays dead (docs/sync-protocol.md, "Joining again")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from observer.records.merge import Change
from observer.server import chain, enrolment, schema
from observer.services import Services
from observer.sync import state
from observer.sync.client import Client, NotEnrolled, ServerRefused, SyncFailed
from observer.sync.push import push_all
from observer.vocabulary import Role, SignatureRole
from tests.observer.sync.test_killed import COMMAND, WAIT_S, HoldingProxy
from tests.observer.sync.test_whose_conflicts import complete
from tests.support import restore
from tests.support.commands import observer, one_line_error
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.push import hash_of
from tests.support.server_admin import run
from tests.support.sync import TEAM, Laptop, Lead, LiveServer, lead_with_a_draft

EDIT = "Calm, and kind with the younger child."


def _manager(live_server: LiveServer, make_laptop: Laptop) -> Services:
    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    manager.sync.join(
        live_server.url, live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    )
    return manager


def _strengths(laptop: Services, lead: Lead) -> str:
    return laptop.recording.get(lead.draft).strengths


def _enrolment(laptop: Services) -> state.Enrolment:
    with laptop.db.session() as s:
        found = state.enrolment(s)
    assert found is not None
    return found


def _revoked_with_an_edit_waiting(live_server: LiveServer, lead: Lead) -> state.Enrolment:
    lead.laptop.sync.sync()
    before = _enrolment(lead.laptop)
    revoked = run(["revoke", str(before.laptop_id)[:8]], live_server.db.url())
    assert revoked.stdout.strip() == (
        f"Revoked Aled Hughes's laptop {before.laptop_id}: it can no longer sync, and joins "
        f"again only with a new code for them (observer-server enrol --person "
        f"{before.person_id} …), keeping what waits on it."
    )
    lead.laptop.recording.save(lead.draft, [Change("strengths", "Calm with the family.", EDIT)])
    with pytest.raises(NotEnrolled):
        lead.laptop.sync.sync()
    assert lead.laptop.sync.status().waiting == 1
    return before


def _pull_with(url: str, token: str) -> int:
    return httpx.get(
        f"{url}/sync/v2/pull", headers={"Authorization": f"Bearer {token}"}
    ).status_code


def test_a_revoked_laptop_joins_again_and_what_waited_reaches_the_manager(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()  # the team reaches the server
    manager = _manager(live_server, make_laptop)
    before = _revoked_with_an_edit_waiting(live_server, lead)

    joined = lead.laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))

    assert joined.replaced == before.laptop_id
    assert joined.waiting == 1
    with lead.laptop.db.session() as s:
        assert state.values(s).get(state.CURSOR), "same server, same scope: the cursor holds"
    after = _enrolment(lead.laptop)
    assert after.laptop_id != before.laptop_id
    assert after.person_id == before.person_id
    assert "joined the team server again" in lead.laptop.sync.status().notice
    result = lead.laptop.sync.sync()
    assert result.pushed == 1
    assert result.refused == 0
    assert lead.laptop.sync.status().waiting == 0
    manager.sync.sync()
    assert _strengths(manager, lead) == EDIT

    with live_server.db.owner.begin() as conn:
        laptops = {laptop.id: laptop for laptop in enrolment.laptops(conn)}
        report = chain.verify(conn)
        held = conn.execute(
            select(schema.audit_events.c.laptop_id, schema.audit_events.c.sequence).where(
                schema.audit_events.c.laptop_id.in_([before.laptop_id, after.laptop_id])
            )
        ).all()
    assert laptops[before.laptop_id].revoked_at is not None, "the revoked laptop stays revoked"
    assert laptops[after.laptop_id].revoked_at is None
    assert report.ok, report.problems
    (listed,) = report.rejoins
    assert f"Laptop {after.laptop_id} joined again in place of laptop {before.laptop_id}" in listed
    # One chain across both ids, each event once: the old id's, then the new id's.
    old = sorted(seq for laptop, seq in held if laptop == before.laptop_id)
    new = sorted(seq for laptop, seq in held if laptop == after.laptop_id)
    assert old == list(range(1, len(old) + 1))
    assert new == list(range(len(old) + 1, len(old) + len(new) + 1))
    assert lead.laptop.audit.verify().ok
    listing = run(["laptops"], live_server.db.url()).stdout
    assert f"{str(before.laptop_id)[:8]}  Aled Hughes  (practice_lead)  revoked" in listing
    assert f"in place of {str(before.laptop_id)[:8]}" in listing
    verified = run(["audit", "verify"], live_server.db.url())
    assert verified.exit_code == 0
    assert verified.stdout.splitlines()[1] == listed
    # The stolen laptop's token stays dead; the new one works.
    assert _pull_with(live_server.url, before.token) == 401
    assert _pull_with(live_server.url, after.token) == 200


def test_a_laptop_enrolled_after_the_dump_joins_the_restored_server_again(
    live_server: LiveServer, make_laptop: Laptop, tmp_path: Path
) -> None:
    db = live_server.db
    db.team(TEAM)
    manager = _manager(live_server, make_laptop)
    manager.sync.sync()
    assert restore.backup(db.cluster, db.name, tmp_path / "backups").returncode == 0
    (dump,) = (tmp_path / "backups").glob("observer-*.dump")
    lead = lead_with_a_draft(live_server, make_laptop)  # joins after the dump
    lead.laptop.sync.sync()
    before = _enrolment(lead.laptop)

    db.owner.dispose()
    db.service.dispose()
    restore.restore(db.cluster, dump, db.name, clean=True)
    assert "restored or moved" in restore.migrate(db.cluster, db.name).stdout
    lead.laptop.recording.save(lead.draft, [Change("strengths", "Calm with the family.", EDIT)])
    with pytest.raises(NotEnrolled):
        lead.laptop.sync.sync()

    joined = lead.laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    result = lead.laptop.sync.sync()

    assert joined.replaced == before.laptop_id
    assert joined.queued > 0, "the restored server lost everything: it is all sent again"
    assert result.refused == 0, lead.laptop.sync.status().refused
    assert lead.laptop.sync.status().waiting == 0
    manager.sync.sync()
    assert _strengths(manager, lead) == EDIT
    with db.owner.begin() as conn:
        report = chain.verify(conn)
        new = (
            conn.execute(
                select(schema.audit_events.c.sequence).where(
                    schema.audit_events.c.laptop_id == _enrolment(lead.laptop).laptop_id
                )
            )
            .scalars()
            .all()
        )
    assert report.ok, report.problems
    (listed,) = report.rejoins
    assert "which this server never knew" in listed
    assert sorted(new) == list(range(1, len(new) + 1)), "its chain from the start"
    with lead.laptop.db.session() as s:
        assert state.values(s).get(state.CURSOR), "pulled everything again, to the end"
    assert lead.laptop.audit.verify().ok


def test_a_code_for_another_person_is_refused_and_stays_unused(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    before = _revoked_with_an_edit_waiting(live_server, lead)
    others = live_server.code_for("Morag Campbell", "team_manager", (TEAM,))

    with pytest.raises(ServerRefused) as refused:
        lead.laptop.sync.join(live_server.url, others)

    assert "a laptop's records belong to its person" in str(refused.value)
    assert _enrolment(lead.laptop) == before
    assert lead.laptop.sync.status().waiting == 1
    # The code was not spent: its own person's laptop joins with it.
    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    manager.sync.join(live_server.url, others)


def test_the_command_refuses_a_code_for_another_person_in_one_sentence(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    _revoked_with_an_edit_waiting(live_server, lead)
    others = live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    lead.laptop.close()

    refused = observer(lead.laptop.data_dir, "sync", "enrol", live_server.url, others)

    assert one_line_error(refused) == (
        "observer: The team server refused (403): That enrolment code is for someone other "
        "than the person whose records this laptop holds: a laptop's records belong to its "
        "person, so it joins again only with a code for them; the code was not used."
    )
    status = json.loads(observer(lead.laptop.data_dir, "sync", "status", "--json").stdout)
    assert status["waiting"] == 1


def test_without_a_new_code_a_revoked_laptop_stays_out(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    before = _revoked_with_an_edit_waiting(live_server, lead)
    spent = live_server.code_for("Aled Hughes")
    lead.laptop.sync.join(live_server.url, spent)
    after = _enrolment(lead.laptop)

    for code in ("", "ABCDE-FGHJK-MNPQR-STUVW", spent):
        with pytest.raises(SyncFailed):
            lead.laptop.sync.join(live_server.url, code)
    assert _enrolment(lead.laptop) == after
    assert _pull_with(live_server.url, before.token) == 401
    # A copy of the laptop's store (a thief's) does not come back with the old token
    # either, even with a code of its person's, once the laptop has joined again and
    # synced: the new laptop continues the chain, and the code stays unused.
    lead.laptop.sync.sync()
    code = live_server.code_for("Aled Hughes")
    thief = httpx.post(
        f"{live_server.url}/sync/v2/enrol",
        json={
            "code": code,
            "laptop_name": "stolen",
            "previous": {
                "laptop_id": str(before.laptop_id),
                "token": before.token,
                "person_id": str(before.person_id),
            },
        },
    )
    assert thief.status_code == 409
    assert thief.json()["error"] == "superseded"
    assert _pull_with(live_server.url, after.token) == 200


def test_a_made_up_previous_laptop_is_refused(live_server: LiveServer, make_laptop: Laptop) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    before = _enrolment(lead.laptop)
    answer = httpx.post(
        f"{live_server.url}/sync/v2/enrol",
        json={
            "code": live_server.code_for("Aled Hughes"),
            "laptop_name": "other",
            "previous": {
                "laptop_id": str(before.laptop_id),
                "token": "not-the-token",
                "person_id": str(before.person_id),
            },
        },
    )
    assert answer.status_code == 403
    assert answer.json()["error"] == "previous_laptop"
    assert _pull_with(live_server.url, before.token) == 200, "the laptop was not revoked"
    v1 = httpx.post(
        f"{live_server.url}/sync/v1/enrol",
        json={"code": "X", "laptop_name": "old", "previous": {}},
    )
    assert v1.status_code == 400
    assert v1.json()["error"] == "fields"


def test_a_laptop_with_changes_waiting_does_not_switch_to_another_server(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    before = _enrolment(lead.laptop)
    elsewhere = "https://observer.other.example.gov.uk"

    with pytest.raises(SyncFailed) as refused:
        lead.laptop.sync.join(elsewhere, "ABCDE-FGHJK-MNPQR-STUVW")

    assert str(refused.value).startswith(
        f"{lead.laptop.sync.status().waiting} changes wait on this laptop to be sent to the "
        f"team server at {live_server.url}, so it has not joined {elsewhere}"
    )
    assert _enrolment(lead.laptop) == before


def test_joining_again_on_purpose_revokes_the_old_enrolment(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    before = _enrolment(lead.laptop)
    lead.laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    assert _pull_with(live_server.url, before.token) == 401
    lead.laptop.sync.sync()
    with live_server.db.owner.begin() as conn:
        assert chain.verify(conn).ok
    assert isinstance(_enrolment(lead.laptop).laptop_id, uuid.UUID)


@pytest.mark.e2e
def test_joining_again_killed_after_the_server_took_the_code_loses_nothing(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """`observer sync enrol` SIGKILLed once the server has redeemed the code and made the
    new laptop, before the laptop kept its answer: the laptop is as it was (revoked, its
    edit waiting), and a second code from IT brings it back; the stand-in the lost answer
    named never synced, and is revoked."""
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    before = _revoked_with_an_edit_waiting(live_server, lead)
    proxy = HoldingProxy(live_server.url)
    proxy.held_path = "/enrol"
    try:
        with lead.laptop.db.session() as s, s.begin():  # the laptop talks through the proxy
            state.put(s, **{state.SERVER: proxy.url})
        data_dir = lead.laptop.data_dir
        lead.laptop.close()
        env = {**os.environ, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE}
        joining = subprocess.Popen(
            [COMMAND, "--data-dir", str(data_dir), "sync", "enrol", proxy.url,
             live_server.code_for("Aled Hughes")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            assert proxy.push_committed.wait(WAIT_S), "the enrolment never reached the server"
        finally:
            joining.send_signal(signal.SIGKILL)
            joining.communicate(timeout=WAIT_S)
        assert joining.returncode == -signal.SIGKILL

        status = json.loads(observer(data_dir, "sync", "status", "--json").stdout)
        assert status["waiting"] == 1, "the edit still waits"
        assert observer(data_dir, "audit", "verify").returncode == 0
        with live_server.db.owner.begin() as conn:
            stand_in = conn.execute(
                select(schema.laptops.c.id).where(
                    schema.laptops.c.previous_laptop_id == before.laptop_id
                )
            ).scalar_one()

        proxy.holding = False
        again = observer(data_dir, "sync", "enrol", proxy.url, live_server.code_for("Aled Hughes"))
        assert again.returncode == 0, again.stderr
        assert f"again as Aled Hughes, practice lead, in place of laptop {before.laptop_id}" in (
            again.stdout
        )
        assert "1 change waits to be sent" in again.stdout
        synced = observer(data_dir, "sync")
        assert synced.returncode == 0, synced.stderr
        assert "1 sent, 0 refused" in synced.stdout
    finally:
        proxy.close()
    with live_server.db.owner.begin() as conn:
        laptops = {laptop.id: laptop for laptop in enrolment.laptops(conn)}
        report = chain.verify(conn)
        held = conn.execute(
            select(schema.observations.c.strengths).where(schema.observations.c.id == lead.draft)
        ).scalar_one()
    assert held == EDIT
    assert laptops[stand_in].revoked_at is not None
    assert report.ok, report.problems
    assert len(report.rejoins) == 2  # the stand-in's receipt stays, as every event does
    assert observer(data_dir, "audit", "verify").returncode == 0


def test_a_trail_that_lacks_what_the_server_holds_does_not_join_again(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """The server holds an event of this laptop that its trail no longer has (a backup
    restored while it was revoked): joining again would number new events as held ones,
    so it is refused in one sentence, and the laptop stays as it was."""
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    before = _enrolment(lead.laptop)
    with lead.laptop.db.session() as s:
        head = state.values(s)[state.AUDIT_ACK]
    extra = {
        "id": str(uuid.uuid4()),
        "sequence": head["sequence"] + 1,
        "occurred_at": "2026-03-02T10:00:00.000000+00:00",
        "actor": "Aled Hughes",
        "action": "edit",
        "record_type": "observation",
        "record_id": str(lead.draft),
        "content_hash": "",
        "detail": "",
        "previous_hash": head["hash"],
    }
    extra["event_hash"] = hash_of(extra)
    sent = httpx.post(
        f"{live_server.url}/sync/v2/push",
        headers={"Authorization": f"Bearer {before.token}"},
        json={"audit": [extra], "changes": []},
    )
    assert sent.status_code == 200, sent.text
    with live_server.db.owner.begin() as conn:
        enrolment.revoke(conn, str(before.laptop_id))
    lead.laptop.recording.save(lead.draft, [Change("strengths", "Calm with the family.", EDIT)])

    with pytest.raises(SyncFailed) as refused:
        lead.laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))

    assert str(refused.value).startswith(
        f"The team server at {live_server.url} holds event {head['sequence'] + 1} of this "
        "laptop's audit trail as this laptop no longer has it"
    )
    assert _enrolment(lead.laptop) == before
    assert lead.laptop.sync.status().waiting == 1


def test_words_set_aside_under_the_old_id_are_still_this_laptops_to_settle(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """A push sent under the old id found a conflict (the lead's words set aside by a
    signature made elsewhere) and was revoked before it pulled it: after joining again, the
    conflict is listed here, where the words were typed."""
    lead = lead_with_a_draft(live_server, make_laptop)
    complete(lead.laptop, lead.draft)
    lead.laptop.sync.sync()
    other = make_laptop("Aled Hughes")
    other.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    other.sync.sync()
    lead.laptop.signoff.sign(lead.draft, SignatureRole.OBSERVER, "Aled Hughes")
    lead.laptop.signoff.sign(lead.draft, SignatureRole.PRACTITIONER, "Siobhán Walker")
    lead.laptop.sync.sync()
    other.recording.save(
        lead.draft,
        [Change("strengths", "Calm with the family.", "Calm with the family. A good ending.")],
    )
    was = _enrolment(other)
    with Client(was.server, was.token) as client:
        assert push_all(other.db, client).conflicts == 1  # and then no pull: revoked
    with live_server.db.owner.begin() as conn:
        enrolment.revoke(conn, str(was.laptop_id))

    other.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    other.sync.sync()

    assert [c.observation_id for c in other.sync.conflicts()] == [lead.draft]


class _OlderServer(BaseHTTPRequestHandler):
    """A server from before joining again: v2, but its enrol takes only code and name."""

    def log_message(self, *_args: object) -> None:
        pass

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._answer(200, {"status": "ok", "protocol": "v2", "protocols": ["v1", "v2"]})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._answer(
            400,
            {
                "error": "fields",
                "message": "The request must have exactly these fields: code, laptop_name.",
            },
        )


def test_a_server_too_old_to_take_a_laptop_back_is_said_in_one_sentence(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    before = _enrolment(lead.laptop)
    older = ThreadingHTTPServer(("127.0.0.1", 0), _OlderServer)
    threading.Thread(target=older.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{older.server_address[1]}"
    try:
        with lead.laptop.db.session() as s, s.begin():  # the same server, upgraded back
            state.put(s, **{state.SERVER: url})
        with pytest.raises(SyncFailed) as refused:
            lead.laptop.sync.join(url, "ABCDE-FGHJK-MNPQR-STUVW")
    finally:
        older.shutdown()
        older.server_close()
    assert str(refused.value) == (
        f"The team server at {url} is too old to take back a laptop that had joined before: "
        "ask IT to upgrade it; the changes waiting stay on this laptop."
    )
    assert _enrolment(lead.laptop).laptop_id == before.laptop_id


def test_joining_waits_for_no_sync_and_a_sync_for_no_join(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """Joining again replaces the token a sync under way is using: never both at once."""
    lead = lead_with_a_draft(live_server, make_laptop)
    before = _enrolment(lead.laptop)
    with lead.laptop.sync.held_back("."), pytest.raises(SyncFailed) as refused:
        lead.laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    assert str(refused.value).startswith("A sync is under way on this laptop; join once")
    assert _enrolment(lead.laptop) == before
