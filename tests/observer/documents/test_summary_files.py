"""Writing a summary file: one sentence naming the folder, and never a partial file."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from observer.documents.summaries import export_summary
from observer.errors import InvalidInput
from observer.services import Services
from tests.support.core import NewDraft
from tests.support.signing import PASSPHRASE


def test_an_unwritable_folder_is_one_sentence_naming_the_folder(
    services: Services, signed_record: uuid.UUID, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mkstemp refuses as it would in a read-only folder (tests may run as root, whom
    file permissions do not stop)."""
    import tempfile

    from observer.errors import ObserverError

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(out / ".Siobhán Walker.partial"))

    prepare = export_summary(services, signed_record, out / "first.pdf", passphrase=PASSPHRASE)
    assert prepare.signed
    monkeypatch.setattr(tempfile, "mkstemp", refuse)

    with pytest.raises(ObserverError) as refused:
        export_summary(services, signed_record, out / "Siobhán Walker.pdf", passphrase=PASSPHRASE)

    assert str(refused.value) == f"The summary could not be written to {out}: Permission denied."
    assert [p.name for p in out.iterdir()] == ["first.pdf"]


def test_a_read_only_folder_is_refused_without_a_partial_file(
    services: Services, new_draft: NewDraft, out: Path
) -> None:
    from observer.errors import ObserverError

    draft = new_draft()
    out.chmod(0o500)
    try:
        probe = out / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("file permissions do not stop this user (root)")
        with pytest.raises(ObserverError) as refused:
            export_summary(services, draft, out / "Siobhán Walker.pdf", passphrase=None)
    finally:
        out.chmod(0o700)

    assert str(refused.value) == f"The summary could not be written to {out}: Permission denied."
    assert list(out.iterdir()) == []


def test_a_failure_while_writing_leaves_no_partial_file(
    services: Services, new_draft: NewDraft, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from observer.errors import ObserverError

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)

    with pytest.raises(ObserverError) as refused:
        export_summary(services, new_draft(), out / "draft.pdf", passphrase=None)

    assert str(refused.value) == (
        f"The summary could not be written to {out}: No space left on device."
    )
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("where", ["under a file", "a folder"])
def test_a_target_that_cannot_be_a_file_is_one_sentence(
    services: Services, new_draft: NewDraft, out: Path, where: str
) -> None:
    note = out / "note.txt"
    note.write_text("not a folder", encoding="utf-8")
    (out / "taken").mkdir()
    target = note / "s.pdf" if where == "under a file" else out / "taken"

    with pytest.raises(InvalidInput) as refused:
        export_summary(services, new_draft(), target, passphrase=None)

    message = str(refused.value)
    assert message == (
        f"{note} is not a folder, so the summary cannot be written there."
        if where == "under a file"
        else f"{target} is a folder; give a file name."
    )
    assert sorted(p.name for p in out.iterdir()) == ["note.txt", "taken"]
    assert list((out / "taken").iterdir()) == []
