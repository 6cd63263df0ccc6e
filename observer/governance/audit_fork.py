"""The audit event with which a laptop restored from its own backup says so to the team
server (docs/sync-protocol.md, "After a restore of the laptop").

A restored laptop's trail continues from an older event than the last one the server holds
of it. The laptop does not hide that: it appends this event, naming how many later events
the server held and the last one's hash, and the server opens a new line of the laptop's
chain only when the event says exactly what the server holds. Both sides build the words
with `declaration_detail`, so the server checks the event by equality, parsing nothing.
"""

from __future__ import annotations

# A laptop's action; its record is the laptop and its content hash the server's head.
DECLARED = "restore_declared"
# The action observer.governance.restoring writes into a restored store.
RESTORED = "restore"


def declaration_detail(continues_from: int, held_to: int) -> str:
    later = held_to - continues_from
    events = "event" if later == 1 else "events"
    return (
        f"restored from a backup; the team server held {later} later {events} of this "
        f"laptop ({continues_from + 1} to {held_to}); this trail continues from event "
        f"{continues_from}"
    )
