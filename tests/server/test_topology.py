"""The production topology of compose.yaml, run as processes: Varnish (deploy/varnish/) in front
of two API instances with two workers each, reading from a streaming replica of a private
PostgreSQL primary, `content-api purge-proxy` purging the proxy by surrogate key, and Redis
sharing the rate limit. It runs with the PostgreSQL suite (TEST_POSTGRES_URL); CI installs
varnish, varnish-modules and redis-server.
"""

import asyncio
import contextlib
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx2 as httpx
import pytest

from api import purge
from api.config import PROJECT_ROOT
from api.read.reader import REPLICA_STATE_SQL
from tests.conftest import POSTGRES_ADMIN_URL
from tests.server.conftest import Server, free_port, run_cli, serve, server_env, wait_for
from tests.server.postgres import Cluster, clusters_directory, primary, replica_of, stop_quietly

pytestmark = pytest.mark.skipif(
    not POSTGRES_ADMIN_URL, reason="runs with the PostgreSQL suite (TEST_POSTGRES_URL)"
)
MAX_AGE_S = 2
MAX_LAG_MS = 1000
CLOCK_MARGIN_S = purge.CLOCK_MARGIN.total_seconds()
HOST = {"Host": "localhost"}  # the public name, the same whichever way a request goes
URLS = [
    "/api/v1/news?limit=5",
    "/api/v1/news?country=AT&sort=published_at",
    "/api/v1/events",
    "/api/v1/states/AT",
    "/api/v1/field-operations?status=active&fields=slug,name",
    "/api/v1/menus/main",
    "/api/v1/topics?sort=name",
]


def _require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"the topology tests need {', '.join(missing)} (see .ci/run)")


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: _redis_answers(port), "redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _redis_answers(port: int) -> bool:
    done = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True,
                          check=False)  # fmt: skip
    return done.stdout.strip() == "PONG"


@contextlib.contextmanager
def varnish(directory: Path, backends: list[int]) -> Iterator[str]:
    """Varnish with deploy/varnish/default.vcl and a site.vcl naming these local backends."""
    directory.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "varnish" / "default.vcl", directory)
    lines = [
        'probe livez { .url = "/livez"; .interval = 1s; .timeout = 1s; .window = 2; '
        ".threshold = 1; }"
    ]
    lines += [
        f'backend api_{i} {{ .host = "127.0.0.1"; .port = "{port}"; .probe = livez; }}'
        for i, port in enumerate(backends)
    ]
    lines += [
        'acl purgers { "127.0.0.1"; }',
        "sub vcl_init {",
        "new api = directors.round_robin();",
    ]
    lines += [f"api.add_backend(api_{i});" for i in range(len(backends))]
    lines += ["}"]
    (directory / "site.vcl").write_text("\n".join(lines) + "\n")
    port = free_port()
    log = (directory / "varnish.log").open("w")
    process = subprocess.Popen(
        ["varnishd", "-F", "-j", "none", "-a", f"127.0.0.1:{port}", "-n", str(directory / "work"),
         "-f", str(directory / "default.vcl"), "-s", "malloc,64m"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(base + "/livez", headers=HOST).status_code == 200, "varnish")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@dataclass
class Topology:
    primary: Cluster
    replica: Cluster
    proxy: str
    instances: list[Server]
    directory: Path
    stack: contextlib.ExitStack
    settings: dict[str, str] = field(default_factory=dict)

    def write(self, statement: str) -> None:
        """A write on the primary, as the editor API will make them."""
        self.primary.sql(statement, "content")


def _start_instance(topology: Topology, port: int | None = None) -> Server:
    return topology.stack.enter_context(
        serve(
            topology.primary.url("content"),
            topology.directory,
            ready="/readyz",
            port=port,
            **topology.settings,
        )
    )


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    _require("varnishd", "redis-server", "redis-cli")
    directory = tmp_path_factory.mktemp("topology")
    with clusters_directory() as clusters, contextlib.ExitStack() as stack:
        first = primary(clusters / "primary")
        first.start()
        stack.callback(stop_quietly, first)
        first.sql("CREATE DATABASE content")
        env = server_env(first.url("content"))
        for command in ("migrate", "seed"):
            done = run_cli(command, env=env)
            assert done.returncode == 0, done.stderr
        second = replica_of(first, clusters / "replica")
        second.start()
        stack.callback(stop_quietly, second)
        topology = Topology(first, second, "", [], directory, stack)
        topology.settings = {
            "WORKERS": "2",
            "DATABASE_REPLICA_URL": second.url("content"),
            "REPLICA_MAX_LAG_MS": str(MAX_LAG_MS),
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "CACHE_MAX_AGE": str(MAX_AGE_S),
            "CACHE_STALE_WHILE_REVALIDATE": "60",
            "SURROGATE_KEYS": "true",
        }
        topology.instances = [_start_instance(topology) for _ in range(2)]
        topology.proxy = stack.enter_context(
            varnish(directory / "varnish", [s.port for s in topology.instances])
        )
        purger_log = (directory / "purger.log").open("w")
        stack.callback(purger_log.close)
        purger = subprocess.Popen(
            [sys.executable, "-m", "api", "purge-proxy"], cwd=PROJECT_ROOT, stdout=purger_log,
            stderr=subprocess.STDOUT,
            env=server_env(first.url("content"), PROXY_PURGE_URLS=topology.proxy),
        )  # fmt: skip
        stack.callback(purger.wait, 10)
        stack.callback(purger.terminate)
        # Only once it listens does a write reach it: one made while it still starts (two
        # seconds of imports on a loaded machine) would be its first version, never purged.
        listening = (
            "SELECT count(*) FROM pg_stat_activity"
            f" WHERE application_name = '{purge.APPLICATION_NAME}'"
        )
        wait_for(lambda: first.sql(listening)[0][0] == 1, "the purger listening", 30)
        yield topology


def _get(base: str, url: str, **headers: str) -> httpx.Response:
    return httpx.get(base + url, headers={**HOST, **headers}, timeout=10)


def test_two_instances_behind_the_proxy_give_identical_answers(topology: Topology) -> None:
    first, second = (server.base for server in topology.instances)
    for url in URLS:
        a, b, proxied = _get(first, url), _get(second, url), _get(topology.proxy, url)
        assert a.status_code == b.status_code == proxied.status_code == 200, url
        assert a.content == b.content == proxied.content, url
        assert a.headers["etag"] == b.headers["etag"]
    # A cursor made by one instance is followed by the other (the same CURSOR_SECRET).
    page = _get(first, "/api/v1/news?limit=2").json()
    next_url = page["links"]["next"].removeprefix("http://localhost")
    assert _get(second, next_url).json() == _get(first, next_url).json()


def test_the_proxy_keeps_what_the_api_allows_and_answers_304_from_its_cache(
    topology: Topology,
) -> None:
    url = "/api/v1/topics?limit=3"
    first = _get(topology.proxy, url)
    again = _get(topology.proxy, url)
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("MISS", "HIT")
    assert (
        again.headers["cache-control"] == f"public, max-age={MAX_AGE_S}, stale-while-revalidate=60"
    )
    assert "xkey" not in again.headers
    assert "surrogate-key" not in again.headers
    revalidated = _get(topology.proxy, url, **{"If-None-Match": again.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["x-cache"] == "HIT"
    assert _get(topology.proxy, "/readyz").headers["x-cache"] == "MISS"  # probes pass
    missing = _get(topology.proxy, "/api/v1/news/no-such-story")
    assert (missing.status_code, _get(topology.proxy, "/api/v1/news/no-such-story").headers[
        "x-cache"]) == (404, "MISS")  # fmt: skip


def _title(topology: Topology, slug: str) -> str:
    return str(_get(topology.proxy, f"/api/v1/news/{slug}").json()["data"]["title"])


def test_a_change_is_visible_through_the_proxy_within_a_second_and_the_rest_stays_cached(
    topology: Topology,
) -> None:
    newest, older = (
        str(slug)
        for (slug,) in topology.primary.sql(
            "SELECT slug FROM news ORDER BY published_at DESC, id DESC LIMIT 2", "content"
        )
    )
    # A first write: the purger cannot tell it from the seed's last writes (purged by the
    # clock margin), so it purges everything. The second one is measured.
    topology.write(f"UPDATE news SET title = 'Warm-up', updated_at = now() WHERE slug = '{older}'")
    wait_for(lambda: _title(topology, older) == "Warm-up", "the warm-up write", 5)
    time.sleep(CLOCK_MARGIN_S)
    unchanged = ["/api/v1/events", "/api/v1/topics?sort=name", "/api/v1/states/AT"]
    for url in [f"/api/v1/news/{newest}", "/api/v1/news?limit=5", *unchanged]:
        _get(topology.proxy, url)
    assert _get(topology.proxy, f"/api/v1/news/{newest}").headers["x-cache"] == "HIT"

    topology.write(
        f"UPDATE news SET title = 'Changed title', updated_at = now() WHERE slug = '{newest}'"
    )
    visible = wait_for(lambda: _title(topology, newest) == "Changed title", "the change", 5)
    assert visible < 1.0
    first_page = _get(topology.proxy, "/api/v1/news?limit=5").json()["data"]
    assert first_page[0]["title"] == "Changed title"
    for url in unchanged:
        assert _get(topology.proxy, url).headers["x-cache"] == "HIT", url


def test_reads_come_from_the_replica_and_readyz_reports_it(topology: Topology) -> None:
    base = topology.instances[0].base
    serving = wait_for(lambda: _get(base, "/readyz").json()["replica"]["serving"] is True,
                       "the replica to serve", 5)  # fmt: skip
    assert serving < 1
    assert 0 <= _get(base, "/readyz").json()["replica"]["lag_s"] < MAX_LAG_MS / 1000
    marker = f"reads-{uuid.uuid4().hex}"
    topology.primary.mark(marker)
    topology.replica.mark(marker)
    for n in range(1, 41):  # 40 URLs no cache has seen
        assert _get(base, f"/api/v1/news?limit={n}&sort=published_at").status_code == 200
    time.sleep(0.2)  # the log is written asynchronously
    assert topology.replica.log_since(marker).count("FROM news") >= 40
    assert topology.primary.log_since(marker).count("FROM news") == 0


def test_wal_without_a_commit_does_not_count_as_the_age_of_the_last_commit(
    topology: Topology,
) -> None:
    """A standby receiving WAL that carries no commit (a checkpoint) is not lagging by the
    age of its last commit: it is, once it has not replayed what it had a check before."""
    primary, replica = topology.primary, topology.replica
    primary.sql("CREATE TABLE IF NOT EXISTS lag_probe AS SELECT 1 AS one")  # a commit
    [(committed,)] = primary.sql("SELECT pg_current_wal_lsn()::text")
    wait_for(lambda: _replayed(replica, committed), "the commit to be replayed", 5)
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        wait_for(lambda: replica.sql("SELECT pg_get_wal_replay_pause_state()") == [("paused",)],
                 "replay to pause", 5)  # fmt: skip
        [(replayed,)] = replica.sql("SELECT pg_last_wal_replay_lsn()::text")
        primary.sql("SELECT pg_logical_emit_message(false, 'test', 'no commit')")
        primary.sql("CHECKPOINT")
        wait_for(lambda: _received_beyond(replica, replayed), "the WAL to arrive", 5)
        time.sleep(0.1)
        # Checked after a check that saw `replayed` received: nothing is owed.
        assert _replica_lag(replica, replayed) == 0
        # After a check that saw the checkpoint received: replay has stopped, the lag shows.
        assert _replica_lag(replica, None) >= 0.1
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")


def _replayed(replica: Cluster, lsn: str) -> bool:
    return replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == [(True,)]


def _received_beyond(replica: Cluster, lsn: str) -> bool:
    return replica.sql(f"SELECT pg_last_wal_receive_lsn() > '{lsn}'::pg_lsn") == [(True,)]


def _replica_lag(replica: Cluster, received: str | None) -> float:
    async def lag() -> float:
        connection = await asyncpg.connect(replica.url("content"))
        try:
            return float((await connection.fetchrow(REPLICA_STATE_SQL, received))["lag"])
        finally:
            await connection.close()

    return asyncio.run(lag())


def test_past_the_lag_bound_reads_go_to_the_primary_and_an_editor_reads_their_write(
    topology: Topology,
) -> None:
    base = topology.instances[0].base
    [(slug,)] = topology.primary.sql("SELECT slug FROM news ORDER BY id DESC LIMIT 1", "content")
    topology.replica.sql("SELECT pg_wal_replay_pause()")
    try:
        topology.write(f"UPDATE news SET title = 'Read your writes' WHERE slug = '{slug}'")
        # The primary announced a version the replica has not replayed: read from the primary.
        item = f"/api/v1/news/{slug}"
        seen = wait_for(
            lambda: _get(base, item).json()["data"]["title"] == "Read your writes", "the write", 5
        )
        assert seen < 0.5
        wait_for(lambda: _get(base, "/readyz").json()["replica"]["lag_s"] > MAX_LAG_MS / 1000,
                 "the lag to pass the bound", 10)  # fmt: skip
        assert _get(base, "/readyz").json()["replica"]["serving"] is False
        assert _get(base, "/readyz").status_code == 200  # the primary serves: still ready
    finally:
        topology.replica.sql("SELECT pg_wal_replay_resume()")
    caught_up = wait_for(lambda: _get(base, "/readyz").json()["replica"]["serving"] is True,
                         "the replica to serve again", 10)  # fmt: skip
    assert caught_up < 2


def test_the_proxy_serves_stale_pages_while_every_instance_is_down(topology: Topology) -> None:
    url = "/api/v1/field-operations?status=active&fields=slug,name"
    assert _get(topology.proxy, url).status_code == 200
    ports = [server.port for server in topology.instances]
    for server in topology.instances:
        server.process.terminate()
        server.process.wait(timeout=10)
    time.sleep(MAX_AGE_S + 0.5)  # past max-age, within stale-while-revalidate
    stale = _get(topology.proxy, url)
    assert stale.status_code == 200
    assert int(stale.headers["age"]) > MAX_AGE_S
    assert _get(topology.proxy, "/api/v1/events?limit=7").status_code == 503  # never cached
    topology.instances = [_start_instance(topology, port) for port in ports]
    wait_for(lambda: _get(topology.proxy, "/api/v1/events?limit=7").status_code == 200,
             "the proxy to see the instances again", 10)  # fmt: skip


# --- the shared rate limit ---------------------------------------------------------------------


def _from(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), headers=HOST)


def test_the_rate_limit_is_shared_by_every_worker_of_every_instance(
    topology: Topology, tmp_path: Path
) -> None:
    """Before: counted per worker, so two instances of two workers allowed four times the
    limit. And a rotating X-Forwarded-For from anyone but the proxy is ignored (compose.yaml
    trusted every address: 200 of 200 requests passed a 60/min limit)."""
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(redis_server(tmp_path))
        limited = {
            **topology.settings, "RATE_LIMIT_PER_MINUTE": "20", "RATE_LIMIT_STORAGE_URL": redis,
        }  # fmt: skip
        instances = [
            stack.enter_context(serve(topology.primary.url("content"), tmp_path, **limited))
            for _ in range(2)
        ]
        proxy = stack.enter_context(varnish(tmp_path / "varnish", [s.port for s in instances]))
        client = stack.enter_context(_from("127.0.0.5"))
        statuses = []
        for n in range(40):
            base = instances[n % 2].base
            response = client.get(f"{base}/api/v1/topics?limit=3",
                                  headers={"X-Forwarded-For": f"198.51.100.{n}"})  # fmt: skip
            statuses.append(response.status_code)
        assert statuses == [200] * 20 + [429] * 20
        assert response.headers["ratelimit-policy"] == '"default";q=20;w=60'
        assert int(response.headers["retry-after"]) >= 59

        # Through the proxy a client is known by its own address, whatever it claims.
        other = stack.enter_context(_from("127.0.0.6"))
        through = [
            other.get(f"{proxy}/api/v1/topics?limit={n}",
                      headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(1, 26)
        ]  # fmt: skip
        assert through == [200] * 20 + [429] * 5
