"""Quick start command 1 as a user runs it: `python app.py` in its own process, over an existing
index. The page is served while the model loads in the background, the first question over HTTP
is answered with citations, and SIGTERM stops the server."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_app_serves_the_chat_and_answers_over_http(real_settings, tmp_path):
    from gradio_client import Client

    port = free_port()
    env = {**os.environ, "RAG_DATA_DIR": str(real_settings.data_dir), "RAG_PORT": str(port),
           "RAG_HOST": "127.0.0.1", "PYTHONPATH": str(ROOT)}
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    start = time.time()
    try:
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() - start < 240, "the server did not come up"
            time.sleep(0.2)
        print(f"\nserved after {time.time() - start:.1f}s")  # a figure, not a timed assertion
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text
        assert "Trợ lý" in page or "gradio" in page.lower()
        answer = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(
            "Ai chủ trì kiểm tra công vụ đột xuất?", None, None, api_name="/ask")
        assert answer["refused"] is False
        assert "kiểm tra công vụ đột xuất" in answer["citations"][0]["text"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
