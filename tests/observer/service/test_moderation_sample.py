"""The moderation sample: reproducible from its seed, every observer represented, kept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DatabaseError

from observer.errors import InvalidInput
from observer.service.moderation_sample import SampleAlreadyDrawn, choose
from observer.services import Services
from observer.store.moderation_tables import ModerationSample, ModerationSampleItem
from tests.support.core import audit_trail
from tests.support.moderation import Observers, seed_signed
from tests.support.review import Recorder

APRIL = (date(2026, 4, 1), date(2026, 4, 30))


def test_the_same_seed_draws_the_same_sample_and_every_observer_is_in_it(
    services: Services, record: Recorder, observers: Observers
) -> None:
    made = seed_signed(record, observers, {"lead": 12, "second_lead": 3, "manager": 1})
    seed_signed(record, observers, {"lead": 2}, month=5)  # outside the period
    sample = services.moderation.draw_sample(*APRIL, percent=20, seed=4242)
    assert sample.drawn_now
    by_observer = {o: [s for s in sample.observations if s.observer_id == o] for o in made}
    # 20% rounded up: 3 of 12; at least one of 3 and of 1.
    assert {o: len(items) for o, items in by_observer.items()} == {
        observers.lead: 3,
        observers.second_lead: 1,
        observers.manager: 1,
    }
    for observer, items in by_observer.items():
        assert {i.observation_id for i in items} <= set(made[observer])
    assert sample.seed == 4242
    assert sample.percent == 20
    # Drawn again from the same observations and seed, anywhere: the same observations.
    again = choose(made, 20, 4242)
    assert [o for _, o in again] == [s.observation_id for s in sample.observations]
    assert [o for _, o in choose(made, 20, 4243)] != [o for _, o in again]


def test_without_a_seed_one_is_drawn_and_written_down(
    services: Services, record: Recorder, observers: Observers
) -> None:
    made = seed_signed(record, observers, {"lead": 10})
    sample = services.moderation.draw_sample(*APRIL, percent=30)
    assert [o for _, o in choose(made, 30, sample.seed)] == [
        s.observation_id for s in sample.observations
    ]


def test_drawing_the_period_again_shows_the_sample_kept_and_a_different_one_is_refused(
    services: Services, record: Recorder, observers: Observers
) -> None:
    seed_signed(record, observers, {"lead": 10, "second_lead": 4})
    first = services.moderation.draw_sample(*APRIL, percent=20, seed=1)
    shown = services.moderation.draw_sample(*APRIL, percent=20)
    assert not shown.drawn_now
    assert shown.id == first.id
    assert shown.observations == first.observations
    with pytest.raises(SampleAlreadyDrawn) as refused:
        services.moderation.draw_sample(*APRIL, percent=20, seed=2)
    assert str(refused.value).startswith("A sample of 01/04/2026 to 30/04/2026 was drawn on")
    assert "is kept, so it is not drawn again; to replace it, give the reason." in str(
        refused.value
    )
    with pytest.raises(InvalidInput, match="Say why"):
        services.moderation.draw_sample(*APRIL, percent=20, seed=2, supersede_because="  ")
    assert len(services.moderation.samples()) == 1


def test_a_sample_is_replaced_only_with_a_reason_which_is_audited_and_the_old_one_kept(
    services: Services, record: Recorder, observers: Observers
) -> None:
    seed_signed(record, observers, {"lead": 10})
    first = services.moderation.draw_sample(*APRIL, percent=20, seed=1)
    second = services.moderation.draw_sample(
        *APRIL, percent=40, seed=2, supersede_because="The first left out the new team."
    )
    assert second.drawn_now
    assert second.supersedes_id == first.id
    assert second.reason == "The first left out the new team."
    assert services.moderation.sample(*APRIL) == second.__class__(
        **{**second.__dict__, "drawn_now": False}
    )
    assert [s.id for s in services.moderation.samples()] == [second.id, first.id]
    assert audit_trail(services.db, first.id) == ["moderation_sample"]
    assert audit_trail(services.db, second.id) == ["moderation_resample"]


def test_a_kept_sample_cannot_be_changed_or_deleted_in_the_store(
    services: Services, record: Recorder, observers: Observers
) -> None:
    seed_signed(record, observers, {"lead": 5})
    sample = services.moderation.draw_sample(*APRIL, percent=20, seed=1)
    for statement in (
        update(ModerationSample).where(ModerationSample.id == sample.id).values(seed=2),
        update(ModerationSampleItem).values(position=9),
    ):
        refused(services, statement)
    refused(services, ModerationSampleItem.__table__.delete())
    with services.db.session() as s:
        assert s.scalars(select(ModerationSample.seed)).one() == 1


def refused(services: Services, statement: Any) -> None:
    with pytest.raises(DatabaseError, match="append-only"), services.db.session() as s, s.begin():
        s.execute(statement)


def test_bad_terms_and_an_empty_period_are_refused_in_a_sentence(
    services: Services, record: Recorder, observers: Observers
) -> None:
    with pytest.raises(InvalidInput, match="nothing to sample"):
        services.moderation.draw_sample(*APRIL, percent=20)
    with pytest.raises(InvalidInput, match="whole percentage from 1 to 100"):
        services.moderation.draw_sample(*APRIL, percent=0)
    with pytest.raises(InvalidInput, match="ends before it starts"):
        services.moderation.draw_sample(date(2026, 4, 30), date(2026, 4, 1), percent=10)
    with pytest.raises(InvalidInput, match="seed is a whole number"):
        services.moderation.draw_sample(*APRIL, percent=10, seed=-1)
