"""A bundle imported on a laptop that has joined a team server: its records of workers
outside the user's teams there are not imported (the server would refuse them, and no
store may hold a record its user may not see); the import says how many in one sentence,
and the rest import as usual. The user's own records are always in scope, and the scope
is the one the server gave at the last pull."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import delete

from observer.people.directory import PersonDetails
from observer.people.scope import Scope
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.store.models import Observation
from observer.store.sync_tables import sync_outbox
from observer.vocabulary import Kind, Role
from tests.support.core import CONSENT, WHEN, RunCli
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.sync import Laptop, LiveServer
from tests.support.team_server import put_on_server

TEAM, OTHER_TEAM = "Children in Care", "Disabled Children"
ONE_LEFT_OUT = "1 record was not imported: it is of a worker outside your teams on the team server."


@dataclass
class Story:
    lead: Services  # joined, assigned to TEAM
    bundle: Path  # from a colleague's laptop that never joined
    own_outside: uuid.UUID  # the lead's own record of a worker outside TEAM
    colleague_inside: uuid.UUID
    colleague_outside: uuid.UUID


def draft(laptop: Services, worker: uuid.UUID, focus: str) -> uuid.UUID:
    me = laptop.profiles.current().person_id  # type: ignore[union-attr]
    return laptop.recording.create_draft(
        DraftDetails(worker, me, Kind.HOME_VISIT, WHEN, focus=focus, **CONSENT)
    )


@pytest.fixture
def story(live_server: LiveServer, make_laptop: Laptop, tmp_path: Path) -> Story:
    lead = make_laptop("Aled Hughes")
    inside = lead.people.add_team(TEAM)
    outside = lead.people.add_team(OTHER_TEAM)
    worker_in = lead.people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER, inside))
    worker_out = lead.people.add_person(PersonDetails("Grace Adeyemi", Role.SOCIAL_WORKER, outside))
    own_outside = draft(lead, worker_out, "The lead's own record.")
    put_on_server(live_server.db, lead)
    start = tmp_path / "start.json"
    lead.bundles.export(start, None)

    colleague = make_laptop("Bethan Price")
    colleague.bundles.import_file(start, None)
    colleague_inside = draft(colleague, worker_in, "Within the lead's team.")
    colleague_outside = draft(colleague, worker_out, "Outside the lead's team.")
    bundle = tmp_path / "colleague.json"
    colleague.bundles.export(bundle, None)

    lead.sync.join(live_server.url, live_server.code_for("Aled Hughes", teams=(TEAM,)))
    with lead.db.session() as s, s.begin():  # as if pushed: nothing waits
        s.execute(delete(sync_outbox))
    return Story(lead, bundle, own_outside, colleague_inside, colleague_outside)


def held(laptop: Services, record: uuid.UUID) -> bool:
    with laptop.db.session() as s:
        return s.get(Observation, record) is not None


def test_observer_import_leaves_out_records_outside_the_users_teams_and_says_so(
    story: Story, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("OBSERVER_PASSPHRASE", STORE_PASSPHRASE)
    code = run_cli(["--data-dir", str(story.lead.data_dir), "import", str(story.bundle)])

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[-1] == ONE_LEFT_OUT
    assert held(story.lead, story.colleague_inside)
    assert not held(story.lead, story.colleague_outside)
    assert held(story.lead, story.own_outside), "the user's own record stays in scope"
    assert story.bundle.read_text(encoding="utf-8").count(str(story.colleague_outside)) >= 1


def test_the_scope_is_the_one_the_server_gave_at_the_last_pull(
    story: Story, live_server: LiveServer
) -> None:
    first = story.lead.bundles.import_file(story.bundle, None)
    assert first.outside_scope == 1
    assert first.left_out() == ONE_LEFT_OUT

    live_server.code_for("Aled Hughes", teams=(TEAM, OTHER_TEAM))  # the lead's teams change
    again = story.lead.bundles.import_file(story.bundle, None)
    assert again.outside_scope == 1, "not known here before a pull"

    story.lead.sync.sync()
    last = story.lead.bundles.import_file(story.bundle, None)
    assert last.outside_scope == 0
    assert last.left_out() == ""
    assert held(story.lead, story.colleague_outside)


def test_a_laptop_that_never_joined_imports_everything(make_laptop: Laptop, story: Story) -> None:
    elsewhere = make_laptop("Carys Morgan")
    result = elsewhere.bundles.import_file(story.bundle, None)
    assert result.outside_scope == 0
    assert held(elsewhere, story.colleague_outside)


def test_who_sees_what_by_role_and_team() -> None:
    me, colleague, team, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    lead = Scope("https://observer.example", me, "practice_lead", frozenset({team}))
    assert lead.sees(colleague, team)
    assert not lead.sees(colleague, other)
    assert not lead.sees(colleague, None)
    assert lead.sees(me, other), "what they wrote, always"
    service = Scope("https://observer.example", me, "service", frozenset())
    assert service.sees(colleague, other)
