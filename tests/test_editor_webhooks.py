"""Webhooks reach a real HTTP receiver, signed so that the reference Standard Webhooks library
verifies them; failures are retried with backoff and can be replayed; two workers never send
one attempt twice."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from standardwebhooks.webhooks import Webhook

from api import clock
from api.editor.webhooks import deliver_due
from tests.editor_support import Editor
from tests.helpers import assert_problem

HOOKS = "/api/v1/editor/webhooks"


class Receiver:
    """An HTTP server on loopback that keeps what it is sent and answers `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


def _subscribe(editor: Editor, url: str, events: list[str]) -> dict[str, Any]:
    response = editor.client.post(HOOKS, json={"url": url, "events": events},
                                  headers=editor.admin)  # fmt: skip
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _deliver(editor: Editor) -> int:
    return deliver_due(editor.app.state.write_engine, allow_private=True)


def test_a_published_item_is_announced_with_a_verifiable_signature(
    editor: Editor, receiver: Receiver
) -> None:
    subscription = _subscribe(editor, receiver.url, ["news.published"])
    editor.copy("news")  # a draft: nothing to announce
    slug = editor.copy("news", status="published")
    assert _deliver(editor) == 1
    [(headers, body)] = receiver.received
    verified = Webhook(subscription["secret"]).verify(body, headers)
    assert verified["type"] == "news.published"
    assert verified["data"] == {"collection": "news", "slug": slug, "revision": 1,
                                "status": "published"}  # fmt: skip
    log = editor.client.get(f"{HOOKS}/{subscription['id']}/deliveries", headers=editor.admin)
    [delivery] = log.json()["data"]
    assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == (
        "delivered", 1, 204,
    )  # fmt: skip
    assert delivery["response_ms"] > 0
    assert _deliver(editor) == 0  # delivered once


def test_a_failed_delivery_backs_off_and_can_be_replayed(
    editor: Editor, receiver: Receiver
) -> None:
    subscription = _subscribe(editor, receiver.url, ["*"])
    receiver.status = 500
    editor.copy("topics")
    assert _deliver(editor) == 1
    log = editor.client.get(f"{HOOKS}/{subscription['id']}/deliveries", headers=editor.admin)
    [delivery] = log.json()["data"]
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == (
        "pending", 1, "HTTP 500",
    )  # fmt: skip
    assert _deliver(editor) == 0  # not due for 2 s
    receiver.status = 200
    replayed = editor.client.post(f"{HOOKS}/deliveries/{delivery['id']}/replay",
                                  headers=editor.admin)  # fmt: skip
    assert replayed.status_code == 202
    assert _deliver(editor) == 1
    first, second = receiver.received
    assert first[0]["webhook-id"] == second[0]["webhook-id"]  # one event, sent twice
    log = editor.client.get(f"{HOOKS}/{subscription['id']}/deliveries", headers=editor.admin)
    assert log.json()["data"][0]["status"] == "delivered"


def test_two_workers_send_each_attempt_once(editor: Editor, receiver: Receiver) -> None:
    _subscribe(editor, receiver.url, ["*"])
    for _ in range(12):
        editor.copy("topics")

    def work(_: int) -> int:
        sent = 0
        while (count := deliver_due(editor.app.state.write_engine, True, limit=2)) > 0:
            sent += count
        return sent

    with ThreadPoolExecutor(2) as pool:
        assert sum(pool.map(work, range(2))) == 12
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(ids) == len(set(ids)) == 12


def test_private_targets_are_refused_unless_allowed(editor: Editor, receiver: Receiver) -> None:
    settings = editor.app.state.settings
    editor.app.state.settings = settings.model_copy(update={"webhook_allow_private": False})
    for url in (receiver.url, "http://10.0.0.8/hook", "http://169.254.169.254/latest",
                "ftp://example.org/"):  # fmt: skip
        response = editor.client.post(HOOKS, json={"url": url, "events": ["*"]},
                                      headers=editor.admin)  # fmt: skip
        assert assert_problem(response, 422)["errors"][0]["pointer"] == "/url", url
    editor.app.state.settings = settings


def test_a_crashed_workers_claim_is_taken_again_after_its_lease(
    editor: Editor, receiver: Receiver
) -> None:
    from sqlmodel import Session

    from api.editor.service import claim_deliveries

    _subscribe(editor, receiver.url, ["*"])
    editor.copy("topics")
    with Session(editor.app.state.write_engine) as session:  # claimed, then the worker dies
        assert len(claim_deliveries(session, 10, timedelta(seconds=30))) == 1
    assert _deliver(editor) == 0
    later = clock.now() + timedelta(seconds=31)
    clock.set_clock(lambda: later)
    try:
        assert _deliver(editor) == 1
    finally:
        clock.set_clock(None)
    assert orjson.loads(receiver.received[0][1])["type"] == "topic.created"


def test_a_scheduled_item_is_announced_when_it_appears(editor: Editor, receiver: Receiver) -> None:
    _subscribe(editor, receiver.url, ["news.published", "news.unpublished"])
    start = clock.now()
    moment = [start]
    clock.set_clock(lambda: moment[0])
    try:
        document = editor.new_document("news")
        body = {"document": document, "status": "scheduled",
                "publish_at": (start + timedelta(hours=1)).isoformat(),
                "unpublish_at": (start + timedelta(hours=2)).isoformat()}  # fmt: skip
        created = editor.client.post("/api/v1/editor/news", json=body, headers=editor.admin)
        assert created.status_code == 201, created.text
        assert _deliver(editor) == 0
        moment[0] = start + timedelta(hours=1, seconds=1)
        assert _deliver(editor) == 1
        moment[0] = start + timedelta(hours=2, seconds=1)
        assert _deliver(editor) == 1
    finally:
        clock.set_clock(None)
    types = [orjson.loads(body)["type"] for _, body in receiver.received]
    assert types == ["news.published", "news.unpublished"]
