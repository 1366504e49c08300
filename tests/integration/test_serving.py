"""`govsearch serve`: gunicorn starts, each worker warms its engine, and pages are served."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_serves_search_after_warming(demo_index: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ, GOVSEARCH_INDEX=str(demo_index))
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                    assert resp.status == 200
                    break
            except OSError:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text(encoding="utf-8")
                assert time.monotonic() < deadline, "gunicorn did not come up"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/search?q=%E8%90%A5%E5%95%86%E7%8E%AF%E5%A2%83", timeout=30) as resp:
            body = json.loads(resp.read().decode("utf-8"))
        assert body["total"] > 0 and body["hits"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text(encoding="utf-8")
