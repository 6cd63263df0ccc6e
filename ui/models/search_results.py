"""Search results: one row per matching observation, best match first, the snippet's
matched words in bold.

User text is escaped before it becomes rich text; only the <b> round each match is ours.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt

from observer.search.service import SearchHit, Snippet
from ui.formatting import uk_date
from ui.models.table import AnyIndex, Column, RecordTableModel

HTML_ROLE = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class RankedHit:
    rank: int  # 1 is the best match
    hit: SearchHit
    html: str  # the snippet as rich text (snippet_html), made once, not at every paint


def snippet_html(snippet: Snippet) -> str:
    """The snippet as rich text: every character escaped, each match in bold."""
    parts: list[str] = []
    position = 0
    for start, end in snippet.highlights:
        parts += [
            html.escape(snippet.text[position:start]),
            "<b>",
            html.escape(snippet.text[start:end]),
            "</b>",
        ]
        position = end
    parts.append(html.escape(snippet.text[position:]))
    return "".join(parts)


SEARCH_COLUMNS: tuple[Column[RankedHit], ...] = (
    Column("Rank", lambda r: str(r.rank), lambda r: r.rank, centred=True),
    Column("Worker", lambda r: r.hit.worker, max_chars=26),
    Column("Date", lambda r: uk_date(r.hit.observed_at), lambda r: r.hit.observed_at.timestamp()),
    Column(
        "Kind",
        lambda r: r.hit.kind.short_label,
        tooltip_text=lambda r: r.hit.kind.label,
        max_chars=34,
    ),
    Column("Found in", lambda r: r.hit.field_label, tooltip=True, max_chars=30),
    Column("Match", lambda r: r.hit.snippet, stretch=True, tooltip=True),
)
MATCH_COLUMN = len(SEARCH_COLUMNS) - 1


class SearchResultsModel(RecordTableModel[RankedHit]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(SEARCH_COLUMNS, parent)

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.set_records(
            [
                RankedHit(rank, hit, snippet_html(hit.marked_snippet))
                for rank, hit in enumerate(hits, start=1)
            ]
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == HTML_ROLE:
            if not index.isValid() or index.column() != MATCH_COLUMN:
                return None
            return self.record(index.row()).html
        return super().data(index, role)
