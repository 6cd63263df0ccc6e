"""Starting again after the team server was restored from a backup.

A restored server has lost what it took after its dump: this laptop's audit events since
then, and its records' later changes. It says so in one of two ways: a pull's cursor from
before the restore is refused (`cursor_epoch`), or a push's audit events no longer follow
on from what it holds (`audit_chain`: the laptop's acknowledged head is ahead of the
server's). The laptop then forgets its cursor and what the server acknowledged, queues its
own records again (as on joining), and syncs once more: the server keeps the events it
holds and takes the rest, each record merges, and what was lost comes back. A chain that
was rewritten on the laptop is still refused the second time, in the server's sentence.
"""

from __future__ import annotations

from observer.store.db import Database
from observer.sync import state
from observer.sync.joining import queue_history

# The server's errors that mean it holds less than this laptop last knew it held.
RESTORED = frozenset({"cursor_epoch", "audit_chain"})


def start_again(db: Database) -> int:
    """Forgets the cursor and the acknowledged audit head, and queues this laptop's own
    records again, in one transaction; returns how many records were queued."""
    with db.session() as s, s.begin():
        joined = state.enrolment(s)
        if joined is None:
            return 0
        state.put(s, **{state.CURSOR: None, state.AUDIT_ACK: None})
        return queue_history(s, joined.person_id)
