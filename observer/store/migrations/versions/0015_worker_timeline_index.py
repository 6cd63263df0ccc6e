"""An index for the worker page and the history PDF, which read a worker's observations
from it alone (issue 18).

observations (observed_person_id, observed_at, id, kind, framework_id, overall_level_id,
status, observer_id): a worker's timeline, and whose the actions of the worker page are,
without reading each observation's record beside its narrative (about two kilobytes each;
a worker observed five hundred times is then read from a dozen pages, not 250). Reading
the history of a worker observed 500 times for the first time after start took 59-68 ms of
processor time before, 50 ms with it (100,000 observations).

Only a new index: no table is rebuilt, so the search triggers of 0009 stay, and an outbox
waiting to be sent is left as it was.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = [
    "observed_person_id",
    "observed_at",
    "id",
    "kind",
    "framework_id",
    "overall_level_id",
    "status",
    "observer_id",
]


def upgrade() -> None:
    op.create_index("ix_observations_person_timeline", "observations", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_observations_person_timeline", table_name="observations")
