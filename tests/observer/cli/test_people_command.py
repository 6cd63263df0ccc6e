"""`observer setup`, `profile`, `people` and `demo` refusing a real store, run in-process."""

from __future__ import annotations

from pathlib import Path

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.vocabulary import Role
from tests.support.commands import observer, one_line_error
from tests.support.core import NewDraft

SETUP = ("--role", "practice_lead", "--organisation", "Northshire County Council")


def test_demo_refuses_to_mix_sample_data_into_a_store_of_real_records(
    services: Services, new_draft: NewDraft, data_dir: Path
) -> None:
    new_draft()
    services.close()

    done = observer(data_dir, "demo", "--workers", "2", "--observations", "2")

    assert "give sample data a data folder of its own" in one_line_error(done)


def test_setup_asks_which_person_when_several_share_the_name(
    services: Services, data_dir: Path
) -> None:
    for _ in range(2):
        services.people.add_person(PersonDetails("Sam Okafor", Role.PRACTICE_LEAD))
    services.close()

    done = observer(data_dir, "setup", "--name", "Sam Okafor", *SETUP)

    error = one_line_error(done)
    assert "2 people called 'Sam Okafor' (Practice lead) are in this store" in error
    assert "--person ID" in error


def test_a_correction_needs_someone_set_up(data_dir: Path, services: Services) -> None:
    services.close()
    done = observer(data_dir, "profile", "--correct-name", "Ann Lee")
    assert one_line_error(done) == ("observer: No one is set up as this laptop's user yet.")
