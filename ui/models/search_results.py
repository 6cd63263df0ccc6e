"""Search results: one row per matching observation, best match first, the snippet's
matched words in bold.

A page of results is shown within a frame, so each row is made whole before it reaches the
GUI thread (`ranked`, on the search's thread): every cell's text, and the snippet cut
into plain and matched pieces, which the results' delegate draws as they are, never as
markup (a snippet holding "<b>" shows it literally).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt

from observer.search.service import SearchHit, Snippet
from ui.formatting import uk_date
from ui.models.table import ANSWERED, AnyIndex, Column, RecordTableModel

# What the results' delegate draws in a cell: its text, or for the match column the
# snippet's pieces.
PAINT_ROLE = Qt.ItemDataRole.UserRole + 3

Segments = tuple[tuple[str, bool], ...]  # (text, whether it matched), in order


@dataclass(frozen=True)
class RankedHit:
    rank: int  # 1 is the best match
    hit: SearchHit
    cells: tuple[str, ...]  # each column's text, as shown
    segments: Segments  # the snippet in pieces, the matched ones marked


def segments(snippet: Snippet) -> Segments:
    """The snippet's text in order, cut where each match starts and ends."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in snippet.highlights:
        if start > position:
            pieces.append((snippet.text[position:start], False))
        if end > start:
            pieces.append((snippet.text[start:end], True))
        position = max(position, end)
    if position < len(snippet.text):
        pieces.append((snippet.text[position:], False))
    return tuple(pieces)


def ranked(hits: Sequence[SearchHit], first_rank: int = 1) -> list[RankedHit]:
    """The rows for `hits`, ranked from `first_rank`. Plain Python: made off the GUI thread."""
    return [
        RankedHit(
            rank,
            hit,
            (
                str(rank),
                hit.worker,
                uk_date(hit.observed_at),
                hit.kind.short_label,
                hit.field_label,
                hit.snippet,
            ),
            segments(hit.marked_snippet),
        )
        for rank, hit in enumerate(hits, start=first_rank)
    ]


SEARCH_COLUMNS: tuple[Column[RankedHit], ...] = (
    Column("Rank", lambda r: r.cells[0], lambda r: r.rank, centred=True),
    Column("Worker", lambda r: r.cells[1], max_chars=26),
    Column("Date", lambda r: r.cells[2], lambda r: r.hit.observed_at.timestamp()),
    Column(
        "Kind",
        lambda r: r.cells[3],
        tooltip_text=lambda r: r.hit.kind.label,
        max_chars=34,
    ),
    Column("Found in", lambda r: r.cells[4], tooltip=True, max_chars=30),
    Column("Match", lambda r: r.cells[5], stretch=True, tooltip=True),
)
MATCH_COLUMN = len(SEARCH_COLUMNS) - 1
_PAINT = int(PAINT_ROLE)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)


class SearchResultsModel(RecordTableModel[RankedHit]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(SEARCH_COLUMNS, parent)

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        self.set_records(ranked(hits))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Asked for by every visible cell at every paint: answered from the row as made.
        if role == _PAINT:
            if not index.isValid():
                return None
            column = index.column()
            record = self.record(index.row())
            return record.segments if column == MATCH_COLUMN else record.cells[column]
        if role == _DISPLAY:
            return self.record(index.row()).cells[index.column()] if index.isValid() else None
        if role not in ANSWERED:
            return None
        return super().data(index, role)
