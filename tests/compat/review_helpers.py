"""Old name of tests.support.review, for the command-line tests until they move over."""

from tests.support.review import (
    Rated,
    Recorder,
    added_on,
    counted_statements,
    framework_id,
    noon,
    second_version,
    start_asye,
)

__all__ = [
    "Rated",
    "Recorder",
    "added_on",
    "counted_statements",
    "framework_id",
    "noon",
    "second_version",
    "start_asye",
]
