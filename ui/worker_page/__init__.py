"""The worker page: one worker's history before supervision (see page.py)."""

from ui.worker_page.page import WorkerPage

__all__ = ["WorkerPage"]
