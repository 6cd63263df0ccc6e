"""A store as schema 0006 wrote it (the revision before the search index), with thousands of
observations, so that upgrading it takes long enough to be interrupted part-way."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from observer.store import encryption
from observer.store.db import MIGRATIONS_DIR, make_engine
from observer.store.encryption import StoreKey

NOW = "2025-03-04 10:00:00.000000"
TEAM = "0000000000000000000000000000aaaa"
WORKER = "0000000000000000000000000000bbbb"
LEAD = "0000000000000000000000000000cccc"
FRAMEWORK = "0000000000000000000000000000dddd"
STANDARD = "0000000000000000000000000000eeee"
LEVEL = "0000000000000000000000000000ffff"

SETUP = [
    (
        "INSERT INTO teams (id, name, manager_id, created_at, updated_at, revision) "
        f"VALUES ('{TEAM}', 'Children in Care', NULL, :now, :now, 1)"
    ),
    *(
        "INSERT INTO people (id, name, role, team_id, staff_reference, active, created_at, "
        f"updated_at, revision) VALUES ('{person}', '{name}', '{role}', '{TEAM}', NULL, 1, "
        ":now, :now, 1)"
        for person, name, role in (
            (WORKER, "Zoë Łukasiewicz", "social_worker"),
            (LEAD, "Ελένη Παππά", "practice_lead"),
        )
    ),
    (
        "INSERT INTO frameworks (id, key, version, name, description, source, in_force_from, "
        "in_force_until, default_kinds, default_roles, definition, content_hash, created_at, "
        f"updated_at, revision) VALUES ('{FRAMEWORK}', 'fixture-framework', 1, "
        "'Fixture framework', '', '', NULL, NULL, '[]', '[]', '{}', '', :now, :now, 1)"
    ),
    (
        "INSERT INTO standards (id, framework_id, code, title, summary, prompts, position, "
        f"created_at, updated_at, revision) VALUES ('{STANDARD}', '{FRAMEWORK}', '1', "
        "'The child''s voice', '', '[]', 0, :now, :now, 1)"
    ),
    (
        "INSERT INTO rating_levels (id, framework_id, code, label, description, position, "
        f"score, created_at, updated_at, revision) VALUES ('{LEVEL}', '{FRAMEWORK}', 'good', "
        "'Good', '', 0, 2, :now, :now, 1)"
    ),
]
OBSERVATION = (
    "INSERT INTO observations (id, observed_person_id, observer_id, framework_id, kind, "
    "observed_at, duration_minutes, case_reference, others_present, family_present, "
    "consent_given_by, consent_how, focus, strengths, development_areas, child_voice, "
    "family_feedback, reflection, overall_level_id, overall_rationale, status, created_at, "
    f"updated_at, revision) VALUES (:id, '{WORKER}', '{LEAD}', '{FRAMEWORK}', 'home_visit', "
    ":observed_at, 60, :case, 'Mother', 1, 'Mother', 'Verbally', 'Hearing the child', "
    f":strengths, '', :voice, '', '', '{LEVEL}', '', 'draft', :now, :now, 1)"
)
RATING = (
    "INSERT INTO ratings (id, observation_id, standard_id, level_id, evidence, created_at, "
    f"updated_at, revision) VALUES (:rating, :id, '{STANDARD}', '{LEVEL}', :evidence, "
    ":now, :now, 1)"
)
WORDS = (
    "Sat on the floor with the children and used the three houses tool; the younger child "
    "put the dog in the house of good things and said nobody shouts there. "
)


def observation_id(number: int) -> str:
    return f"{number:032x}"


def store_at_0006(path: Path, key: StoreKey, observations: int) -> None:
    """A new encrypted store at `path`, at schema 0006, holding `observations` records."""
    engine = make_engine(path, key)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
    engine.dispose()
    connection = encryption.connect(path, key)
    try:
        with connection:
            for sql in SETUP:
                connection.execute(sql, {"now": NOW})
            rows = [
                {
                    "id": observation_id(number),
                    "rating": f"{number:031x}f",
                    "observed_at": f"2025-{1 + number % 12:02d}-{1 + number % 28:02d} 09:00:00",
                    "case": f"CR-{number}",
                    "strengths": f"Record {number}. {WORDS * 3}",
                    "voice": f'A. said "I like my room" ({number})',
                    "evidence": WORDS * 2,
                    "now": NOW,
                }
                for number in range(1, observations + 1)
            ]
            connection.executemany(OBSERVATION, rows)
            connection.executemany(RATING, rows)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def observation_count(path: Path, key: StoreKey) -> int:
    connection = encryption.connect(path, key)
    try:
        return int(connection.execute("SELECT count(*) FROM observations").fetchone()[0])
    finally:
        connection.close()
