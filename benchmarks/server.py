"""The team server's figures, on a real PostgreSQL 15 and a real `observer-server serve`.

    .venv/bin/python benchmarks/server.py [--observations 1000000] [--workers 20000]
        [--runs 3] [--output docs/performance.md]

Starts a throwaway cluster (tests/support/postgres.py), migrates it, seeds it
(benchmarks/server_seed.py: 1,000,000 fictional observations of 20,000 workers by
default; a million took 21 minutes on 2 cores at load 12-13 (other test runs beside it),
of which the seed's own Python used about 5.5 minutes of CPU, so a few minutes on a quiet
machine; `--keep DIR` keeps the seeded cluster for the next run), enrols laptops, starts
the sync service on 127.0.0.1 as `observer-server serve` runs it by default (a worker
process for each CPU, at most 4), and measures over HTTP:

- **first sync of a team manager's laptop** whose scope holds about 5,000 observations:
  the whole pull feed, page after page until `more` is false, each page read and parsed
  as JSON. Floor: the same rows read by the leanest means of the same stack, a bare
  psycopg `COPY (SELECT …) TO STDOUT` of each table the feed draws on, as the service's
  role with the same laptop named as the caller (row-level security on), in one
  repeatable-read transaction. Median of `--runs`, interleaved. The laptop's applying of
  the pages (observer/sync, being built) is not timed yet: `first_sync` takes an
  `apply` callback for when it is.
- **one edited draft, end to end on loopback**: its writer's laptop pushes the edit
  (`POST /sync/v2/push`, in the protocol laptops speak, with the audit event of the edit,
  based on the copy it last pulled), then the team manager's laptop pulls from the cursor
  of its previous sync until the record has arrived. p95 of 20.
- **50 laptops syncing at once**: 50 enrolled laptops of different people and roles
  (team managers, practice leads, two service-wide roles), each a thread with its own
  HTTP connection, each doing a whole sync: a practice lead's laptop pushes an edited
  draft of its own, then every laptop pulls until `more` is false, from the cursor its
  first sync would have ended with (the snapshot's xmin, as the feed gives it), after 100
  records across the service were also edited on the server; three rounds. Errors must be
  none, p95 of the 150 syncs at most 1 s.
- **peak memory of the service** (VmHWM of its process at the end).

Writes a "Team server" section into docs/performance.md (kept when benchmarks/run.py
rewrites the rest) and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from benchmarks import server_seed  # noqa: E402
from benchmarks.harness import Measurement, median, percentile, table  # noqa: E402
from observer.sync.client import PROTOCOL  # noqa: E402
from tests.support.postgres import OWNER_ROLE, SERVICE_ROLE, Cluster, free_port  # noqa: E402

DATABASE = "observer"
OBSERVATIONS = 1_000_000
WORKERS = 20_000
SCOPE = 5000  # observations in the benchmark manager's scope
FIRST_SYNC_TARGET = 3.0  # × floor
END_TO_END_TARGET_MS = 300.0
CONCURRENT_TARGET_S = 1.0
LAPTOPS = 50
ROUNDS = 3
EDITS_PER_ROUND = 100
PAGE = 200  # the feed's default page, as a laptop asks for it
DEFAULT_OUTPUT = ROOT / "docs" / "performance.md"
SECTION = "## Team server"
CLUSTER_SETTINGS = {
    "shared_buffers": "512MB",
    "max_connections": "100",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "30min",
}
# What the floor reads: the caller's rows of every table a first sync carries, each by the
# leanest query: the observations found through the same indexes the feed uses (its
# narrowing of a lead's or manager's scope), their parts through their observations.
SCOPE_SQL = (
    "observer_id = (SELECT observer_caller_person()) OR observed_person_id = ANY(ARRAY("
    "SELECT p.id FROM people p WHERE p.team_id = ANY(observer_caller_teams())))"
)
SEEN = f"SELECT id FROM observations WHERE {SCOPE_SQL}"
FLOOR_QUERIES = (
    "SELECT * FROM teams",
    "SELECT * FROM people",
    "SELECT * FROM frameworks",
    "SELECT * FROM standards",
    "SELECT * FROM rating_levels",
    f"SELECT * FROM observations WHERE {SCOPE_SQL}",
    f"SELECT * FROM ratings WHERE observation_id IN ({SEEN})",
    f"SELECT * FROM actions WHERE observation_id IN ({SEEN})",
    "SELECT * FROM action_standards WHERE action_id IN "
    f"(SELECT id FROM actions WHERE observation_id IN ({SEEN}))",
    f"SELECT * FROM signatures WHERE observation_id IN ({SEEN})",
    f"SELECT * FROM addenda WHERE observation_id IN ({SEEN})",
    "SELECT * FROM tombstones",
)


@dataclass
class Laptop:
    id: uuid.UUID
    token: str
    role: str
    person: uuid.UUID


@dataclass
class Server:
    cluster: Cluster
    seeded: server_seed.Seeded
    process: subprocess.Popen[bytes]
    base_url: str

    def owner(self) -> str:
        return self.cluster.conninfo(OWNER_ROLE, DATABASE)

    def service(self) -> str:
        return self.cluster.conninfo(SERVICE_ROLE, DATABASE)


def enrol(conninfo: str, person: uuid.UUID, role: str, teams: list[uuid.UUID]) -> Laptop:
    """A laptop enrolled as `observer-server enrol` and a redeemed code would leave it."""
    token = secrets.token_urlsafe(32)
    with psycopg.connect(conninfo) as conn:
        conn.execute(
            "INSERT INTO person_roles (person_id, role) VALUES (%s, %s) "
            "ON CONFLICT (person_id) DO NOTHING",
            (person, role),
        )
        for team in teams:
            conn.execute(
                "INSERT INTO team_assignments (person_id, team_id) VALUES (%s, %s) "
                "ON CONFLICT DO NOTHING",
                (person, team),
            )
        laptop = conn.execute(
            "INSERT INTO laptops (person_id, name, token_hash) VALUES (%s, %s, %s) RETURNING id",
            (person, "Benchmark laptop", hashlib.sha256(token.encode()).digest()),
        ).fetchone()
    assert laptop is not None
    return Laptop(laptop[0], token, role, person)


MARKER = "benchmark-server.json"


def _seeded_cluster(
    observations: int, workers: int, seed: int, keep: Path | None
) -> tuple[Cluster, server_seed.Seeded]:
    """A cluster migrated and seeded with these sizes: made anew, or, with `keep`, the one
    kept there when it was seeded with the same sizes (a seed of 1,000,000 takes long)."""

    wanted = {"observations": observations, "workers": workers, "seed": seed}
    if keep is not None:
        marker = keep / MARKER
        if marker.exists():
            kept = json.loads(marker.read_text())
            if {k: kept.get(k) for k in wanted} == wanted and "seeded" in kept:
                cluster = Cluster.start(CLUSTER_SETTINGS, directory=keep)
                _migrate(cluster)  # to this version's schema, as IT would after an upgrade
                _revoke_earlier_laptops(cluster)
                return cluster, server_seed.Seeded.from_json(kept["seeded"])
            _remove_kept(keep)  # other sizes, or a seed cut short
        elif keep.exists() and any(keep.iterdir()):
            raise SystemExit(f"{keep} holds files this command did not make; give an empty folder.")
        keep.mkdir(parents=True)
        if os.getuid() == 0:
            shutil.chown(keep, "postgres", "postgres")
    cluster = Cluster.start(CLUSTER_SETTINGS, directory=keep)
    if keep is not None:
        (keep / MARKER).write_text(json.dumps(wanted))  # ours, even if cut short
    try:
        with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN")
            conn.execute(f"CREATE ROLE {SERVICE_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
            conn.execute(f"CREATE DATABASE {DATABASE} OWNER {OWNER_ROLE}")
        _migrate(cluster)
        print(f"Seeding {observations:,} observations of {workers:,} workers…", flush=True)
        owner = cluster.conninfo(OWNER_ROLE, DATABASE)
        seeded = server_seed.seed(owner, observations, workers, seed)
        print(f"Seeded in {seeded.seconds:.0f} s.", flush=True)
    except BaseException:
        cluster.stop()
        raise
    if keep is not None:
        (keep / MARKER).write_text(json.dumps({**wanted, "seeded": seeded.to_json()}))
    return cluster, seeded


def _revoke_earlier_laptops(cluster: Cluster) -> None:
    """Revokes the laptops earlier runs enrolled in a kept cluster, as IT revokes laptops
    no longer in use: each run enrols its own, and a service-wide caller's last page
    carries every unrevoked laptop, so they would pile up run after run."""
    with psycopg.connect(cluster.conninfo(OWNER_ROLE, DATABASE)) as conn:
        conn.execute("UPDATE laptops SET revoked_at = now() WHERE revoked_at IS NULL")


def _remove_kept(keep: Path) -> None:
    """Stops a server left running in a kept folder (its benchmark was killed), and removes
    the folder."""
    stale = Cluster(keep)
    if os.getuid() == 0:
        stale._as_user = ["runuser", "-u", "postgres", "--"]
    stale.stop()


def _migrate(cluster: Cluster) -> None:
    from observer.server.database import database_url, make_engine
    from observer.server.migrate import migrate

    engine = make_engine(database_url(cluster.url(OWNER_ROLE, DATABASE)))
    try:
        migrate(engine, SERVICE_ROLE)
    finally:
        engine.dispose()


@contextmanager
def running(
    observations: int, workers: int, seed: int, keep: Path | None = None
) -> Iterator[Server]:
    cluster, seeded = _seeded_cluster(observations, workers, seed, keep)
    process = None
    try:
        port = free_port()
        script = Path(sys.executable).with_name("observer-server")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "observer.server"]
        env = {**os.environ, "OBSERVER_SERVER_DATABASE": cluster.url(SERVICE_ROLE, DATABASE)}
        process = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{port}"
        _wait_healthy(base_url, process)
        yield Server(cluster, seeded, process, base_url)
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        cluster.stop(remove=keep is None)


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("observer-server serve stopped at start")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("observer-server serve did not answer /health within 60 s")


def sync(
    client: httpx.Client,
    laptop: Laptop,
    after: str | None = None,
    apply: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[str, int]:
    """Pulls until `more` is false, as a laptop does; the last cursor and the observations
    received. `apply` is handed each page (the laptop's store, when observer/sync has it)."""
    received = 0
    headers = {"Authorization": f"Bearer {laptop.token}"}
    while True:
        params: dict[str, Any] = {"limit": PAGE}
        if after is not None:
            params["after"] = after
        response = client.get(f"/sync/{PROTOCOL}/pull", params=params, headers=headers)
        response.raise_for_status()
        page = response.json()
        received += len(page["observations"])
        if apply is not None:
            apply(page)
        after = page["cursor"]
        if not page["more"]:
            return after, received


def copy_floor(conninfo: str, laptop: Laptop) -> int:
    """The floor: the caller's rows of every table the feed draws on, by COPY TO STDOUT;
    the bytes read."""
    read = 0
    with psycopg.connect(conninfo) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        conn.execute("SELECT set_config('observer.laptop_id', %s, true)", (str(laptop.id),))
        with conn.cursor() as cur:
            for query in FLOOR_QUERIES:
                with cur.copy(f"COPY ({query}) TO STDOUT") as copy:
                    for data in copy:
                        read += len(data)
    return read


def scope_of(conninfo: str, laptop: Laptop) -> int:
    with psycopg.connect(conninfo) as conn:
        conn.execute("SELECT set_config('observer.laptop_id', %s, true)", (str(laptop.id),))
        found = conn.execute("SELECT count(*) FROM observations").fetchone()
    return int(found[0]) if found else 0


def current_cursor(conninfo: str) -> str:
    """The cursor a whole sync ending now is given (feed.pull: the feed's epoch and the
    snapshot's xmin)."""
    with psycopg.connect(conninfo) as conn:
        found = conn.execute(
            "SELECT observer_epoch(), pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
        ).fetchone()
    assert found is not None
    return f"{found[0]}.{found[1]}.0"


def _manager_of_scope(server: Server) -> Laptop:
    """The team manager whose scope is nearest SCOPE observations."""
    with psycopg.connect(server.owner()) as conn:
        counts = conn.execute(
            "SELECT p.team_id, count(*) FROM observations o "
            "JOIN people p ON p.id = o.observed_person_id GROUP BY p.team_id"
        ).fetchall()
    team = min(counts, key=lambda row: abs(row[1] - SCOPE))[0]
    index = server.seeded.teams.index(team)
    return enrol(server.owner(), server.seeded.managers[index], "team_manager", [team])


def measure_first_sync(server: Server, laptop: Laptop, runs: int) -> Measurement:
    scope = scope_of(server.service(), laptop)
    syncs, floors = [], []
    received = 0
    with httpx.Client(base_url=server.base_url, timeout=120) as client:
        sync(client, laptop)  # warms the caches, as the floor's first run does
        copy_floor(server.service(), laptop)
        for _ in range(runs):
            started = time.perf_counter()
            _, received = sync(client, laptop)
            syncs.append(time.perf_counter() - started)
            started = time.perf_counter()
            size = copy_floor(server.service(), laptop)
            floors.append(time.perf_counter() - started)
    assert received == scope, (received, scope)
    return Measurement(
        f"First sync of a team manager's laptop, {scope:,} observations in scope",
        median(syncs),
        "s",
        FIRST_SYNC_TARGET,
        floor=median(floors),
        how=f"median of {runs}, pages of {PAGE} until `more` is false, what the service "
        f"sends over HTTP (the laptop's writing of it into its encrypted store is not "
        f"included); floor: COPY TO STDOUT of the same rows as "
        f"the service's role, {size / 1024 / 1024:.0f} MB",
    )


def _edit(conninfo: str, observation: uuid.UUID, round_: int) -> None:
    with psycopg.connect(conninfo) as conn:
        conn.execute(
            "UPDATE observations SET focus = %s, revision = revision + 1 WHERE id = %s",
            (f"Agreed focus, revised ({round_}).", observation),
        )


class Writer:
    """A practice lead's laptop with one draft of theirs, as its last pull left it (the base
    its outbox sends), and its audit chain: each `push` sends the draft edited once more,
    with the audit event of that edit, as observer/sync does."""

    def __init__(self, server: Server, laptop: Laptop, draft: uuid.UUID) -> None:
        from tests.support.push import Chain

        self.laptop = laptop
        self.chain = Chain()
        self.base = _documents(server.service(), laptop, [draft])[0]
        self.edits = 0

    def push(self, client: httpx.Client) -> None:
        from tests.support.push import change, edited

        self.edits += 1
        # Named for this laptop: a kept cluster holds the drafts earlier runs pushed, and
        # the same words again would be answered "unchanged".
        focus = f"Agreed focus, revised on laptop {self.laptop.id.hex[:8]} ({self.edits})."
        record = edited(self.base, focus=focus)
        audit = self.chain.add(1, "edit")
        audit[0]["record_id"] = record["id"]
        audit[0]["event_hash"] = _rehash(audit[0])
        response = client.post(
            f"/sync/{PROTOCOL}/push",
            json={"audit": audit, "changes": [change(record, "edit", base=self.base)]},
            headers={"Authorization": f"Bearer {self.laptop.token}"},
        )
        response.raise_for_status()
        (answer,) = response.json()["results"]
        if answer["outcome"] not in ("updated", "merged"):
            raise RuntimeError(f"push answered {answer['outcome']}: {answer['message']}")
        self.base = {**record, "server_revision": answer["server_revision"]}


def _rehash(event: dict[str, Any]) -> str:
    from tests.support.push import hash_of

    return hash_of(event)


def _documents(conninfo: str, laptop: Laptop, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """Observations as the feed carries them to this laptop."""
    from observer.server import feed
    from observer.server.database import as_caller, database_url, make_engine

    engine = make_engine(database_url(_url(conninfo)))
    try:
        with engine.begin() as conn:
            as_caller(conn, laptop.id)
            return feed.observation_documents(conn, ids)
    finally:
        engine.dispose()


def _url(conninfo: str) -> str:
    parts = dict(item.split("=", 1) for item in conninfo.split())
    return f"postgresql://{parts['user']}@{parts['host']}:{parts['port']}/{parts['dbname']}"


def _writer_in_scope(server: Server, manager: Laptop) -> Writer:
    """The writer of a draft the manager sees, with a laptop of theirs."""
    with psycopg.connect(server.service()) as conn:
        conn.execute("SELECT set_config('observer.laptop_id', %s, true)", (str(manager.id),))
        found = conn.execute(
            "SELECT id, observer_id FROM observations WHERE status = 'draft' ORDER BY id LIMIT 1"
        ).fetchone()
    assert found is not None
    draft, lead = found
    laptop = enrol(server.owner(), lead, "practice_lead", server.seeded.leads_teams.get(lead, []))
    return Writer(server, laptop, draft)


def measure_end_to_end(server: Server, manager: Laptop, runs: int = 20) -> Measurement:
    """A draft edited on its writer's laptop, pushed, then pulled by the manager's laptop
    (from the cursor of its previous sync) until it has arrived."""
    writer = _writer_in_scope(server, manager)
    times = []
    with (
        httpx.Client(base_url=server.base_url, timeout=30) as lead,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        cursor, _ = sync(client, manager)
        for n in range(runs + 1):
            started = time.perf_counter()
            writer.push(lead)
            cursor, received = sync(client, manager, cursor)
            if n:  # the first warms the connections
                times.append((time.perf_counter() - started) * 1000)
            assert received == 1, received
    return Measurement(
        "One edited draft pushed and pulled end to end on loopback",
        percentile(times, 0.95),
        "ms",
        END_TO_END_TARGET_MS,
        how=f"p95 of {runs}: the writer's laptop pushes the edit with its audit event, the "
        "manager's laptop pulls until it has it",
    )


def _laptops_of_every_role(server: Server, count: int) -> list[Laptop]:
    seeded = server.seeded
    laptops = []
    services = 2
    managers = min(len(seeded.managers), (count - services) // 2)
    for i in range(managers):
        laptops.append(enrol(server.owner(), seeded.managers[i], "team_manager", [seeded.teams[i]]))
    leads = seeded.leads[: count - services - managers]
    for lead in leads:
        laptops.append(enrol(server.owner(), lead, "practice_lead", seeded.leads_teams[lead]))
    for lead in seeded.leads[len(leads) : len(leads) + services]:
        laptops.append(enrol(server.owner(), lead, "service", []))
    return laptops


def measure_concurrent(server: Server, count: int = LAPTOPS) -> Measurement:
    laptops = _laptops_of_every_role(server, count)
    cursors = {laptop.id: current_cursor(server.owner()) for laptop in laptops}
    writers = _writers(server, laptops)
    with psycopg.connect(server.owner()) as conn:
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM observations WHERE status <> 'signed' ORDER BY id LIMIT %s",
                (EDITS_PER_ROUND * ROUNDS,),
            )
        ]
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one(laptop: Laptop, client: httpx.Client) -> None:
        try:
            with client:
                started = time.perf_counter()
                if laptop.id in writers:
                    writers[laptop.id].push(client)
                cursors[laptop.id], _ = sync(client, laptop, cursors[laptop.id])
                elapsed = time.perf_counter() - started
            with lock:
                times.append(elapsed)
        except Exception as exc:  # every failure is counted, none stops the others
            with lock:
                errors.append(type(exc).__name__)

    for round_ in range(ROUNDS):
        for observation in ids[round_ * EDITS_PER_ROUND : (round_ + 1) * EDITS_PER_ROUND]:
            _edit(server.owner(), observation, round_)
        # Each laptop's HTTP client is made before the round starts: making one costs about
        # 30 ms of CPU (httpx builds a TLS context even for plain HTTP), which 50 threads
        # would otherwise spend on the server's two cores while the first syncs run.
        clients = [httpx.Client(base_url=server.base_url, timeout=60) for _ in laptops]
        threads = [
            threading.Thread(target=one, args=(laptop, client))
            for laptop, client in zip(laptops, clients, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    figure = percentile(times, 0.95) if times and not errors else float("inf")
    return Measurement(
        f"{len(laptops)} laptops syncing at once, each a whole sync",
        figure,
        "s",
        CONCURRENT_TARGET_S,
        how=f"p95 of {len(times)} syncs in {ROUNDS} rounds, {len(errors)} errors; "
        f"{len(writers)} of them push an edited draft of their own first, and "
        f"{EDITS_PER_ROUND} records are edited on the server before each round; roles: "
        + ", ".join(f"{sum(1 for lt in laptops if lt.role == r)} {r}" for r in _roles(laptops)),
    )


def _writers(server: Server, laptops: list[Laptop]) -> dict[uuid.UUID, Writer]:
    """A draft of each practice lead's own, for their laptop to push."""
    leads = [laptop for laptop in laptops if laptop.role == "practice_lead"]
    with psycopg.connect(server.owner()) as conn:
        drafts = dict(
            conn.execute(
                "SELECT DISTINCT ON (observer_id) observer_id, id FROM observations "
                "WHERE status = 'draft' AND observer_id = ANY(%s) ORDER BY observer_id, id",
                ([laptop.person for laptop in leads],),
            ).fetchall()
        )
    return {
        laptop.id: Writer(server, laptop, drafts[laptop.person])
        for laptop in leads
        if laptop.person in drafts
    }


def _roles(laptops: list[Laptop]) -> list[str]:
    return sorted({laptop.role for laptop in laptops})


def peak_memory(process: subprocess.Popen[bytes]) -> Measurement:
    """The service's peak resident memory: its worker processes' and their parent's
    together (each one's VmHWM, read at the end)."""
    pids = [process.pid, *_children(process.pid)]
    peaks_kb = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks_kb.append(
            next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
        )
    return Measurement(
        "Peak memory of the sync service (VmHWM at the end)",
        sum(peaks_kb) / 1024,
        "MB",
        None,
        how=f"{len(pids)} processes together (uvicorn's parent, its workers and "
        "multiprocessing's resource tracker): "
        + ", ".join(f"{kb / 1024:.0f}" for kb in peaks_kb)
        + " MB; no target set by the issue",
    )


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def measure(
    observations: int, workers: int, runs: int, seed: int = 1, keep: Path | None = None
) -> dict[str, Any]:
    started = time.perf_counter()
    with running(observations, workers, seed, keep) as server:
        manager = _manager_of_scope(server)
        measurements = [
            measure_first_sync(server, manager, runs),
            measure_end_to_end(server, manager),
            measure_concurrent(server),
        ]
        measurements.append(peak_memory(server.process))
        seeded = server.seeded
    return {
        "measurements": measurements,
        "seeded": seeded,
        "seconds": time.perf_counter() - started,
    }


def section(result: dict[str, Any], command: str) -> str:
    seeded: server_seed.Seeded = result["seeded"]
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            SECTION,
            "",
            "Written by `benchmarks/server.py` (or `benchmarks/run.py --server`):",
            "",
            "```sh",
            command,
            "```",
            "",
            f"Measured {when} at commit {commit or 'unknown'} on {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"{memory:.0f} GiB, PostgreSQL 15 on the same machine; load average {load} at the "
            f"end. Server: {seeded.observations:,} fictional observations "
            f"({seeded.ratings:,} ratings, {seeded.actions:,} actions, {seeded.signatures:,} "
            f"signatures) of {len(seeded.teams) * server_seed.TEAM_SIZE:,} workers in "
            f"{len(seeded.teams)} teams, seeded in {seeded.seconds:.0f} s; the whole run took "
            f"{result['seconds'] / 60:.0f} min.",
            "",
            table(result["measurements"]),
            "",
            "How each figure is taken, and what its floor is, is in the docstring of "
            "`benchmarks/server.py`.",
            "",
        ]
    )


def write_section(path: Path, text: str) -> None:
    """Puts the Team server section into the page, in place of any before it."""
    page = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    page = without_section(page).rstrip("\n") + "\n\n" + text
    path.write_text(page, encoding="utf-8")


def without_section(page: str) -> str:
    start = page.find(SECTION)
    if start < 0:
        return page
    end = page.find("\n## ", start + len(SECTION))
    return page[:start] + (page[end + 1 :] if end >= 0 else "")


def kept_section(page: str) -> str:
    """The Team server section of a page, for run.py to keep when it rewrites the rest."""
    start = page.find(SECTION)
    if start < 0:
        return ""
    end = page.find("\n## ", start + len(SECTION))
    return page[start : end + 1 if end >= 0 else len(page)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=OBSERVATIONS)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--runs", type=int, default=3, help="first syncs timed")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the seeded cluster in this folder and reuse it next time (same sizes)",
    )
    parser.add_argument("--seed-only", action="store_true", help="with --keep: seed, then stop")
    args = parser.parse_args(argv)
    if args.seed_only:
        if args.keep is None:
            parser.error("--seed-only needs --keep")
        _seeded_cluster(args.observations, args.workers, 1, args.keep)[0].stop(remove=False)
        return 0
    result = measure(args.observations, args.workers, args.runs, keep=args.keep)
    print(table(result["measurements"]))
    command = " ".join([".venv/bin/python benchmarks/server.py", *argv])
    write_section(args.output, section(result, command))
    print(f"\nWritten to {args.output}.")
    return 1 if any(m.met is False for m in result["measurements"]) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
