"""Generative answers end to end through the real langchain-openai ChatOpenAI client, against a
small OpenAI-compatible server (standard library only) on a loopback port: requests as sent,
streaming, the verifier catching invented sentences, fallback when the server is unreachable,
the `ask --json` CLI, and a follow-up rewritten by the model."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.answer.verify import split_sentences
from core.text import squash
from core.types import Answer
from ingest.load import load_directive
from tests.conftest import ROOT, SAMPLES

pytest.importorskip("langchain_openai")

SECRET_Q = "Hồ sơ trình có nội dung mật gửi thế nào?"
SECRET_START = "Hồ sơ trình có nội dung mật thì chỉ gửi văn bản giấy"
SECRET_DOC = "long-an-2021-trach-nhiem-cong-vu.txt"
FALLBACK_START = "_(Không dùng được mô hình ngôn ngữ"
_BLOCK = re.compile(r"<<<ĐIỀU KHOẢN \[(\d+)\]>>>\n(.*?)\n<<<HẾT ĐIỀU KHOẢN \[\1\]>>>", re.S)


def unlinked(chat_text: str) -> str:
    """A chat bubble with its [n] source links back to plain [n] markers."""
    return re.sub(r"\[\[(\d+)\]\]\(#src-\d+\)", r"[\1]", chat_text)


# ---------------------------------------------------------------- the fake OpenAI server

def user_text(request: dict) -> str:
    return "\n".join(m["content"] for m in request["messages"] if m["role"] == "user")


def clauses(request: dict) -> dict[int, str]:
    """{n: clause text} from the data blocks of the answer prompt."""
    out = {}
    for n, body in _BLOCK.findall(user_text(request)):
        content = body.split("Nội dung: ", 1)[1] if "Nội dung: " in body else body
        out[int(n)] = content.strip()
    return out


def question_of(request: dict) -> str:
    match = re.search(r"CÂU HỎI: (.*)", user_text(request))
    return match.group(1).strip() if match else ""


def best_clause(request: dict) -> tuple[int, str]:
    """The clause sharing the most words with the question (first one on ties)."""
    words = lambda t: set(re.findall(r"\w+", t.lower()))
    asked = words(question_of(request))
    blocks = clauses(request)
    assert blocks, "the answer prompt carries no <<<ĐIỀU KHOẢN [n]>>> block"
    n = max(sorted(blocks), key=lambda k: len(asked & words(blocks[k])) - k * 1e-6)
    return n, blocks[n]


def cited(sentence: str, n: int) -> str:
    """A clause sentence as the system prompt asks for it: the marker before the final stop."""
    return f"{sentence.rstrip(' .;:')} [{n}]."


def grounded_reply(request: dict) -> str:
    """A verifiable answer: the first sentence of the best-matching clause, cited."""
    n, text = best_clause(request)
    return cited(split_sentences(text)[0], n)


class FakeOpenAI:
    def __init__(self):
        self.requests: list[dict] = []
        self.paths: list[str] = []
        self.reply: Callable[[dict], str] = grounded_reply
        self.replies: list[str] = []   # what the server actually wrote, in order
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.paths.append(self.path)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
                    return
                request = json.loads(body)
                owner.requests.append(request)
                text = owner.reply(request)
                owner.replies.append(text)
                model = request.get("model", "")
                if request.get("stream"):
                    self._stream(text, model, bool((request.get("stream_options") or {}).get("include_usage")))
                else:
                    self._json(200, {
                        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                        "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                     "logprobs": None, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})

            def _json(self, status: int, obj: dict):
                data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str, model: str, usage: bool):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": model}

                def send(choices, **extra):
                    event = {**base, "choices": choices, **extra}
                    self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode("utf-8"))
                    self.wfile.flush()

                pieces = re.findall(r"\S+\s*|\s+", text)
                for i, piece in enumerate(pieces):
                    delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
                    send([{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}])
                send([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}])
                if usage:
                    send([], usage={"prompt_tokens": 10, "completion_tokens": len(pieces),
                                    "total_tokens": 10 + len(pieces)})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer_requests(self) -> list[dict]:
        return [r for r in self.requests if r["messages"][0]["role"] == "system"]


def _no_proxy(monkeypatch):
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def fake_openai(monkeypatch):
    server = FakeOpenAI()
    server.thread.start()
    _no_proxy(monkeypatch)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_library(settings):
    from assistant.library import Library

    library = Library(settings)
    report = library.ingest([SAMPLES])
    assert not report.failed, report.failed
    return library


@pytest.fixture
def llm_library(hash_settings):
    library = make_library(hash_settings.with_(llm="openai", llm_model="test-model", llm_answer_tokens=256,
                                               llm_timeout_s=10.0))
    yield library
    library.close()


@pytest.fixture
def assistant(llm_library):
    from assistant.ask import Assistant
    return Assistant(llm_library)


def source_text(document: str) -> str:
    return squash(load_directive(SAMPLES / document).text)


def secret_clause(request: dict) -> tuple[int, str]:
    n, text = next((n, t) for n, t in clauses(request).items() if t.startswith(SECRET_START))
    return n, text


# ---------------------------------------------------------------- 1. a plain ask

def test_ask_goes_through_chat_openai_and_is_verified(fake_openai, assistant):
    answer = assistant.ask(SECRET_Q)

    assert fake_openai.paths == ["/v1/chat/completions"]
    assert len(fake_openai.requests) == 1
    request = fake_openai.requests[0]
    assert request["model"] == "test-model"
    # langchain-openai 1.x renames max_tokens to max_completion_tokens on the wire
    assert request["max_completion_tokens"] == 256 and "max_tokens" not in request
    assert request["temperature"] == 0
    assert request["stream"] is True  # ask() collects the same stream the chat shows
    roles = [m["role"] for m in request["messages"]]
    assert roles == ["system", "user"]
    assert "Chỉ trả lời dựa trên các điều khoản" in request["messages"][0]["content"]
    assert question_of(request) == SECRET_Q
    n, clause = secret_clause(request)  # the clause is in the prompt, numbered
    assert fake_openai.replies == [cited(split_sentences(clause)[0], n)]

    assert isinstance(answer, Answer)
    assert answer.backend == "openai"
    assert answer.refused is False
    assert answer.fallback_reason is None
    assert answer.unsupported == ()
    assert answer.text == fake_openai.replies[0]
    assert answer.text.startswith(SECRET_START) and answer.text.endswith(f"[{n}].")
    assert [c.n for c in answer.citations] == [n]
    citation = answer.citations[0]
    assert citation.document == SECRET_DOC
    assert citation.clause == "Mục 4, điểm c"
    assert citation.province == "Long An"
    assert citation.text == clause and citation.text.startswith(SECRET_START)
    assert citation.text in source_text(citation.document)  # verbatim
    assert answer.to_json()["backend"] == "openai" and answer.to_json()["unsupported"] == []


# ---------------------------------------------------------------- 2. streaming

def test_stream_yields_deltas_then_the_verified_answer(fake_openai, assistant):
    events = list(assistant.stream(SECRET_Q))

    deltas, final = events[:-1], events[-1]
    assert len(deltas) >= 3 and all(isinstance(d, str) and d for d in deltas)
    assert isinstance(final, Answer) and not any(isinstance(e, Answer) for e in deltas)
    assert "".join(deltas) == fake_openai.replies[0]
    assert final.backend == "openai" and not final.refused
    assert final.text == fake_openai.replies[0]
    assert [r["stream"] for r in fake_openai.requests] == [True]
    assert final.citations[0].text.startswith(SECRET_START)


def test_web_respond_stream_shows_a_draft_then_the_verified_answer(fake_openai, assistant):
    from ui.chat import ChatHandlers, chat_markdown, escape

    updates = list(ChatHandlers(assistant).respond_stream(SECRET_Q, []))

    assert len(updates) >= 3
    searching, *drafts, (history, sources, box) = updates
    # the question shows at once, with a placeholder, before retrieval and the model start
    assert searching[0] == [{"role": "user", "content": escape(SECRET_Q)},
                            {"role": "assistant", "content": "_Đang tìm trong các văn bản…_"}]
    reply = fake_openai.replies[0]
    words = reply.split()
    assert len(drafts) == len(re.findall(r"\S+\s*", reply))  # one update per streamed piece
    for draft_history, draft_sources, draft_box in drafts:
        assert draft_history[0] == {"role": "user", "content": escape(SECRET_Q)}
        draft = draft_history[-1]
        assert draft["role"] == "assistant" and "đang viết" in draft["content"]
        assert "Đang soạn câu trả lời" in draft_sources and draft_box == ""
    assert drafts[0][0][-1]["content"].startswith(escape(words[0]))
    assert drafts[-1][0][-1]["content"].startswith(escape(reply))

    assert box == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    final = history[-1]["content"]
    assert "đang viết" not in final
    n = int(re.search(r"\[(\d+)\]\.$", reply).group(1))
    assert f"[[{n}]](#src-{n})" in final  # the marker links to its source card
    assert unlinked(final).startswith(escape(reply))
    assert f'id="src-{n}"' in sources and "<mark>" in sources
    assert escape(SECRET_START) in sources
    assert "Mục 4, điểm c" in sources
    # the same answer asked again renders identically (deterministic server)
    assert final == chat_markdown(assistant.ask(SECRET_Q))


# ---------------------------------------------------------------- 3. hallucinations

def test_invented_citation_and_date_are_removed_and_flagged(fake_openai, assistant):
    from ui.chat import chat_markdown, escape

    def lying(request):
        n, clause = secret_clause(request)
        first = split_sentences(clause)[0]
        return "\n".join([
            cited(first, n),
            "Các cơ quan phải nộp báo cáo mật qua thư điện tử công vụ [42].",
            f"{first.rstrip('.')} trước ngày 31/12/2099 [{n}].",
        ])

    fake_openai.reply = lying
    answer = assistant.ask(SECRET_Q)

    good, bad_ref, bad_date = split_sentences(fake_openai.replies[0])
    assert answer.backend == "openai" and not answer.refused
    assert answer.unsupported == (bad_ref, bad_date)
    assert answer.text == good
    assert "[42]" not in answer.text and "2099" not in answer.text
    assert [c.text.startswith(SECRET_START) for c in answer.citations] == [True]
    assert answer.to_json()["unsupported"] == [bad_ref, bad_date]

    md = chat_markdown(answer)
    main, _, flagged = md.partition('<div class="rag-unsupported">')
    assert flagged, md
    assert "Đã loại 2 câu" in flagged
    assert f"~~{escape(bad_ref)}~~" in flagged and f"~~{escape(bad_date)}~~" in flagged
    assert "2099" not in main and "[42]" not in main
    assert unlinked(main).startswith(escape(good))


def test_marker_after_the_full_stop_still_cites_the_sentence(fake_openai, assistant):
    # "… liên quan. [4]" is how many models place the marker; it must count like "… liên quan [4]."
    def reply(request):
        n, clause = secret_clause(request)
        return f"{split_sentences(clause)[0]} [{n}]"

    fake_openai.reply = reply
    answer = assistant.ask(SECRET_Q)

    assert fake_openai.replies[0].startswith(SECRET_START) and fake_openai.replies[0].endswith("]")
    assert answer.unsupported == ()
    assert answer.text == fake_openai.replies[0]


def test_answer_with_nothing_supported_falls_back_to_extractive(fake_openai, assistant):
    fake_openai.reply = lambda request: "Mọi hồ sơ mật được gửi qua mạng xã hội trước ngày 31/12/2099 [1]."
    answer = assistant.ask(SECRET_Q)

    assert answer.backend == "extractive"
    assert answer.fallback_reason == "unsupported"
    assert answer.unsupported == (fake_openai.replies[0],)
    assert answer.text.startswith(FALLBACK_START)
    assert "2099" not in answer.text
    assert answer.citations and answer.citations[0].text.startswith(SECRET_START)


# ---------------------------------------------------------------- 4. unreachable server

def test_unreachable_server_falls_back_to_the_extractive_answer(monkeypatch, hash_settings):
    from assistant.ask import Assistant

    _no_proxy(monkeypatch)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    library = make_library(hash_settings.with_(llm="openai", llm_model="test-model", llm_timeout_s=2.0))
    try:
        assistant = Assistant(library)
        start = time.perf_counter()
        events = list(assistant.stream(SECRET_Q))
        elapsed = time.perf_counter() - start
        plain = Assistant(library)
        plain.generator = None
        extractive = plain.ask(SECRET_Q)
    finally:
        library.close()

    assert len(events) == 1  # no delta was written
    answer = events[0]
    assert answer.backend == "extractive" and not answer.refused
    assert answer.fallback_reason.startswith("openai: ")
    assert "Connection" in answer.fallback_reason
    assert answer.text.startswith(FALLBACK_START)
    assert answer.text.splitlines()[0].startswith("_(Không dùng được mô hình ngôn ngữ (openai: ")
    assert answer.text == answer.text.splitlines()[0] + "\n" + extractive.text
    assert answer.citations == extractive.citations and answer.citations
    assert answer.citations[0].text.startswith(SECRET_START)
    assert answer.to_json()["fallback_reason"] == answer.fallback_reason
    assert elapsed < 30


# ---------------------------------------------------------------- 5. the CLI

def run_ask(question: str, data_dir, base_url: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update({"RAG_LLM": "openai", "RAG_LLM_MODEL": "test-model", "RAG_EMBED_MODEL": "hash",
                "RAG_DATA_DIR": str(data_dir), "RAG_CORPUS_DIR": str(SAMPLES),
                "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "test"})
    return subprocess.run([sys.executable, "app.py", "ask", "--json", question], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_ask_json_uses_the_llm_and_reports_unsupported(fake_openai, tmp_path):
    data_dir = tmp_path / "cli-data"
    proc = run_ask(SECRET_Q, data_dir, fake_openai.url)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout.strip().splitlines()[-1])
    assert obj["backend"] == "openai"
    assert obj["unsupported"] == []
    assert obj["refused"] is False and "fallback_reason" not in obj
    assert obj["answer"] == fake_openai.replies[0]
    assert [r["model"] for r in fake_openai.requests] == ["test-model"]
    assert obj["citations"][0]["document"] == SECRET_DOC
    assert obj["citations"][0]["text"].startswith(SECRET_START)
    assert obj["citations"][0]["text"] in source_text(SECRET_DOC)

    invented = "Hồ sơ mật phải gửi bằng thư điện tử trước ngày 31/12/2099 [1]."
    fake_openai.reply = lambda request: grounded_reply(request) + "\n" + invented
    proc = run_ask(SECRET_Q, data_dir, fake_openai.url)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout.strip().splitlines()[-1])
    assert obj["backend"] == "openai"
    assert obj["unsupported"] == [invented]
    assert "2099" not in obj["answer"]
    assert obj["answer"] == fake_openai.replies[0].split("\n")[0]


# ---------------------------------------------------------------- 6. follow-up rewritten by the model

def test_follow_up_is_rewritten_by_the_model_before_searching(fake_openai, assistant):
    # (Văn phòng UBND tỉnh: a body with duties of its own, which the model answers from; a department
    # with none, like Sở Tài chính here, is answered from the duty table without the model)
    rewritten = "Văn phòng UBND tỉnh phải làm gì?"

    def reply(request):
        if "Câu hỏi độc lập" in user_text(request):
            return rewritten
        return grounded_reply(request)

    fake_openai.reply = reply
    answer = assistant.ask("còn Văn phòng UBND tỉnh thì sao?", history=["Sở Nội vụ phải làm gì?"])

    first = fake_openai.requests[0]
    assert first["model"] == "test-model"
    assert not first.get("stream")  # the rewrite is a plain invoke
    assert [m["role"] for m in first["messages"]] == ["user"]
    prompt = user_text(first)
    assert "Câu hỏi độc lập" in prompt
    assert "- Sở Nội vụ phải làm gì?" in prompt
    assert "Câu hỏi tiếp theo: còn Văn phòng UBND tỉnh thì sao?" in prompt
    assert fake_openai.replies[0] == rewritten

    assert answer.standalone == rewritten
    assert answer.question == "còn Văn phòng UBND tỉnh thì sao?"
    assert answer.to_json()["standalone_question"] == rewritten
    # then the answer request, about the rewritten question and not the follow-up
    assert len(fake_openai.requests) == 2
    second = fake_openai.requests[1]
    assert second["stream"] is True and second["messages"][0]["role"] == "system"
    assert question_of(second) == rewritten
    assert answer.backend == "openai" and answer.text == fake_openai.replies[1]


def _rewrite_then_answer(fake_openai, assistant, rewrite_reply: str):
    def reply(request):
        if "Câu hỏi độc lập" in user_text(request):
            return rewrite_reply
        return grounded_reply(request)

    fake_openai.reply = reply
    return assistant.ask("còn hồ sơ mật thì sao?", history=["Hồ sơ trình gửi thế nào?"])


def test_follow_up_rewrite_reaches_the_answer_prompt(fake_openai, assistant):
    rewritten = "Hồ sơ trình có nội dung mật thì gửi thế nào?"
    answer = _rewrite_then_answer(fake_openai, assistant, f"“{rewritten}”\n")

    assert len(fake_openai.requests) == 2
    rewrite, ask = fake_openai.requests
    assert "Câu hỏi độc lập" in user_text(rewrite) and not rewrite.get("stream")
    assert ask["stream"] is True and question_of(ask) == rewritten
    assert answer.standalone == rewritten  # the quotes the model put around it are dropped
    assert answer.question == "còn hồ sơ mật thì sao?"
    assert answer.backend == "openai" and not answer.refused
    assert answer.citations[0].text.startswith(SECRET_START)


def test_follow_up_rewrite_keeps_only_the_first_line(fake_openai, assistant):
    rewritten = "Hồ sơ trình có nội dung mật thì gửi thế nào?"
    answer = _rewrite_then_answer(fake_openai, assistant, f'"{rewritten}"\nGiải thích: câu hỏi đã viết lại.')

    assert question_of(fake_openai.requests[1]) == rewritten
    assert answer.standalone == rewritten
