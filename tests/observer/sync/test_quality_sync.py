"""Issue 17's records through a real team server: a moderation, the note raising it, a sample
and the Board's commentary go from the QA lead's laptop to the laptops whose people may see
them, and to no other; an improvement plan imported on one laptop reaches every laptop
(all names fictional)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from observer.bundle import read_bundle
from observer.review.team_overview import Period
from observer.services import Services
from observer.store.commentary import BoardCommentary
from observer.store.moderation_tables import Moderation, ModerationSample
from observer.store.sync_tables import sync_outbox
from observer.vocabulary import Role
from tests.support.core import trusting_bundle
from tests.support.sync import (
    TEAM,
    Laptop,
    LiveServer,
    lead_with_a_draft,
    signed_in_the_room,
)
from tests.support.themes import moved, shipped_document, write

QA_LEAD = "Priya Raman"
QUARTER = Period(date(2020, 1, 1), date(2030, 12, 31))


@dataclass
class Service:
    lead: Services
    qa: Services
    manager: Services
    other_manager: Services
    record: uuid.UUID
    moderation: uuid.UUID


def _moderations(laptop: Services) -> set[uuid.UUID]:
    with laptop.db.session() as s:
        return set(s.scalars(select(Moderation.id)))


def _commentaries(laptop: Services) -> list[str]:
    with laptop.db.session() as s:
        return list(s.scalars(select(BoardCommentary.text)))


def _samples(laptop: Services) -> set[uuid.UUID]:
    with laptop.db.session() as s:
        return set(s.scalars(select(ModerationSample.id)))


def _synced(laptop: Services) -> None:
    result = laptop.sync.sync()
    assert result.refused == 0, result
    with laptop.db.session() as s:
        waiting = s.execute(select(sync_outbox.c.record_type, sync_outbox.c.state)).all()
    assert all(state != "pending" for _, state in waiting), waiting


@pytest.fixture
def service(live_server: LiveServer, make_laptop: Laptop) -> Service:
    lead = lead_with_a_draft(live_server, make_laptop)
    signed_in_the_room(lead)
    _synced(lead.laptop)
    live_server.db.team("Family Support")
    qa = make_laptop(QA_LEAD, Role.QA_LEAD)
    qa.sync.join(live_server.url, live_server.code_for(QA_LEAD, "service"))
    _synced(qa)
    day = lead.laptop.recording.get(lead.draft).observed_at.date()
    sample = qa.moderation.draw_sample(day, day, 100, seed=3)
    assert [o.observation_id for o in sample.observations] == [lead.draft]
    blind = qa.moderation.blind_record(lead.draft)
    worst = [level.code for level in blind.scale if level.score is not None][-1]
    made = qa.moderation.moderate(
        lead.draft,
        dict.fromkeys((st.code for st in blind.standards), worst),
        worst,
        "Risk not evidenced.",
        QA_LEAD,
    )
    qa.moderation.raise_with_observer(made.id, "Please look at the risk evidence again.")
    qa.commentaries.save(QUARTER, None, "Practice is improving.", based_on=0, actor=QA_LEAD)
    _synced(qa)
    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    manager.sync.join(
        live_server.url, live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    )
    other = make_laptop("Dana Lewis", Role.TEAM_MANAGER)
    other.sync.join(
        live_server.url, live_server.code_for("Dana Lewis", "team_manager", ("Family Support",))
    )
    for laptop in (lead.laptop, manager, other):
        _synced(laptop)
    return Service(lead.laptop, qa, manager, other, lead.draft, made.id)


def test_a_moderation_reaches_the_observer_and_their_manager_and_no_other_team(
    service: Service, live_server: LiveServer
) -> None:
    with live_server.db.owner.connect() as conn:
        held = conn.execute(text("SELECT id FROM moderations")).scalars().all()
    assert held == [service.moderation]
    for laptop in (service.lead, service.manager):
        [view] = laptop.moderation.moderations_of(service.record)
        assert view.id == service.moderation
        assert view.comment == "Risk not evidenced."
        assert [n.text for n in view.notes] == ["Please look at the risk evidence again."]
        # Taken as its moderator signed it: the laptop finds it sound.
        assert laptop.moderation.verify() == []
    assert _moderations(service.other_manager) == set()


def test_the_commentary_and_the_sample_reach_leads_and_not_managers(service: Service) -> None:
    assert _commentaries(service.lead) == ["Practice is improving."]
    assert _commentaries(service.manager) == []
    assert _commentaries(service.other_manager) == []
    assert _samples(service.lead) == _samples(service.qa)
    assert _samples(service.lead)
    assert _samples(service.manager) == set()


def test_a_commentary_edited_later_reaches_the_lead_and_pulling_again_changes_nothing(
    service: Service,
) -> None:
    held = service.qa.commentaries.read(QUARTER)
    service.qa.commentaries.save(
        QUARTER,
        None,
        "Practice is improving; supervision too.",
        based_on=held.revision,
        actor=QA_LEAD,
    )
    _synced(service.qa)
    _synced(service.lead)
    assert _commentaries(service.lead) == ["Practice is improving; supervision too."]
    before = (_moderations(service.lead), _commentaries(service.lead))
    _synced(service.lead)
    assert (_moderations(service.lead), _commentaries(service.lead)) == before


def test_commentaries_two_leads_wrote_before_syncing_keep_both_words_everywhere(
    service: Service,
) -> None:
    spring = Period(date(2026, 4, 1), date(2026, 6, 30))
    service.qa.commentaries.save(spring, None, "Supervision is better.", based_on=0, actor=QA_LEAD)
    service.lead.commentaries.save(
        spring, None, "Visits are more purposeful.", based_on=0, actor="Aled Hughes"
    )
    _synced(service.qa)
    _synced(service.lead)
    _synced(service.qa)
    texts = {laptop.commentaries.read(spring).text for laptop in (service.qa, service.lead)}
    assert len(texts) == 1
    (text,) = texts
    assert "Supervision is better." in text
    assert "Visits are more purposeful." in text


def test_a_plan_imported_on_one_laptop_reaches_every_other(
    service: Service, tmp_path: Path
) -> None:
    plan = moved(shipped_document(), "6", 2)
    imported = service.qa.themes.import_file(write(tmp_path / "plan.json", plan))
    _synced(service.qa)
    for laptop in (service.lead, service.manager, service.other_manager):
        _synced(laptop)
        assert laptop.themes.current().content_hash() == service.qa.themes.current().content_hash()
    assert imported is not None


def test_the_server_refuses_to_change_a_moderation_a_laptop_pushed(
    service: Service, live_server: LiveServer
) -> None:
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as refused, live_server.db.owner.begin() as conn:
        conn.execute(text("UPDATE moderations SET comment = 'Agreed.'"))
    assert getattr(refused.value.orig, "sqlstate", None) == "OB001"


def test_a_moderation_made_before_joining_goes_with_the_moderator_when_they_join(
    live_server: LiveServer, make_laptop: Laptop, tmp_path: Path
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    signed_in_the_room(lead)
    _synced(lead.laptop)
    bundle = tmp_path / "records.json"
    lead.laptop.bundles.export(bundle, None)
    qa = make_laptop(QA_LEAD, Role.QA_LEAD)
    trusting_bundle(qa, read_bundle(bundle))
    qa.bundles.import_file(bundle, None)
    blind = qa.moderation.blind_record(lead.draft)
    best = next(level.code for level in blind.scale if level.score is not None)
    made = qa.moderation.moderate(
        lead.draft, dict.fromkeys((st.code for st in blind.standards), best), best, "", QA_LEAD
    )
    qa.sync.join(live_server.url, live_server.code_for(QA_LEAD, "service"))
    _synced(qa)
    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    manager.sync.join(
        live_server.url, live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    )
    _synced(manager)
    assert _moderations(manager) == {made.id}
    assert manager.moderation.verify() == []
    _synced(lead.laptop)
    assert _moderations(lead.laptop) == {made.id}


def test_a_pulled_removal_takes_the_moderations_of_the_record_with_it(
    service: Service, live_server: LiveServer
) -> None:
    with live_server.db.owner.begin() as conn:
        conn.execute(
            text("SELECT observer_remove_observations(ARRAY[:id]::uuid[])"), {"id": service.record}
        )
    for laptop in (service.manager, service.qa):
        _synced(laptop)
        assert _moderations(laptop) == set()
        assert laptop.moderation.verify() == []
