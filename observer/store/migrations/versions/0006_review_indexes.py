"""Indexes for the manager's review, which reads them without touching the records.

- observations (observed_person_id, observed_at, status, overall_level_id): each worker's
  latest finished overall judgement, for the team overview.
- observations (id, observed_person_id): whose observation an action belongs to, for the
  open and overdue actions of every worker at once.
- actions (status, observation_id, due_date): the open actions, with their due dates.
- ratings (observation_id, standard_id, level_id): a worker's ratings for the trends and
  recurring areas, without reading the evidence beside them (about 850 bytes an
  observation; it halves the time the worker page spends reading ratings).

Only new indexes: no table is rebuilt, so the search triggers of 0007 are untouched.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_observations_person_judgement",
        "observations",
        ["observed_person_id", "observed_at", "status", "overall_level_id"],
    )
    op.create_index(
        "ix_observations_id_person", "observations", ["id", "observed_person_id"], unique=True
    )
    op.create_index("ix_actions_open", "actions", ["status", "observation_id", "due_date"])
    op.create_index(
        "ix_ratings_observation_levels", "ratings", ["observation_id", "standard_id", "level_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_ratings_observation_levels", table_name="ratings")
    op.drop_index("ix_actions_open", table_name="actions")
    op.drop_index("ix_observations_id_person", table_name="observations")
    op.drop_index("ix_observations_person_judgement", table_name="observations")
