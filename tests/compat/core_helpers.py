"""Old name of tests.support.core, for the command-line tests until they move over."""

from tests.support.core import WHEN, NewDraft, RunCli, Staff, force_status, store_snapshot
from tests.support.fuzz import BUNDLE_VALUES, PLAUSIBLE, json_paths, spoil

__all__ = [
    "BUNDLE_VALUES",
    "PLAUSIBLE",
    "WHEN",
    "NewDraft",
    "RunCli",
    "Staff",
    "force_status",
    "json_paths",
    "spoil",
    "store_snapshot",
]
