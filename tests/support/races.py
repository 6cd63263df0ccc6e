"""Another writer arriving at the worst moment: inside this thread's next flush, after its
reads and before its writes, as a second app window or command would."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextmanager
def started_during_flush(
    work: Callable[[], None], waits_for: str
) -> Iterator[list[BaseException | None]]:
    """Starts `work` on another thread at this thread's next flush and checks that it waits
    (it has not finished half a second later). After the block, once `work` has ended, the
    yielded list holds its outcome: None, or the exception it raised."""
    outcome: list[BaseException | None] = []
    other: threading.Thread | None = None

    def run() -> None:
        try:
            work()
            outcome.append(None)
        except BaseException as exc:  # the caller checks the outcome
            outcome.append(exc)

    def start(_session: Session, *_: Any) -> None:
        nonlocal other
        if other is None:
            other = threading.Thread(target=run)
            other.start()
            other.join(0.5)
            assert other.is_alive(), f"the other save did not wait for {waits_for}"

    event.listen(Session, "before_flush", start)
    try:
        yield outcome
    finally:
        event.remove(Session, "before_flush", start)
    assert other is not None, "nothing was flushed"
    other.join(10)
