"""The deployment files the project ships (resources/server/) and docs/server.md, as council
IT would use them: the systemd units pass systemd's own check, the proxies send requests to
the port the service listens on and pass nothing about the client, and every
`observer-server` command the page shows is one the command accepts."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from observer.server.cli import _laptop_json, build_parser
from tests.support import restore

ROOT = Path(__file__).resolve().parents[3]
SERVER = ROOT / "resources" / "server"
DOCS = ROOT / "docs" / "server.md"
COMMAND = Path(sys.executable).parent / "observer-server"


def _serve_defaults() -> tuple[str, int]:
    serve = _subcommands()["serve"]
    found = serve.parse_args([])
    return found.host, found.port


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("observer-server has no commands")


def _unit(name: str) -> dict[str, list[str]]:
    """A unit file's [Service] settings (or its only other section), key to values."""
    settings: dict[str, list[str]] = {}
    section = ""
    for line in (SERVER / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        key, _, value = line.partition("=")
        settings.setdefault(f"{section}{key}", []).append(value)
    return settings


def test_the_sync_unit_runs_the_service_on_loopback_as_its_own_account_hardened() -> None:
    unit = _unit("observer-sync.service")
    service = {k.removeprefix("[Service]"): v for k, v in unit.items() if k.startswith("[Service]")}
    assert service["User"] == ["observer"]
    assert service["EnvironmentFile"] == ["/etc/observer/observer-sync.env"]
    for setting, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "true",
        "PrivateTmp": "true",
        "ProtectHome": "true",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[setting] == [value], setting
    argv = shlex.split(service["ExecStart"][0])
    assert argv[0].endswith("/observer-server")
    given = build_parser().parse_args(argv[1:])
    assert (given.command, given.host, given.port) == ("serve", *_serve_defaults())
    assert given.host == "127.0.0.1"


def test_the_backup_unit_runs_the_script_nightly_as_postgres() -> None:
    service = _unit("observer-backup.service")
    assert service["[Service]User"] == ["postgres"]
    assert service["[Service]ExecStart"] == ["/usr/local/sbin/observer-backup"]
    assert service["[Service]ReadWritePaths"] == ["/var/backups/observer"]
    assert _unit("observer-backup.timer")["[Timer]Persistent"] == ["true"]
    assert os.access(SERVER / "observer-backup", os.X_OK)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_units_and_rates_them_well_protected(tmp_path: Path) -> None:
    # verify checks that each program exists: point them at this checkout's.
    for name in ("observer-sync.service", "observer-backup.service", "observer-backup.timer"):
        text = (SERVER / name).read_text()
        text = text.replace("/opt/observer/.venv/bin/observer-server", str(COMMAND))
        text = text.replace("/usr/local/sbin/observer-backup", str(SERVER / "observer-backup"))
        (tmp_path / name).write_text(text)
    units = sorted(str(path) for path in tmp_path.iterdir())
    done = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
    for name in ("observer-sync.service", "observer-backup.service"):
        rated = subprocess.run(
            ["systemd-analyze", "security", "--offline=yes", str(tmp_path / name)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", rated.stdout)
        assert level is not None, rated.stdout + rated.stderr
        assert float(level[1]) <= 2.0, (name, level[1])


def test_the_proxies_send_everything_to_the_services_port_and_nothing_about_the_client() -> None:
    host, port = _serve_defaults()
    nginx = (SERVER / "nginx-observer.conf").read_text()
    assert re.findall(r"^\s*proxy_pass (\S+);", nginx, re.M) == [f"http://{host}:{port}"]
    assert 'proxy_set_header X-Forwarded-For "";' in nginx
    assert "listen 443 ssl" in nginx
    assert re.search(r"log_format observer[^;]*\$remote_addr", nginx) is None

    caddy = (SERVER / "Caddyfile").read_text()
    assert re.findall(r"^\s*reverse_proxy (\S+)", caddy, re.M) == [f"{host}:{port}"]
    assert "header_up -X-Forwarded-For" in caddy
    assert "request>remote_ip ip_mask" in caddy

    compose = (SERVER / "compose.yaml").read_text()
    assert f'"--port", "{port}"' in compose
    assert re.findall(r"reverse_proxy (\S+)", (SERVER / "compose-Caddyfile").read_text()) == [
        f"sync:{port}"
    ]
    database = compose.split("\n  postgres:\n")[1].split("\n  migrate:\n")[0]
    assert "ports:" not in database


@pytest.mark.skipif(shutil.which("nginx") is None, reason="needs nginx")
def test_nginx_accepts_its_sample(tmp_path: Path) -> None:
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=observer.example.gov.uk", "-keyout", str(key), "-out", str(certificate)],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    site = (SERVER / "nginx-observer.conf").read_text()
    site = site.replace("/etc/ssl/observer/fullchain.pem", str(certificate))
    site = site.replace("/etc/ssl/observer/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"events {{}}\nhttp {{\naccess_log {tmp_path}/access.log;\n{temp}\n"
        f"include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-g", f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


@pytest.mark.skipif(shutil.which("caddy") is None, reason="needs caddy")
@pytest.mark.parametrize("name", ["Caddyfile", "compose-Caddyfile"])
def test_caddy_accepts_its_samples(tmp_path: Path, name: str) -> None:
    sample = (SERVER / name).read_text().replace("/var/log/caddy/", f"{tmp_path}/")
    (tmp_path / "Caddyfile").write_text(sample)
    done = subprocess.run(
        ["caddy", "validate", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")},
    )
    assert done.returncode == 0, done.stderr
    assert "Valid configuration" in done.stdout + done.stderr


def _documented_commands() -> list[str]:
    """Every `observer-server …` in the page's code: its blocks, and its inline code."""
    page = DOCS.read_text()
    found = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", page, re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            # the command itself, not a path ending in its name
            found += re.findall(r"(?:^|\s)(observer-server .*)", line)
    prose = re.sub(r"```.*?```", "", page, flags=re.S)
    found += re.findall(r"`(observer-server [^`]*)`", prose)
    return found


def _options(parser: argparse.ArgumentParser, *, top_only: bool = False) -> set[str]:
    """The options a parser takes, with those of its own subcommands (`retention set …`)."""
    found = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction) and not top_only:
            for sub in action.choices.values():
                found |= _options(sub)
    return found


def test_every_command_the_page_shows_is_one_observer_server_accepts() -> None:
    commands = _subcommands()
    seen = set()
    for line in _documented_commands():
        words = shlex.split(line.split("observer-server ", 1)[1].split("|")[0], comments=True)
        words = [w.strip("[]") for w in words if w not in ("...", "…")]
        names = [w for w in words if not w.startswith("-") and w in commands]
        assert names, f"no command in: {line}"
        command = names[0]
        seen.add(command)
        known = _options(build_parser(), top_only=True) | _options(commands[command])
        for word in words:
            if word.startswith("--"):
                assert word.split("=")[0] in known, f"{word} is not an option of {command}: {line}"
    assert seen == set(commands)


def test_the_page_restores_with_the_commands_the_restore_tests_run() -> None:
    page = DOCS.read_text()
    assert f"createdb {' '.join(restore.CREATEDB)} observer" in page
    assert f"pg_restore {' '.join(restore.PG_RESTORE)} --dbname=observer" in page
    assert " ".join(restore.PG_RESTORE_CLEAN) in " ".join(page.split())
    assert "observer-server migrate" in page.split("### 7. Restoring a backup")[1]


def _laptop(
    seen_days_ago: int | None,
    enrolled_days_ago: int = 60,
    revoked: bool = False,
    synced_days_ago: int | None = -1,  # -1: when it was last seen
) -> dict:
    now = datetime.now(UTC)
    synced = seen_days_ago if synced_days_ago == -1 else synced_days_ago
    return _laptop_json(
        SimpleNamespace(
            id=uuid.uuid4(),
            person_id=uuid.uuid4(),
            person_name="Asha Fernbrook",
            role="practice_lead",
            name="Asha's laptop",
            enrolled_at=now - timedelta(days=enrolled_days_ago),
            last_seen_at=None if seen_days_ago is None else now - timedelta(days=seen_days_ago),
            last_synced_at=None if synced is None else now - timedelta(days=synced),
            revoked_at=now - timedelta(days=50) if revoked else None,
            open_conflicts=0,
            previous_laptop_id=None,
        )
    )


def _check(given: str, days: int = 14) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SERVER / "observer-check-laptops"), "--days", str(days)],
        input=given,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_check_names_laptops_not_synced_for_days_by_id_only() -> None:
    recent, late, never, new, revoked = (
        _laptop(2),
        _laptop(20),
        _laptop(None, enrolled_days_ago=30),
        _laptop(None, enrolled_days_ago=3),
        _laptop(90, revoked=True),
    )
    done = _check(json.dumps([recent, late, never, new, revoked]))
    assert done.returncode == 1
    assert sorted(line.split()[1] for line in done.stdout.splitlines()[:-1]) == sorted(
        [late["id"], never["id"]]
    )
    assert "never" in done.stdout
    assert "Asha" not in done.stdout

    assert _check(json.dumps([recent, new, revoked])).returncode == 0
    assert _check(json.dumps([late]), days=30).returncode == 0

    # Seen this morning, but its syncs have failed for three weeks: it holds unsent records.
    failing = _laptop(0, synced_days_ago=21)
    done = _check(json.dumps([recent, failing]))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith(f"laptop {failing['id']} last synced ")
    assert "1 laptop(s) not synced for more than 14 days" in done.stdout
    refused = _check("No laptop is enrolled yet.")
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
