"""Which of the server's conflicts a laptop takes to settle: words set aside by a signature
only on the laptop they were typed on; any other conflict on its authors' laptops. The
pull feed carries every conflict of a record its caller sees, and before, every such laptop
listed it as open: a manager was asked to settle a lead's conflict (and offered to sign
the lead's words as their own addendum), and the signer's laptop to settle it again."""

from __future__ import annotations

import uuid

from observer.records.merge import Change
from observer.services import Services
from observer.vocabulary import Role, SignatureRole
from tests.support.sync import TEAM, Laptop, LiveServer, lead_with_a_draft


def complete(laptop: Services, record: uuid.UUID) -> None:
    for rating in laptop.recording.get(record).ratings:
        laptop.recording.set_rating(
            record, rating.standard_code, level_code="good", evidence="Seen on the visit."
        )
    laptop.recording.update(
        record, {"overall_level": "good", "overall_rationale": "Clear and warm."}
    )


def joined(live_server: LiveServer, laptop: Services, name: str, *args: object) -> Services:
    laptop.sync.join(live_server.url, live_server.code_for(name, *args))  # type: ignore[arg-type]
    laptop.sync.sync()
    return laptop


def test_words_set_aside_are_settled_only_where_they_were_typed(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    complete(lead.laptop, lead.draft)
    lead.laptop.sync.sync()
    other = joined(live_server, make_laptop("Aled Hughes"), "Aled Hughes")
    manager = joined(
        live_server,
        make_laptop("Morag Campbell", Role.TEAM_MANAGER),
        "Morag Campbell",
        "team_manager",
        (TEAM,),
    )

    lead.laptop.signoff.sign(lead.draft, SignatureRole.OBSERVER, "Aled Hughes")
    lead.laptop.signoff.sign(lead.draft, SignatureRole.PRACTITIONER, "Siobhán Walker")
    lead.laptop.sync.sync()
    other.recording.save(
        lead.draft,
        [Change("strengths", "Calm with the family.", "Calm with the family. A good ending.")],
    )
    assert other.sync.sync().conflicts == 1
    for laptop in (lead.laptop, manager):
        laptop.sync.sync()

    assert [c.observation_id for c in other.sync.conflicts()] == [lead.draft]
    assert lead.laptop.sync.status().open_conflicts == 0
    assert manager.sync.status().open_conflicts == 0


def test_a_leads_text_conflict_is_theirs_and_not_their_managers(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    other = joined(live_server, make_laptop("Aled Hughes"), "Aled Hughes")
    manager = joined(
        live_server,
        make_laptop("Morag Campbell", Role.TEAM_MANAGER),
        "Morag Campbell",
        "team_manager",
        (TEAM,),
    )
    base = "Calm with the family."
    lead.laptop.recording.save(lead.draft, [Change("strengths", base, "Calm and warm.")])
    other.recording.save(lead.draft, [Change("strengths", base, "Calm, clear and kind.")])
    lead.laptop.sync.sync()
    assert other.sync.sync().conflicts >= 1
    for laptop in (lead.laptop, manager):
        laptop.sync.sync()

    for laptop in (lead.laptop, other):
        assert laptop.sync.status().open_conflicts == 1
    assert manager.sync.status().open_conflicts == 0
    assert "Calm and warm." in (manager.recording.get(lead.draft).strengths or "")
