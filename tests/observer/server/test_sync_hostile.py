"""Hostile or broken requests to the sync service: each a 4xx with one sentence, nothing
written, nothing leaked; and the service's log holds ids, never names."""

from __future__ import annotations

import logging
import uuid

import psycopg
import pytest
from sqlalchemy import func, select

from observer.server import enrolment, feed, schema
from observer.server.app import MAX_BODY
from tests.support.postgres import SERVICE_ROLE
from tests.support.server import ServerDatabase
from tests.support.sync_client import Service, sentence

ENROL = "/sync/v1/enrol"


@pytest.fixture
def service(server_db: ServerDatabase) -> Service:
    return Service(server_db.service)


def laptops(db: ServerDatabase) -> int:
    with db.owner.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.laptops)).scalar_one()


def a_code(db: ServerDatabase) -> str:
    person = db.person("Priya Shah", role="practice_lead")
    with db.owner.begin() as conn:
        return enrolment.enrol(conn, str(person), "service", []).code


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b'{"code": NaN, "laptop_name": "x"}', 400, "not valid JSON"),
        (b'{"code": "A", "code": "B", "laptop_name": "x"}', 400, "not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, 400, "not valid JSON"),
        (b'["code", "laptop_name"]', 400, "must be a JSON object"),
        (b'{"code": 12345, "laptop_name": "x"}', 400, "code must be text"),
        (b'{"code": "ABCDE", "laptop_name": null}', 400, "laptop_name must be text"),
        (b'{"code": "ABCDE"}', 400, "exactly these fields"),
        (b'{"code": "A", "laptop_name": "x", "admin": true}', 400, "exactly these fields"),
        (b'{"code": "' + b"A" * 101 + b'", "laptop_name": "x"}', 400, "at most 100"),
        (b'{"code": "  ", "laptop_name": "x"}', 400, "Give the enrolment code"),
        (b'{"code": "\xff\xfe", "laptop_name": "x"}', 400, "not valid JSON"),
        (b'{"code": "ABCDE", "laptop_name": "a\\u0000b"}', 400, "printable text"),
        (b'{"code": "ABCDE", "laptop_name": "\\ud800"}', 400, "printable text"),
    ],
)
def test_a_broken_enrolment_is_one_sentence_and_enrols_nothing(
    server_db: ServerDatabase, service: Service, body: bytes, status: int, says: str
) -> None:
    a_code(server_db)
    response = service.request(
        "POST", ENROL, content=body, headers={"Content-Type": "application/json"}
    )
    assert says in sentence(response, status)
    assert laptops(server_db) == 0


def test_a_huge_body_is_refused_before_it_is_read_whole(
    server_db: ServerDatabase, service: Service
) -> None:
    code = a_code(server_db)
    huge = b'{"code": "' + code.encode() + b'", "laptop_name": "' + b"x" * MAX_BODY + b'"}'
    response = service.request(
        "POST", ENROL, content=huge, headers={"Content-Type": "application/json"}
    )
    assert "larger than" in sentence(response, 413)

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(100):
            yield b"x" * 1024

    streamed = service.request(
        "POST", ENROL, content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "larger than" in sentence(streamed, 413)
    assert laptops(server_db) == 0


def test_enrolment_takes_only_json(server_db: ServerDatabase, service: Service) -> None:
    response = service.request("POST", ENROL, data={"code": a_code(server_db), "laptop_name": "x"})
    assert "JSON" in sentence(response, 415)
    assert laptops(server_db) == 0


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("after=abc", "cursor is not one this server gave out"),
        ("after=1.2.3.4", "cursor is not one this server gave out"),
        ("after=99999999999999999999.1", "cursor is not one this server gave out"),
        ("after=-1.0", "cursor is not one this server gave out"),
        ("limit=0", "limit must be a whole number"),
        ("limit=1001", "limit must be a whole number"),
        ("limit=ten", "limit must be a whole number"),
        ("limit=%C2%B2", "limit must be a whole number"),
        ("limit=99999999999999999999", "limit must be a whole number"),
        ("limit=5&limit=6", "only after=CURSOR and limit=N"),
        ("since=1", "only after=CURSOR and limit=N"),
    ],
)
def test_a_bad_cursor_or_limit_is_one_sentence(
    server_db: ServerDatabase, service: Service, query: str, says: str
) -> None:
    token = service.enrol(a_code(server_db)).json()["token"]
    assert says in sentence(service.request("GET", f"/sync/v1/pull?{query}", token=token), 400)


def test_a_protocol_the_server_does_not_serve_is_one_clear_sentence(service: Service) -> None:
    response = service.request("GET", "/sync/v3/pull")
    message = sentence(response, 400)
    assert message.startswith("This server speaks sync protocols v1 and v2, not 'v3'")
    assert response.json()["error"] == "protocol"
    assert "protocols v1 and v2" in sentence(service.enrol_at("v0"), 400)


def test_unknown_addresses_and_methods_are_one_sentence(service: Service) -> None:
    assert "nothing at that address" in sentence(service.request("GET", "/admin"), 404)
    assert "nothing at that address" in sentence(service.request("GET", "/sync/v1/upload"), 404)
    assert "not allowed" in sentence(service.request("GET", "/sync/v1/push"), 405)
    assert "not allowed" in sentence(service.request("DELETE", "/health"), 405)
    assert "not allowed" in sentence(service.request("GET", ENROL), 405)


def test_the_log_holds_ids_never_names_and_failures_leak_nothing(
    server_db: ServerDatabase, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    joined = service.enrol(a_code(server_db), "Priya's laptop").json()
    assert service.pull(joined["token"]).status_code == 200
    # the database going away mid-flight: a sentence, and only the failure's kind logged
    server_db.service.dispose()
    with psycopg.connect(server_db.cluster.conninfo(), autocommit=True) as admin:
        admin.execute(f"ALTER ROLE {SERVICE_ROLE} NOLOGIN")
        try:
            failed = service.pull(joined["token"])
        finally:
            admin.execute(f"ALTER ROLE {SERVICE_ROLE} LOGIN")
    assert "cannot be used just now" in sentence(failed, 503)
    assert "observer_service" not in failed.text
    logged = caplog.text
    assert joined["laptop_id"] in logged
    for secret in ("Priya", joined["token"], SERVICE_ROLE):
        assert secret not in logged
    assert uuid.UUID(joined["laptop_id"])


def test_a_failure_of_the_service_itself_is_a_sentence_and_logs_no_detail(
    server_db: ServerDatabase,
    service: Service,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = service.enrol(a_code(server_db)).json()["token"]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Priya Shah's record of Ada Okafor")

    monkeypatch.setattr(feed, "pull", broken)
    response = service.pull(token)
    assert sentence(response, 500) == "The team server failed on this request; its log says when."
    assert "RuntimeError" in caplog.text
    assert "Priya" not in caplog.text
    assert "Ada" not in response.text


def settling(record: object, **change: object) -> dict[str, object]:
    return {
        "audit": [],
        "changes": [
            {
                "change_id": str(uuid.uuid4()),
                "record_type": "conflict",
                "operations": ["settle"],
                "base_revision": None,
                "base": None,
                "record": record,
                **change,
            }
        ],
    }


@pytest.mark.parametrize(
    ("protocol", "body", "says"),
    [
        ("v1", settling({"id": str(uuid.uuid4()), "resolution": "this"}), "record_type must be"),
        ("v2", settling({"id": str(uuid.uuid4())}), "exactly these fields: id, resolution"),
        ("v2", settling({"id": "x", "resolution": "this"}), "hyphenated UUID"),
        ("v2", settling({"id": str(uuid.uuid4()), "resolution": "mine"}), "one of this"),
        (
            "v2",
            settling({"id": str(uuid.uuid4()), "resolution": "this"}, base_revision=3),
            "no base",
        ),
        (
            "v2",
            settling({"id": str(uuid.uuid4()), "resolution": "this"}, operations=["edit"]),
            "settle",
        ),
        ("v2", settling(None), "exactly these fields"),
    ],
)
def test_a_broken_settlement_is_one_sentence_and_v1_knows_none(
    server_db: ServerDatabase, service: Service, protocol: str, body: object, says: str
) -> None:
    token = service.enrol(a_code(server_db)).json()["token"]
    response = service.request("POST", f"/sync/{protocol}/push", token=token, json=body)
    assert says in sentence(response, 400)
    with server_db.owner.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.applied_changes)).scalar() == 0
