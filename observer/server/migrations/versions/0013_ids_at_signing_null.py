"""A signed record pushed before this release holds `ids_at_signing` as JSON `null` rather
than no value: the service wrote Python's None as JSON. The trigger that keeps signed
records (0004) lets an administrator's merge fill `ids_at_signing` in only where it holds
none, so `observer-server merge-people` refused every such record ("its content cannot
change"). The service now writes no value (schema.py, `none_as_null`); this clears the
JSON `null`s already held, with the signed-record and stamping triggers off for this one
statement (the same nothing, told apart: no content changes, and no laptop need pull the
rows again).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TRIGGERS = ("observer_10_signed", "observer_50_stamp")


def upgrade() -> None:
    for trigger in TRIGGERS:
        op.execute(f"ALTER TABLE observations DISABLE TRIGGER {trigger}")
    op.execute("UPDATE observations SET ids_at_signing = NULL WHERE ids_at_signing = 'null'")
    for trigger in TRIGGERS:
        op.execute(f"ALTER TABLE observations ENABLE TRIGGER {trigger}")


def downgrade() -> None:
    """Nothing to undo: no value and JSON `null` say the same."""
