"""The observations open in editors are remembered, so a restart after a crash reopens them."""

from __future__ import annotations

import uuid
from pathlib import Path

from observer.records.workspace import OPEN_KEY
from observer.services import Services, open_services
from observer.store.models import Setting
from observer.vocabulary import Status
from tests.support.core import NewDraft, force_status
from tests.support.passphrase import STORE_PASSPHRASE


def test_open_editors_are_remembered_in_the_order_they_were_opened(
    services: Services, new_draft: NewDraft
) -> None:
    first, second, third = new_draft(), new_draft(), new_draft()
    workspace = services.workspace

    for observation in (second, first, third, second):
        workspace.opened(observation)
    workspace.closed(first)
    workspace.closed(uuid.uuid4())  # never opened: nothing happens

    assert workspace.left_open() == [second, third]


def test_what_was_open_survives_the_app_stopping(
    data_dir: Path, services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    services.workspace.opened(draft)
    services.close()  # the app stops without closing its editors

    restarted = open_services(data_dir, STORE_PASSPHRASE)
    try:
        assert restarted.workspace.left_open() == [draft]
    finally:
        restarted.close()


def test_deleted_and_signed_observations_are_not_reopened(
    services: Services, new_draft: NewDraft
) -> None:
    deleted, signed, draft = new_draft(), new_draft(), new_draft()
    for observation in (deleted, signed, draft):
        services.workspace.opened(observation)
    services.recording.delete_draft(deleted)
    force_status(services.db, signed, Status.SIGNED)

    assert services.workspace.left_open() == [draft]


def test_a_damaged_list_does_not_stop_the_app_reopening_the_rest(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    with services.db.session() as s, s.begin():
        s.add(Setting(key=OPEN_KEY, value=["not an id", 42, None, str(draft)]))

    assert services.workspace.left_open() == [draft]
    services.workspace.opened(draft)
    assert services.workspace.left_open() == [draft]
