"""The editor API killed mid-stream (SIGKILL, server and webhook worker), on SQLite and on
PostgreSQL: after a restart,
every acknowledged write is there whole, the one in flight is there whole or not at all (its
retry, by the same Idempotency-Key, settles it), and every event reaches a real receiver with
a signature the reference Standard Webhooks library verifies."""

import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx2 as httpx
from standardwebhooks.webhooks import Webhook

from api.config import PROJECT_ROOT
from tests.server.conftest import run_cli, serve, server_env, wait_for
from tests.test_editor_webhooks import Receiver

SETTINGS = {"WEBHOOK_ALLOW_PRIVATE": "true"}


def _document(n: int) -> dict[str, object]:
    return {
        "document": {
            "slug": f"crash-{n}",
            "title": f"Crash {n}",
            "type": "news-item",
            "published_at": "2025-12-01T09:00:00Z",
            "summary": "S.",
            "body": "B.",
        }
    }


def _worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "api", "webhooks-worker"],
            env=server_env(url, **SETTINGS),
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_a_killed_server_loses_no_acknowledged_write_and_no_event(
    database_copy: str, tmp_path: Path
) -> None:
    url = database_copy
    created = run_cli("keys", "create", "--name", "crash", "--scope", "all", env=server_env(url))
    token = created.stdout.rsplit(": ", 1)[1].strip()
    auth = {"Authorization": f"Bearer {token}"}
    receiver = Receiver()
    acknowledged: list[int] = []
    in_flight: list[int] = []
    try:
        with serve(url, tmp_path, **SETTINGS) as server:
            hook = httpx.post(
                f"{server.base}/api/v1/editor/webhooks",
                headers=auth,
                json={"url": receiver.url, "events": ["news.created"]},
            )
            secret = hook.json()["data"]["secret"]
            worker = _worker(url, tmp_path / "worker.log")
            stop = threading.Event()

            def write() -> None:
                n = 0
                with httpx.Client(base_url=server.base, timeout=5) as client:
                    while not stop.is_set():
                        in_flight[:] = [n]
                        try:
                            response = client.post(
                                "/api/v1/editor/news",
                                json=_document(n),
                                headers=auth | {"Idempotency-Key": f"k{n}"},
                            )
                        except httpx.HTTPError:
                            return  # the server died under it
                        assert response.status_code == 201, response.text
                        acknowledged.append(n)
                        n += 1

            writer = threading.Thread(target=write)
            writer.start()
            wait_for(lambda: len(acknowledged) >= 15, "15 acknowledged writes")
            server.process.send_signal(signal.SIGKILL)
            worker.send_signal(signal.SIGKILL)
            server.process.wait()
            worker.wait()
            stop.set()
            writer.join(10)
        with serve(url, tmp_path, **SETTINGS) as server:
            worker = _worker(url, tmp_path / "worker-2.log")
            with httpx.Client(base_url=server.base, timeout=5) as client:
                for n in acknowledged:
                    item = client.get(f"/api/v1/editor/news/crash-{n}", headers=auth)
                    assert item.status_code == 200, n
                    assert item.json()["data"]["document"]["title"] == f"Crash {n}"
                # The write in flight: retried with its key, it exists once, whole.
                [n] = in_flight
                retried = client.post(
                    "/api/v1/editor/news",
                    json=_document(n),
                    headers=auth | {"Idempotency-Key": f"k{n}"},
                )
                assert retried.status_code == 201, retried.text
                listed = client.get("/api/v1/editor/news?status=draft&limit=100", headers=auth)
                slugs = sorted(i["slug"] for i in listed.json()["data"])
                assert slugs == sorted(f"crash-{i}" for i in {*acknowledged, n})
            expected = len(slugs)
            wait_for(
                lambda: len({h["webhook-id"] for h, _ in receiver.received}) >= expected,
                "every event delivered",
                60,
            )
            worker.send_signal(signal.SIGTERM)
            worker.wait(10)
        announced = set()
        for headers, body in receiver.received:
            announced.add(Webhook(secret).verify(body, headers)["data"]["slug"])
        assert announced == set(slugs)
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
