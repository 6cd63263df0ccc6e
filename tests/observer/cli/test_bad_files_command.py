"""Bad files given to the `observer` command, in-process: exit 2, one line on
stderr, no traceback, and nothing added to the store. (tests/observer/test_bad_input.py
fuzzes the same ways in, in-process.)"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.support.commands import SHIPPED, listing, observer, one_line_error

NOT_JSON = {
    "latin-1": b'{"format": "practice-observer-bundle", "name": "Caf\xe9"}',
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "a 5,000-digit number": b'{"format": ' + b"9" * 5000 + b"}",
}


def _installed(data_dir: Path) -> list[tuple[str, int]]:
    done = observer(data_dir, "frameworks", "list", "--json")
    assert done.returncode == 0, done.stderr
    return [(f["key"], f["version"]) for f in json.loads(done.stdout)]


@pytest.mark.parametrize("content", NOT_JSON.values(), ids=NOT_JSON.keys())
def test_importing_a_file_that_is_not_plain_json_fails_in_one_line(
    tmp_path: Path, content: bytes, store_dir: Path
) -> None:
    path = tmp_path / "handed-over.json"
    path.write_bytes(content)
    data_dir = store_dir

    bundle_line = one_line_error(observer(data_dir, "import", str(path)))
    framework_line = one_line_error(observer(data_dir, "frameworks", "import", str(path)))

    assert "handed-over.json" in bundle_line
    assert "handed-over.json" in framework_line
    assert listing(data_dir) == []


def test_a_framework_whose_prompt_is_not_valid_text_is_not_installed(
    tmp_path: Path, store_dir: Path
) -> None:
    document = json.loads((SHIPPED / "direct-work-practice.json").read_text(encoding="utf-8"))
    document["version"] = 2
    document["standards"][0]["prompts"][0] = "\ud800"
    path = tmp_path / "ours.json"
    path.write_text(json.dumps(document), encoding="utf-8")  # ASCII: "\ud800" as an escape
    data_dir = store_dir

    line = one_line_error(observer(data_dir, "frameworks", "import", str(path)))

    assert line == (
        "observer: ours.json: standards[0].prompts[0] holds characters that are not valid text."
    )
    assert ("direct-work-practice", 2) not in _installed(data_dir)


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    data_dir = tmp_path_factory.mktemp("source") / "data"
    done = observer(data_dir, "demo", "--workers", "3", "--observations", "6", "--seed", "3")
    assert done.returncode == 0, done.stderr
    target = data_dir.parent / "all.json"
    done = observer(data_dir, "export-json", "--plain", "-o", str(target))
    assert done.returncode == 0, done.stderr
    bundle: dict[str, object] = json.loads(target.read_text(encoding="utf-8"))
    return bundle


def test_a_signed_record_changed_after_signing_fails_in_one_line(
    tmp_path: Path, small_bundle: dict[str, object], store_dir: Path
) -> None:
    observations = small_bundle["observations"]
    assert isinstance(observations, list)
    signed = next(o for o in observations if o["status"] == "signed")
    signed["strengths"] = "Written in afterwards."
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(small_bundle), encoding="utf-8")
    data_dir = store_dir

    line = one_line_error(observer(data_dir, "import", str(path)))

    assert "changed.json" in line
    assert "content_hash does not match the record's content" in line
    assert listing(data_dir) == []


def test_an_action_due_before_its_observation_fails_in_one_line_naming_the_field(
    tmp_path: Path, small_bundle: dict[str, object], store_dir: Path
) -> None:
    bundle = copy.deepcopy(small_bundle)  # other tests change the shared one
    observations = bundle["observations"]
    assert isinstance(observations, list)
    place, draft = next(
        (i, o) for i, o in enumerate(observations) if o["status"] != "signed" and o["actions"]
    )
    draft["actions"][0]["due_date"] = "2000-01-03"
    path = tmp_path / "handed-over.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    data_dir = store_dir

    line = one_line_error(observer(data_dir, "import", str(path)))

    assert line.startswith(
        f"observer: handed-over.json: observations[{place}].actions[0].due_date is 2000-01-03, "
        "before the observation's date ("
    )
    assert line.endswith("an action cannot be due before it was agreed.")
    assert listing(data_dir) == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"Dear Jo, the notes you asked for.\n", id="text"),
        pytest.param(bytes(range(256)) * 40, id="random-bytes"),
        pytest.param(b"%PDF-1.7\n" + b"\x00" * 300, id="header-only"),
    ],
)
def test_verifying_something_that_is_not_a_pdf_fails_in_one_line(
    tmp_path: Path, content: bytes, store_dir: Path
) -> None:
    path = tmp_path / "summary.pdf"
    path.write_bytes(content)

    line = one_line_error(observer(store_dir, "verify", str(path)))

    assert line.startswith("observer: summary.pdf ")


def test_verifying_a_folder_or_a_missing_file_fails_in_one_line(
    tmp_path: Path, store_dir: Path
) -> None:
    one_line_error(observer(store_dir, "verify", str(tmp_path)))
    one_line_error(observer(store_dir, "verify", str(tmp_path / "gone.pdf")))
