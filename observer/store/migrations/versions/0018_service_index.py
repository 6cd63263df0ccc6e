"""An index for the Service section, which counts a period's finished observations across
the service (issue 17).

observations (status, observed_at, kind, framework_id, observed_person_id, id): a period's
observations ready for sign-off or signed, of the kinds, framework version and team
chosen, and the ids their ratings and actions are found by, without reading each record
beside its narrative. Without it SQLite answers "ready or signed, in this quarter" from the
index on status alone (EXPLAIN QUERY PLAN: SEARCH o USING INDEX ix_observations_status),
reading nine in ten of the store's records: the ratings of a quarter and the one before,
at 100,000 observations, took 1.3-1.8 s (load 1.0-1.3 on 2 CPUs); with it 0.5-0.6 s, what
is left being the ratings themselves (some 155,000 of them, read through their index).

Only a new index: no table is rebuilt, so the search triggers of 0009 stay, and an outbox
waiting to be sent is left as it was.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

COLUMNS = ["status", "observed_at", "kind", "framework_id", "observed_person_id", "id"]


def upgrade() -> None:
    op.create_index("ix_observations_service", "observations", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_observations_service", table_name="observations")
