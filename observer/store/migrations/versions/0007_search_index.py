"""Full-text search: an FTS5 index of every observation's words.

SQLite only (observer/search/sqlite_index.py reads and maintains it); a server database brings its
own index. One row per observation in `search_text`, whose rowid comes from `search_rows`,
so that it never depends on the implicit rowid of `observations` (VACUUM may renumber that).

Triggers keep it in step. A removed observation's row is erased at once, with FTS5's
secure-delete, so its words do not linger in the index. A changed one is only put in the
`search_pending` queue: rewriting a row with secure-delete costs tens of milliseconds in a
large store, too much for every autosave, so the next search rewrites each queued row once.

A later migration that rebuilds `observations` (batch mode copies and drops the table, and
its triggers with it) must create the `search_observation_*` triggers again.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OBSERVATION_FIELDS = (
    "focus",
    "others_present",
    "strengths",
    "development_areas",
    "child_voice",
    "family_feedback",
    "reflection",
    "overall_rationale",
)
# Each child table: the column with its words.
CHILDREN = {"ratings": "evidence", "actions": "description", "addenda": "text"}
COLUMNS = (*OBSERVATION_FIELDS, "evidence", "actions", "addenda")
TRIGGERS = [
    "search_observation_added",
    "search_observation_changed",
    "search_observation_removed",
    *(f"search_{child}_{event}" for child in CHILDREN for event in ("added", "changed", "removed")),
]


def _clean(expression: str) -> str:
    """The text without the two private-use characters that mark matches in snippets."""
    return f"replace(replace({expression}, char(57344), ' '), char(57345), ' ')"


def _every_row() -> str:
    """A SELECT of the index row of every observation."""
    own = [_clean(f"o.{name}") for name in OBSERVATION_FIELDS]
    children = [
        f"(SELECT group_concat({_clean(words)}, char(10)) FROM {child} "
        f"WHERE observation_id = o.id AND {words} <> '')"
        for child, words in CHILDREN.items()
    ]
    return (
        f"SELECT r.rowid, {', '.join(own + children)} "
        "FROM observations o JOIN search_rows r ON r.observation_id = o.id"
    )


def _queue(observation: str) -> str:
    return f"INSERT OR IGNORE INTO search_pending(observation_id) VALUES ({observation}); "


def _triggers() -> list[str]:
    changed = " OR ".join(f"new.{name} IS NOT old.{name}" for name in OBSERVATION_FIELDS)
    statements = [
        "CREATE TRIGGER search_observation_added AFTER INSERT ON observations BEGIN "
        f"{_queue('new.id')}END",
        "CREATE TRIGGER search_observation_changed AFTER UPDATE OF "
        f"{', '.join(OBSERVATION_FIELDS)} ON observations WHEN {changed} BEGIN "
        f"{_queue('new.id')}END",
        "CREATE TRIGGER search_observation_removed AFTER DELETE ON observations BEGIN "
        "DELETE FROM search_text WHERE rowid = "
        "(SELECT rowid FROM search_rows WHERE observation_id = old.id); "
        "DELETE FROM search_rows WHERE observation_id = old.id; "
        "DELETE FROM search_pending WHERE observation_id = old.id; END",
    ]
    for child, words in CHILDREN.items():
        statements += [
            f"CREATE TRIGGER search_{child}_added AFTER INSERT ON {child} "
            f"WHEN new.{words} <> '' BEGIN {_queue('new.observation_id')}END",
            f"CREATE TRIGGER search_{child}_changed AFTER UPDATE OF {words}, observation_id "
            f"ON {child} WHEN new.{words} IS NOT old.{words} "
            f"OR new.observation_id IS NOT old.observation_id BEGIN "
            f"{_queue('old.observation_id')}{_queue('new.observation_id')}END",
            f"CREATE TRIGGER search_{child}_removed AFTER DELETE ON {child} "
            f"WHEN old.{words} <> '' BEGIN {_queue('old.observation_id')}END",
        ]
    return statements


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE search_rows (rowid INTEGER PRIMARY KEY, "
        "observation_id CHAR(32) NOT NULL UNIQUE)"
    )
    op.execute("CREATE TABLE search_pending (observation_id CHAR(32) PRIMARY KEY) WITHOUT ROWID")
    op.execute(
        f"CREATE VIRTUAL TABLE search_text USING fts5({', '.join(COLUMNS)}, "
        "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '3')"
    )
    version = bind.exec_driver_sql("SELECT sqlite_version()").scalar_one()
    if tuple(int(part) for part in str(version).split(".")[:2]) >= (3, 42):
        # A deleted row's words are erased from the index, not just marked as gone.
        op.execute("INSERT INTO search_text(search_text, rank) VALUES ('secure-delete', 1)")
    # Oldest first: the most recently added records get the highest numbers.
    op.execute(
        "INSERT INTO search_rows(observation_id) "
        "SELECT id FROM observations ORDER BY observed_at, id"
    )
    op.execute(f"INSERT INTO search_text(rowid, {', '.join(COLUMNS)}) {_every_row()}")
    for statement in _triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_text")
    op.execute("DROP TABLE IF EXISTS search_pending")
    op.execute("DROP TABLE IF EXISTS search_rows")
