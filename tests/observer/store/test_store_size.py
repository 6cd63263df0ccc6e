"""How much room the store takes for the records it holds: the search index keeps no copy of
their text, so a store of demo records stays within a bound per 1,000 observations."""

from __future__ import annotations

from observer.demo.generator import generate
from observer.paths import database_path
from observer.search.service import update_index
from observer.services import Services
from observer.store.backup_files import store_size

OBSERVATIONS = 300
# Megabytes per 1,000 observations, for a store of demo records with its search index. A
# store whose index kept its own copy of the text took over 20 here; one with ids as text and
# each record's whole wording at signing (before migration 0011), 17.
BOUND_MB_PER_1000 = 15.0


def test_a_store_of_demo_records_stays_within_its_size_bound(services: Services) -> None:
    generate(services, workers=12, observations=OBSERVATIONS, seed=3)
    update_index(services.db)  # every record in the index, as after the first search
    with services.db.session() as s:
        s.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    size = store_size(database_path(services.data_dir))

    per_1000 = size / 1024**2 / OBSERVATIONS * 1000
    print(f"{per_1000:.2f} MB per 1,000")
    assert per_1000 <= BOUND_MB_PER_1000
