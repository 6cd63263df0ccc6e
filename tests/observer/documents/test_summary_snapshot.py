"""A summary's content is read in one snapshot of the store: the record, its signatures
and hash, the laptop's user and the sample flag are as they stood together, whatever
another window commits while it is read."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event

from observer.documents.summary_content import summary_content
from observer.people.profile import current_profile_in
from observer.services import Services
from observer.store.models import Setting
from observer.store.sample import holds_sample_data, mark_sample_store
from observer.store.settings import PROFILE_KEY


def test_what_another_window_commits_mid_read_is_not_mixed_in(
    services: Services, signed_record: uuid.UUID, other_laptop_window: Services
) -> None:
    committed: list[bool] = []

    def meanwhile(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if committed or "FROM observations" not in statement:
            return
        committed.append(True)  # just after the record is read
        with other_laptop_window.db.session() as s, s.begin():
            mark_sample_store(s)
            profile = s.get(Setting, PROFILE_KEY)
            assert profile is not None
            profile.value = {**profile.value, "organisation": "Southshire Council"}

    event.listen(services.db.engine, "after_cursor_execute", meanwhile)
    try:
        content = summary_content(services, signed_record)
    finally:
        event.remove(services.db.engine, "after_cursor_execute", meanwhile)

    assert committed
    assert (content.sample, content.organisation) == (False, "Northshire Council")
    with services.db.session() as s:  # a read after the commit sees it
        profile = current_profile_in(s)
        assert profile is not None
        assert (holds_sample_data(s), profile.organisation) == (True, "Southshire Council")
    again = summary_content(services, signed_record)
    assert (again.sample, again.organisation) == (True, "Southshire Council")
