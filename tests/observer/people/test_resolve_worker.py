"""One way to name a worker, for every command that takes one: the id, the full name, the
staff reference, or a part of the name no one else's has; else one clear sentence."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observer.errors import InvalidInput, NotFound
from observer.people.directory import PersonDetails
from observer.services import Services
from observer.text import searchable
from observer.vocabulary import Role

PEOPLE = {
    "Zoë Łukasiewicz": "NS-104",
    "Sam Patel": "NS-200",
    "Samira Khan": "",
    "Twin Name": "T-1",
    "twin  NAME": "T-2",
}


@pytest.fixture
def ids(services: Services) -> dict[str, uuid.UUID]:
    return {
        name: services.people.add_person(
            PersonDetails(name, Role.SOCIAL_WORKER, staff_reference=reference)
        )
        for name, reference in PEOPLE.items()
    }


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("Zoë Łukasiewicz", "Zoë Łukasiewicz"),
        ("  zoe LUKASIEWICZ ", "Zoë Łukasiewicz"),
        ("lukas", "Zoë Łukasiewicz"),
        ("ns-104", "Zoë Łukasiewicz"),
        ("Sam Patel", "Sam Patel"),
        ("patel", "Sam Patel"),
        ("samira", "Samira Khan"),
        ("khan samira", "Samira Khan"),  # words in any order, as the app's filters
        ("LUK zoe", "Zoë Łukasiewicz"),
        ("T-2", "twin  NAME"),
    ],
)
def test_a_worker_is_found_by_name_part_or_reference(
    services: Services, ids: dict[str, uuid.UUID], typed: str, who: str
) -> None:
    assert services.people.resolve_worker(typed).id == ids[who]


def test_a_worker_is_found_by_id(services: Services, ids: dict[str, uuid.UUID]) -> None:
    for person_id in ids.values():
        assert services.people.resolve_worker(f" {person_id} ").id == person_id


def test_a_full_name_wins_over_a_longer_name_that_contains_it(services: Services) -> None:
    sam = services.people.add_person(PersonDetails("Sam", Role.SOCIAL_WORKER))
    services.people.add_person(PersonDetails("Sam Patel", Role.SOCIAL_WORKER))
    assert services.people.resolve_worker("sam").id == sam


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("Nobody Here", "No one called 'Nobody Here' is in this store."),
        (
            "twin name",
            r"2 people are called 'twin name': Twin Name \(T-1\), twin NAME \(T-2\); give "
            r"more of the name, or one's staff reference or id\.",
        ),
        (
            "sam",
            r"2 people have names containing 'sam': Sam Patel \(NS-200\), Samira Khan "
            r"\(id [-0-9a-f]{36}\); give more of the name, or one's staff reference or id\.",
        ),
        ("   ", r"Name a worker: their name, staff reference or id\."),
    ],
)
def test_no_one_or_several_is_one_sentence_saying_how_to_narrow(
    services: Services, ids: dict[str, uuid.UUID], typed: str, sentence: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.people.resolve_worker(typed)
    assert re.fullmatch(sentence, str(refused.value)), str(refused.value)


def test_an_unknown_id_is_not_found(services: Services) -> None:
    with pytest.raises(NotFound):
        services.people.resolve_worker(str(uuid.uuid4()))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(max_size=30))
def test_any_text_names_one_person_or_is_refused_in_one_sentence(
    services: Services, ids: dict[str, uuid.UUID], typed: str
) -> None:
    try:
        found = services.people.resolve_worker(typed)
    except (InvalidInput, NotFound) as refused:
        sentence = str(refused)
    else:
        sentence = ""
    if sentence:
        assert len(sentence.splitlines()) == 1
        assert sentence.endswith(".")
        return
    folded = searchable(typed)
    assert found.id in ids.values()
    assert folded in searchable(found.name) or folded == searchable(found.staff_reference)
