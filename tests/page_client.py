"""The office's page in process (Starlette's TestClient), as the printed address opens it: shared by the page tests."""
from __future__ import annotations

import time
from pathlib import Path

from starlette.testclient import TestClient

from zoufang.serve import create_app

PORT, TOKEN = 8421, "t0ken-for-tests"
BASE = f"http://127.0.0.1:{PORT}"


def client_for(master: Path, **kw) -> TestClient:
    """A client that has opened the printed address: the token is in its same-site cookie."""
    client = TestClient(create_app(master, TOKEN, PORT), base_url=BASE, **kw)
    client.get(f"/?token={TOKEN}")
    return client


def post(client: TestClient, url: str, **kw):
    """A POST as the page's script sends it, with the token header."""
    return client.post(url, headers={"X-Zoufang-Token": TOKEN, **kw.pop("headers", {})}, **kw)


def wait_task(client: TestClient, task_id: str, seconds: float = 300) -> dict:
    """The task's last state once it is no longer running."""
    for _ in range(int(seconds / 0.2)):
        state = client.get(f"/api/tasks/{task_id}").json()
        if state["state"] != "running":
            return state
        time.sleep(0.2)
    raise AssertionError("task did not finish")


def run_task(client: TestClient, kind: str, **fields) -> dict:
    """Start a task from the page and wait for its end."""
    started = post(client, f"/api/run/{kind}", data=fields)
    assert started.status_code == 202, started.text
    return wait_task(client, started.json()["id"])
