"""The sync service: a small, stateless ASGI app (Starlette) in front of PostgreSQL.

    GET  /health                      the schema and protocol versions, for monitoring
    POST /sync/v1/enrol               a one-time code for a laptop's device token
    GET  /sync/v1/pull?after=&limit=  a page of the change feed (observer/server/feed.py)
    POST /sync/v1/push                a laptop's audit chain and changes (observer/server/push.py)

and the same under /sync/v2, whose pull's last page also carries the laptops the caller
may see and when each last synced (observer/server/sightings.py). A laptop of either
protocol is served, so laptops can be upgraded after the server (docs/sync-protocol.md).

Every endpoint but /health and enrol needs `Authorization: Bearer TOKEN`. The service
connects as the service's role, never the tables' owner: each request's transaction names
its caller (database.as_caller), and row-level security decides what it sees.

Anything a request gets wrong is a 4xx with one sentence, `{"error": CODE, "message":
SENTENCE}`; a failure of the server's own is a 500 with a sentence and nothing more. The
log holds ids and the kind of failure, never names, narrative or a database's message
(which can quote a row's values).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, select
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from observer.server import (
    audit_chain,
    enrolment,
    feed,
    push,
    push_request,
    rejoin,
    schema,
    sightings,
)
from observer.server.database import as_caller

log = logging.getLogger("observer.server")

PROTOCOL = "v2"
# The current protocol and the one before it (docs/sync-protocol.md, "Versions").
PROTOCOLS: tuple[str, ...] = ("v1", PROTOCOL)
# An enrolment is a few hundred bytes; a push has its own, larger limit (push_request).
MAX_BODY = 16 * 1024
MAX_TOKEN = 200
MAX_CODE = 100
MAX_LAPTOP_NAME = 200

Handler = Callable[[Request], Awaitable[Response]]
# Alembic's table: the service's role may read it with no caller set (the policy allows it).
_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32)))


class Refused(Exception):
    """A request the service will not do: its status, a code for programs and a sentence."""

    def __init__(
        self, status: int, code: str, message: str, more: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.more = more or {}


def refusal(
    status: int, code: str, message: str, more: dict[str, Any] | None = None
) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = {"error": code, "message": message, **(more or {})}
    return JSONResponse(body, status, headers=headers)


def create_app(engine: Engine) -> Starlette:
    """The service on that engine (connected as the service's role)."""

    def endpoint(handler: Callable[[Request, Engine], Awaitable[Response]]) -> Handler:
        async def run(request: Request) -> Response:
            try:
                protocol = request.path_params.get("protocol")
                if protocol is not None and protocol not in PROTOCOLS:
                    raise Refused(
                        400,
                        "protocol",
                        f"This server speaks {_spoken()}, not "
                        f"{_shown(protocol)}: update Practice Observer on this laptop "
                        "or ask IT about the server.",
                    )
                return await handler(request, engine)
            except Refused as refused:
                return refusal(refused.status, refused.code, refused.message, refused.more)
            except DBAPIError as exc:
                log.error(
                    "database failure on %s: %s %s",
                    request.url.path,
                    type(exc.orig).__name__,
                    getattr(exc.orig, "sqlstate", None),
                )
                return refusal(
                    503, "unavailable", "The team server's database cannot be used just now."
                )
            except Exception as exc:
                log.error("failure on %s: %s", request.url.path, type(exc).__name__)
                return refusal(
                    500, "failure", "The team server failed on this request; its log says when."
                )

        return run

    async def not_found(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            return refusal(405, "method", "That method is not allowed here.")
        return refusal(404, "not_found", "There is nothing at that address on this server.")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(_warm, engine)
        yield
        engine.dispose()

    return Starlette(
        routes=[
            Route("/health", endpoint(_health), methods=["GET"]),
            Route("/sync/{protocol}/enrol", endpoint(_enrol), methods=["POST"]),
            Route("/sync/{protocol}/pull", endpoint(_pull), methods=["GET"]),
            Route("/sync/{protocol}/push", endpoint(_push), methods=["POST"]),
            Route(
                "/sync/{protocol}/{rest:path}",
                endpoint(_unknown),
                methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            ),
        ],
        exception_handlers={404: not_found, 405: not_found},
        lifespan=lifespan,
    )


def _warm(engine: Engine) -> None:
    """Opens the pool's connections before the first laptop comes, each having planned what
    a sync runs. A new PostgreSQL connection reads the catalogue as it first plans each
    statement (row-level security's policies and functions on every table): with 50
    laptops syncing just after a start, the first syncs waited for it, 0.73 s against
    0.36 s once warm. With no caller named, nothing is read but the catalogue."""
    opened: list[Connection] = []
    try:
        for _ in range(engine.pool.size()):  # type: ignore[attr-defined]
            conn = engine.connect()
            opened.append(conn)
            with conn.begin():
                feed.warm(conn)
                sightings.visible(conn)
    except DBAPIError as exc:
        log.warning("could not open the pool's connections at start: %s", type(exc.orig).__name__)
    finally:
        for conn in opened:
            conn.close()


async def _unknown(request: Request, engine: Engine) -> Response:
    if request.path_params["rest"] in ("enrol", "pull", "push"):
        raise Refused(405, "method", "That method is not allowed here.")
    raise Refused(404, "not_found", "There is nothing at that address on this server.")


async def _health(request: Request, engine: Engine) -> Response:
    def read() -> str | None:
        with engine.connect() as conn:
            return _schema_version(conn)

    try:
        version = await run_in_threadpool(read)
    except DBAPIError as exc:
        log.error("health: database failure %s", type(exc.orig).__name__)
        return JSONResponse(
            {"status": "unavailable", "message": "The database cannot be reached."}, 503
        )
    return JSONResponse(
        {"status": "ok", "server_schema": version, "protocol": PROTOCOL, "protocols": PROTOCOLS}
    )


async def _enrol(request: Request, engine: Engine) -> Response:
    fields = {"code": MAX_CODE, "laptop_name": MAX_LAPTOP_NAME}
    # v2 only: a laptop that had joined says which laptop it was (observer/server/rejoin.py).
    optional = ("previous",) if request.path_params["protocol"] != "v1" else ()
    body, more = await _json_body(request, fields, optional)
    code, name = body["code"], " ".join(body["laptop_name"].split())
    if not enrolment.normalised_code(code) or not name:
        raise Refused(400, "invalid", "Give the enrolment code and a name for this laptop.")
    try:
        previous = rejoin.read_previous(more["previous"]) if "previous" in more else None
    except rejoin.BadPrevious as exc:
        raise Refused(400, "fields", str(exc)) from None

    def redeem() -> dict[str, Any] | None:
        with engine.begin() as conn:
            extra: dict[str, Any] = {}
            if previous is None:
                joined = enrolment.redeem(conn, code, name)
            else:
                rejoined = rejoin.redeem(conn, code, name, previous)
                joined = None if rejoined is None else rejoined.joined
                extra = {} if rejoined is None else rejoined.as_json()
            if joined is None:
                return None
            as_caller(conn, joined.laptop_id)
            return {
                "laptop_id": str(joined.laptop_id),
                "token": joined.token,
                **_who(conn, joined.laptop_id),
                "server_schema": _schema_version(conn),
                "protocol": request.path_params["protocol"],
                **extra,
            }

    try:
        joined = await run_in_threadpool(redeem)
    except rejoin.RejoinRefused as exc:
        log.warning(
            "enrolment in place of laptop %s refused: %s", previous and previous.laptop_id, exc.code
        )
        raise Refused(exc.status, exc.code, str(exc)) from None
    if joined is None:
        raise Refused(
            403,
            "code_refused",
            "That enrolment code is not valid: it was mistyped, has been used or has "
            "expired; ask IT for a new one.",
        )
    if previous is None:
        log.info("enrolled laptop %s", joined["laptop_id"])
    else:
        log.info(
            "enrolled laptop %s in place of laptop %s", joined["laptop_id"], previous.laptop_id
        )
    return JSONResponse(joined, 201)


async def _pull(request: Request, engine: Engine) -> Response:
    params = request.query_params
    if set(params) - {"after", "limit"} or any(len(params.getlist(k)) > 1 for k in params):
        raise Refused(400, "invalid", "A pull takes only after=CURSOR and limit=N, once each.")
    try:
        after = feed.Cursor.parse(params.get("after"))
    except feed.BadCursor as exc:
        raise Refused(400, "cursor", str(exc)) from None
    limit = _limit(params.get("limit"))
    token = _token(request)
    v2 = request.path_params["protocol"] != "v1"  # laptops on the last page; settlements

    def read() -> bytes:
        # One read-only snapshot: the laptop is recognised in it, and the page read from it.
        connection = engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        caller: enrolment.Recognised | None = None
        try:
            with connection as conn, conn.begin():
                caller = enrolment.recognise(conn, token) if len(token) <= MAX_TOKEN else None
                if caller is None:
                    raise _unrecognised()
                laptop = caller.laptop_id
                as_caller(conn, laptop)
                page = feed.pull(conn, after, limit, settlements=v2)
                laptops = sightings.visible(conn) if v2 and not page.more else None
        except Exception as exc:
            # Refused, but seen: noted once the snapshot's connection is back in the pool,
            # so that a pull never waits for a second one (every laptop is refused at once
            # after a restore).
            if caller is not None:
                if isinstance(exc, feed.StaleCursor):
                    log.info(
                        "laptop %s: cursor of another epoch, pulls again from the start",
                        caller.laptop_id,
                    )
                _sighted(engine, caller, token)
            raise
        if page.more:
            _sighted(engine, caller, token)
            return page.body
        # The end of the feed: this laptop's sync went through (it pushed first).
        with engine.begin() as conn:
            as_caller(conn, laptop)
            synced = sightings.record_sync(conn)
        if laptops is None:
            return page.body
        for seen in laptops:
            if seen["id"] == str(laptop) and synced is not None:
                seen["last_synced_at"] = synced.isoformat()
        return page.with_part("laptops", laptops).body

    try:
        page = await run_in_threadpool(read)
    except feed.StaleCursor as exc:
        raise Refused(409, "cursor_epoch", str(exc)) from None
    except feed.NotReady as exc:
        log.error("pull refused: the database was restored and not yet migrated")
        raise Refused(503, "restored", str(exc)) from None
    return Response(page, media_type="application/json")


async def _push(request: Request, engine: Engine) -> Response:
    """The audit chain first, in one transaction (409 if it does not follow on, nothing
    written), then each change in its own; every change is answered."""
    if request.query_params:
        raise Refused(400, "invalid", "A push takes no query parameters.")
    body = await _read_json(request, push_request.MAX_BODY)
    token = _token(request)
    settlements = request.path_params["protocol"] != "v1"

    def apply() -> dict[str, Any]:
        # The laptop is recognised in the audit chain's own transaction; a push refused
        # writes nothing but the laptop's sighting.
        with engine.connect() as conn:
            transaction = conn.begin()
            caller = enrolment.recognise(conn, token) if len(token) <= MAX_TOKEN else None
            if caller is None:
                raise _unrecognised()
            laptop = caller.laptop_id
            refused: Refused | None = None
            try:
                events, changes = push_request.read_push(body, settlements=settlements)
                as_caller(conn, laptop)
                head = push.take_audit(conn, laptop, events)
            except (push_request.BadPush, audit_chain.BadAuditEvent) as exc:
                refused = Refused(400, "invalid", str(exc))
            except audit_chain.ChainBroken as exc:
                log.warning(
                    "push from laptop %s refused: its audit chain does not follow on", laptop
                )
                # Where the chain forks, so that a laptop restored from a backup can declare it.
                more = (
                    {"fork": exc.fork.as_json()}
                    if isinstance(exc, audit_chain.ChainForked)
                    else None
                )
                refused = Refused(409, "audit_chain", str(exc), more)
            if refused is None and transaction.is_active:
                transaction.commit()
            elif transaction.is_active:
                transaction.rollback()
        _sighted(engine, caller, token)
        if refused is not None:
            raise refused
        results = [push.apply(engine, laptop, change).as_json() for change in changes]
        return {"results": results, "audit": head}

    return JSONResponse(await run_in_threadpool(apply))


def _limit(given: str | None) -> int:
    if given is None:
        return feed.DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,4}", given) or not 1 <= int(given) <= feed.MAX_LIMIT:
        raise Refused(400, "invalid", f"limit must be a whole number from 1 to {feed.MAX_LIMIT}.")
    return int(given)


def _sighted(engine: Engine, caller: enrolment.Recognised, token: str) -> None:
    """Notes that the laptop was seen, unless it was within the last minute: `last_seen_at`
    is for monitoring, read in days, and a write for every page would double a pull's
    work (the end of a pull notes it with the sync)."""
    if not sightings.seen_lately(caller.last_seen_at):
        with engine.begin() as conn:
            enrolment.authenticate(conn, token)


def _token(request: Request) -> str:
    """The device token the request carries; 401 when it carries none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Refused(
            401, "token", "This request needs the laptop's device token (Authorization: Bearer)."
        )
    return token


def _unrecognised() -> Refused:
    return Refused(
        401,
        "token",
        "This laptop's device token is not recognised: it was revoked or never issued "
        "by this server; enrol the laptop again.",
    )


async def _read_json(request: Request, largest: int) -> Any:
    """The request's JSON, refused (413) once it is longer than `largest` bytes, before it
    is read whole."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != (
        "application/json"
    ):
        raise Refused(415, "content_type", "Send the request as JSON (application/json).")
    declared = request.headers.get("content-length", "")
    if re.fullmatch(r"[0-9]{1,20}", declared) and int(declared) > largest:
        raise _too_large(largest)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > largest:
            raise _too_large(largest)
    try:
        return json.loads(bytes(body), object_pairs_hook=_no_repeats, parse_constant=_no_nan)
    except (ValueError, RecursionError):
        raise Refused(400, "json", "The request is not valid JSON.") from None


async def _json_body(
    request: Request, fields: dict[str, int], optional: tuple[str, ...] = ()
) -> tuple[dict[str, str], dict[str, Any]]:
    """The request's JSON object, with exactly these text fields, each at most so long,
    and those of `optional` it has (checked by the caller)."""
    value = await _read_json(request, MAX_BODY)
    if not isinstance(value, dict):
        raise Refused(400, "json", "The request must be a JSON object.")
    names = ", ".join(fields)
    more = {name: value.pop(name) for name in optional if name in value}
    if set(value) != set(fields):
        raise Refused(400, "fields", f"The request must have exactly these fields: {names}.")
    for field, longest in fields.items():
        if not isinstance(value[field], str):
            raise Refused(400, "fields", f"{field} must be text.")
        if len(value[field]) > longest:
            raise Refused(400, "fields", f"{field} must be at most {longest} characters.")
        if not " ".join(value[field].split()).isprintable():
            raise Refused(400, "fields", f"{field} must be printable text.")
    return value, more


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("a repeated field")
    return found


def _no_nan(constant: str) -> None:
    raise ValueError("not JSON")


def _too_large(largest: int) -> Refused:
    return Refused(413, "too_large", f"The request is larger than {largest} bytes.")


def _who(conn: Connection, laptop: uuid.UUID) -> dict[str, Any]:
    """The caller's person, server role and teams, as they see them."""
    p, r, a, t = schema.people, schema.person_roles, schema.team_assignments, schema.teams
    lt = schema.laptops
    person_id = conn.execute(select(lt.c.person_id).where(lt.c.id == laptop)).scalar_one()
    name = conn.execute(select(p.c.name).where(p.c.id == person_id)).scalar_one_or_none()
    role = conn.execute(select(r.c.role)).scalar_one_or_none()
    teams = conn.execute(
        select(t.c.id, t.c.name).join(a, a.c.team_id == t.c.id).order_by(t.c.name)
    ).all()
    return {
        "person": {"id": str(person_id), "name": name},
        "role": role,
        "teams": [{"id": str(team.id), "name": team.name} for team in teams],
    }


def _schema_version(conn: Connection) -> str | None:
    found: str | None = conn.execute(select(_VERSION.c.version_num)).scalar_one_or_none()
    return found


def _spoken() -> str:
    if len(PROTOCOLS) == 1:
        return f"sync protocol {PROTOCOLS[0]}"
    return f"sync protocols {', '.join(PROTOCOLS[:-1])} and {PROTOCOLS[-1]}"


def _shown(given: str) -> str:
    """A path segment the client sent, short and printable, for a sentence."""
    cleaned = "".join(ch for ch in given[:20] if ch.isalnum() or ch in ".-_")
    return repr(cleaned)
