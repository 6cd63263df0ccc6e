"""The tables of an SQLite store's search index, which migrations 0007 and 0009 make by hand.

No model maps them, so schema comparisons (observer/store/migrations/env.py) leave them out;
observer.search.sqlite_index reads and writes them.
"""

from __future__ import annotations

TABLE = "search_text"  # the FTS5 table; FTS5 names its shadow tables after it
WORDS = "search_words"  # the view it reads its text from (external content)
ROWS = "search_rows"
PENDING = "search_pending"


def is_index_table(name: str) -> bool:
    """Whether a table is part of the search index (the FTS5 table, its shadow tables, the
    rowid map, the queue): not an ORM model."""
    return name in (TABLE, WORDS, ROWS, PENDING) or name.startswith(f"{TABLE}_")
