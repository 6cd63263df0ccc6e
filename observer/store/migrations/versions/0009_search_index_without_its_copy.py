"""The search index no longer keeps its own copy of every observation's text.

Until now `search_text` stored each indexed row a second time (FTS5's own content table,
a fifth of the store). From here it is an external-content FTS5 table: its text is read,
for snippets, from the view `search_words`, which gathers each observation's words from
the records themselves; the index itself (words, positions) is unchanged, so searches,
ranks and snippets are as before.

FTS5 erases a row's words by being told them again, and with an external content they
must be the words the row was indexed with, not the record's words of now. So a change
no longer only queues the observation in `search_pending`: the first change since the
last search also keeps there a snapshot of the words as indexed (`indexed` is 1; 0 for a
record not yet in the index), before the change is made (BEFORE triggers). The next search
erases each queued row with its snapshot and indexes the record as it is now. A removed
observation's row is erased at once, with the snapshot when it has one, else with the
words it still has (BEFORE DELETE).

The dropped copy leaves its pages free; `observer.store.db` gives them back to the disk
(VACUUM) once the upgrade has committed, as it may not run inside the upgrade's
transaction.

A later migration that rebuilds `observations` or a child table must create the
`search_*` triggers again.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
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
TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '3'"
OLD_TRIGGERS = [
    "search_observation_added",
    "search_observation_changed",
    "search_observation_removed",
    *(f"search_{child}_{event}" for child in CHILDREN for event in ("added", "changed", "removed")),
]
TRIGGERS = OLD_TRIGGERS


def _clean(expression: str) -> str:
    """The text without the two private-use characters that mark matches in snippets."""
    return f"replace(replace({expression}, char(57344), ' '), char(57345), ' ')"


def _words_view() -> str:
    own = [f"{_clean(f'o.{name}')} AS {name}" for name in OBSERVATION_FIELDS]
    children = [
        f"(SELECT group_concat({_clean(words)}, char(10)) FROM {child} "
        f"WHERE observation_id = o.id AND {words} <> '') AS {child_column}"
        for (child, words), child_column in zip(CHILDREN.items(), COLUMNS[-3:], strict=True)
    ]
    return (
        f"CREATE VIEW search_words AS SELECT r.rowid AS search_rowid, "
        f"{', '.join(own + children)} "
        "FROM search_rows r JOIN observations o ON o.id = r.observation_id"
    )


def _queue(observation: str) -> str:
    """Queues the observation, keeping the words it is indexed with when this is its first
    change since the last search (a record not yet indexed is queued with none)."""
    columns = ", ".join(COLUMNS)
    return (
        f"INSERT OR IGNORE INTO search_pending(observation_id, indexed, {columns}) "
        f"SELECT r.observation_id, 1, {', '.join(f'w.{c}' for c in COLUMNS)} "
        "FROM search_rows r JOIN search_words w ON w.search_rowid = r.rowid "
        f"WHERE r.observation_id = {observation} "
        f"AND NOT EXISTS (SELECT 1 FROM search_pending WHERE observation_id = {observation}); "
        "INSERT OR IGNORE INTO search_pending(observation_id, indexed) "
        f"VALUES ({observation}, 0); "
    )


def _erase(observation: str) -> str:
    """Erases the observation's row from the index with the words it was indexed with."""
    columns = ", ".join(COLUMNS)
    return (
        f"INSERT INTO search_text(search_text, rowid, {columns}) "
        f"SELECT 'delete', r.rowid, {', '.join(f'p.{c}' for c in COLUMNS)} "
        "FROM search_pending p JOIN search_rows r ON r.observation_id = p.observation_id "
        f"WHERE p.observation_id = {observation} AND p.indexed; "
        f"INSERT INTO search_text(search_text, rowid, {columns}) "
        f"SELECT 'delete', w.search_rowid, {', '.join(f'w.{c}' for c in COLUMNS)} "
        "FROM search_words w WHERE w.search_rowid = "
        f"(SELECT rowid FROM search_rows WHERE observation_id = {observation}) "
        f"AND NOT EXISTS (SELECT 1 FROM search_pending WHERE observation_id = {observation}); "
    )


def _triggers() -> list[str]:
    changed = " OR ".join(f"new.{name} IS NOT old.{name}" for name in OBSERVATION_FIELDS)
    statements = [
        "CREATE TRIGGER search_observation_added AFTER INSERT ON observations BEGIN "
        "INSERT OR IGNORE INTO search_pending(observation_id, indexed) VALUES (new.id, 0); END",
        "CREATE TRIGGER search_observation_changed BEFORE UPDATE OF "
        f"{', '.join(OBSERVATION_FIELDS)} ON observations WHEN {changed} BEGIN "
        f"{_queue('old.id')}END",
        "CREATE TRIGGER search_observation_removed BEFORE DELETE ON observations BEGIN "
        f"{_erase('old.id')}"
        "DELETE FROM search_rows WHERE observation_id = old.id; "
        "DELETE FROM search_pending WHERE observation_id = old.id; END",
    ]
    for child, words in CHILDREN.items():
        statements += [
            f"CREATE TRIGGER search_{child}_added BEFORE INSERT ON {child} "
            f"WHEN new.{words} <> '' BEGIN {_queue('new.observation_id')}END",
            f"CREATE TRIGGER search_{child}_changed BEFORE UPDATE OF {words}, observation_id "
            f"ON {child} WHEN new.{words} IS NOT old.{words} "
            f"OR new.observation_id IS NOT old.observation_id BEGIN "
            f"{_queue('old.observation_id')}{_queue('new.observation_id')}END",
            f"CREATE TRIGGER search_{child}_removed BEFORE DELETE ON {child} "
            f"WHEN old.{words} <> '' BEGIN {_queue('old.observation_id')}END",
        ]
    return statements


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for trigger in OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE search_text")
    # Every observation gets its row number (the queued ones had none yet), oldest first.
    op.execute("DELETE FROM search_rows WHERE observation_id NOT IN (SELECT id FROM observations)")
    op.execute(
        "INSERT OR IGNORE INTO search_rows(observation_id) "
        "SELECT id FROM observations ORDER BY observed_at, id"
    )
    op.execute("DROP TABLE search_pending")
    op.execute(
        "CREATE TABLE search_pending (observation_id CHAR(32) PRIMARY KEY, "
        f"indexed BOOLEAN NOT NULL, {', '.join(f'{c} TEXT' for c in COLUMNS)})"
    )
    op.execute(_words_view())
    op.execute(
        f"CREATE VIRTUAL TABLE search_text USING fts5({', '.join(COLUMNS)}, "
        f"content = 'search_words', content_rowid = 'search_rowid', {TOKENIZE})"
    )
    version = bind.exec_driver_sql("SELECT sqlite_version()").scalar_one()
    if tuple(int(part) for part in str(version).split(".")[:2]) >= (3, 42):
        op.execute("INSERT INTO search_text(search_text, rank) VALUES ('secure-delete', 1)")
    op.execute("INSERT INTO search_text(search_text) VALUES ('rebuild')")
    for statement in _triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    raise NotImplementedError("The search index is not taken back to keeping its own copy.")
