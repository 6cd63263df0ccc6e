"""IT sets a laptop up from the command line: its user, the logo on summaries, timestamps."""

from __future__ import annotations

from pathlib import Path

from tests.support.commands import observer, one_line_error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_setup_records_who_uses_this_laptop(data_dir: Path) -> None:
    done = observer(
        data_dir, "setup", "--name", "Priya Shah", "--role", "practice_lead",
        "--organisation", "Northshire County Council",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "This laptop is used by Priya Shah, Practice lead, Northshire County Council."
    )


def test_a_logo_must_be_a_png_and_can_be_removed(store_dir: Path, tmp_path: Path) -> None:
    logo = tmp_path / "crest.png"
    logo.write_bytes(PNG)
    not_png = tmp_path / "crest.jpg"
    not_png.write_bytes(b"\xff\xd8\xff\xe0 a jpeg")

    assert observer(store_dir, "logo", str(logo)).returncode == 0
    assert (store_dir / "logo.png").read_bytes() == PNG
    assert "is not a PNG image" in one_line_error(observer(store_dir, "logo", str(not_png)))
    assert (store_dir / "logo.png").read_bytes() == PNG
    assert observer(store_dir, "logo", "--remove").returncode == 0
    assert not (store_dir / "logo.png").exists()


def test_a_timestamp_server_must_be_a_web_address(store_dir: Path) -> None:
    assert "is not an http or https address" in one_line_error(
        observer(store_dir, "timestamp-server", "ftp://tsa.example")
    )
    done = observer(store_dir, "timestamp-server", "http://tsa.example/tsr")
    assert done.returncode == 0, done.stderr
    assert "PAdES B-T" in done.stdout
    off = observer(store_dir, "timestamp-server", "--off")
    assert "PAdES B-B" in off.stdout
