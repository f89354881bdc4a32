"""Generative answers end to end through the real langchain-ollama ChatOllama client (and the
`ollama` python client under it), against a small Ollama-compatible server (standard library
only) on a loopback port: the request as sent (model, explicit context size, answer budget),
streaming, and fallback to the extractive answer when the Ollama host is unreachable."""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.answer.verify import split_sentences
from core.types import Answer
from tests.assistant.answer.test_llm_openai import (
    FALLBACK_START,
    SECRET_DOC,
    SECRET_Q,
    SECRET_START,
    _no_proxy,
    cited,
    free_port,
    grounded_reply,
    make_library,
    question_of,
    secret_clause,
)

pytest.importorskip("langchain_ollama")


# ---------------------------------------------------------------- the fake Ollama server

class FakeOllama:
    def __init__(self):
        self.requests: list[dict] = []
        self.paths: list[tuple[str, str]] = []   # (method, path) in order
        self.reply: Callable[[dict], str] = grounded_reply
        self.replies: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                owner.paths.append(("GET", self.path))
                if self.path.rstrip("/") == "/api/version":
                    self._json(200, {"version": "0.6.3"})
                elif self.path.rstrip("/") == "/api/tags":
                    self._json(200, {"models": [{"name": "qwen-test", "model": "qwen-test"}]})
                else:
                    self._json(404, {"error": f"no route {self.path}"})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.paths.append(("POST", self.path))
                path = self.path.rstrip("/")
                if path == "/api/show":
                    self._json(200, {"modelfile": "", "parameters": "", "template": "", "details": {},
                                     "model_info": {}, "capabilities": ["completion"]})
                    return
                if path != "/api/chat":
                    self._json(404, {"error": f"no route {self.path}"})
                    return
                request = json.loads(body)
                owner.requests.append(request)
                text = owner.reply(request)
                owner.replies.append(text)
                model = request.get("model", "")
                final = {"model": model, "created_at": self._now(),
                         "message": {"role": "assistant", "content": ""},
                         "done": True, "done_reason": "stop", "total_duration": 1000, "load_duration": 10,
                         "prompt_eval_count": 10, "prompt_eval_duration": 100, "eval_count": 5,
                         "eval_duration": 500}
                if not request.get("stream", True):
                    self._json(200, {**final, "message": {"role": "assistant", "content": text}})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                for piece in re.findall(r"\S+\s*|\s+", text):
                    line = {"model": model, "created_at": self._now(),
                            "message": {"role": "assistant", "content": piece}, "done": False}
                    self.wfile.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
                    self.wfile.flush()
                self.wfile.write((json.dumps(final, ensure_ascii=False) + "\n").encode("utf-8"))
                self.wfile.flush()

            @staticmethod
            def _now() -> str:
                return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())

            def _json(self, status: int, obj: dict):
                data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def fake_ollama(monkeypatch):
    server = FakeOllama()
    server.thread.start()
    _no_proxy(monkeypatch)
    monkeypatch.setenv("OLLAMA_HOST", server.url)
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def _assistant(settings):
    from assistant.ask import Assistant

    library = make_library(settings)
    return library, Assistant(library)


@pytest.fixture
def assistant(hash_settings):
    library, assistant = _assistant(hash_settings.with_(
        llm="ollama", llm_model="qwen-test", llm_context_tokens=4096, llm_answer_tokens=300, llm_timeout_s=10.0))
    yield assistant
    library.close()


# ---------------------------------------------------------------- 1. a plain ask

def test_ask_goes_through_chat_ollama_with_explicit_context(fake_ollama, assistant):
    answer = assistant.ask(SECRET_Q)

    assert fake_ollama.paths == [("POST", "/api/chat")]  # no model validation / pull on first use
    assert len(fake_ollama.requests) == 1
    request = fake_ollama.requests[0]
    assert request["model"] == "qwen-test"
    assert request["stream"] is True  # ask() collects the same stream the chat shows
    options = request["options"]
    assert options["num_ctx"] == 4096  # the context window is set explicitly, not Ollama's small default
    assert options["num_predict"] == 300
    assert options["temperature"] == 0
    roles = [m["role"] for m in request["messages"]]
    assert roles == ["system", "user"]
    assert "Chỉ trả lời dựa trên các điều khoản" in request["messages"][0]["content"]
    assert question_of(request) == SECRET_Q
    n, clause = secret_clause(request)
    assert fake_ollama.replies == [cited(split_sentences(clause)[0], n)]

    assert isinstance(answer, Answer)
    assert answer.backend == "ollama"
    assert answer.refused is False
    assert answer.fallback_reason is None
    assert answer.unsupported == ()
    assert answer.text == fake_ollama.replies[0]
    assert [c.n for c in answer.citations] == [n]
    citation = answer.citations[0]
    assert citation.document == SECRET_DOC
    assert citation.text.startswith(SECRET_START)


# ---------------------------------------------------------------- 2. streaming

def test_stream_yields_deltas_then_the_verified_answer(fake_ollama, assistant):
    events = list(assistant.stream(SECRET_Q))

    deltas, final = events[:-1], events[-1]
    assert len(deltas) >= 3 and all(isinstance(d, str) and d for d in deltas)
    assert isinstance(final, Answer) and not any(isinstance(e, Answer) for e in deltas)
    assert "".join(deltas) == fake_ollama.replies[0]
    assert final.backend == "ollama" and not final.refused and final.fallback_reason is None
    assert final.text == fake_ollama.replies[0]
    assert [r["stream"] for r in fake_ollama.requests] == [True]
    assert final.citations and final.citations[0].text.startswith(SECRET_START)


# ---------------------------------------------------------------- 3. unreachable host

def test_unreachable_ollama_falls_back_to_the_extractive_answer(hash_settings, monkeypatch):
    _no_proxy(monkeypatch)
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    library, assistant = _assistant(hash_settings.with_(
        llm="ollama", llm_model="qwen-test", llm_context_tokens=4096, llm_answer_tokens=300, llm_timeout_s=5.0))
    try:
        started = time.monotonic()
        answer = assistant.ask(SECRET_Q)
        assert time.monotonic() - started < 30
    finally:
        library.close()

    assert answer.backend == "extractive"
    assert answer.fallback_reason and answer.fallback_reason.startswith("ollama")
    assert answer.text.startswith(FALLBACK_START)
    assert not answer.refused
    assert answer.citations and any(c.text.startswith(SECRET_START) for c in answer.citations)
