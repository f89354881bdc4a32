"""Many users at once: simulated users asking over HTTP against the served app (prints figures; not a timed test).

    python -m eval.load --users 1,10,25,50 [--requests 60] [--seconds 120] [--json OUT]
    python -m eval.load --url http://127.0.0.1:7860/ --users 10 [--pid PID]

Without --url it serves the app itself (`python app.py serve`, a child process on a free loopback
port, its own RAG_DATA_DIR in a temp dir, the bundled samples), so the users' threads never share
the server's GIL. Each user is a thread with its own HTTP connection and Gradio session (as a
browser tab or a gradio_client has) that asks the seed_dev questions (tests/data/mini_dev.jsonl
when ../shared is absent) one after another through Gradio's queue (`/gradio_api/call/ask`), at
most --requests each and until --seconds have passed. Per step: requests/s, p50/p95/p99 latency,
errors with their reasons, the server's peak RSS (VmHWM, reset per step) and its CPU use, and
users/cores x the one-user latency to compare p95 against.
"""
from __future__ import annotations

from core.settings import prepare_environment

if __name__ == "__main__":
    prepare_environment()

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.settings import PROJECT_ROOT
from eval.datasets import SEED_DEV, load_jsonl
from eval.metrics import percentile

MINI_DEV = PROJECT_ROOT / "tests" / "data" / "mini_dev.jsonl"
API = "gradio_api/call"
WARM_UP = 60   # questions asked once before timing


@dataclass
class Sample:
    question: str
    seconds: float
    error: str = ""          # empty when the server answered
    refused: bool = False
    citations: int = 0
    text: str = ""


@dataclass
class Step:
    users: int
    requests: int
    errors: int
    error_reasons: dict
    seconds: float
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    refused: int
    peak_rss_mb: float | None
    server_cpu_cores: float | None     # CPU-seconds the server used per second of the step
    samples: list = field(default_factory=list, repr=False)


def questions(path: Path | None = None) -> list[str]:
    path = path or (SEED_DEV if SEED_DEV.exists() else MINI_DEV)
    return [q.text for q in load_jsonl(path).questions]


# ---- one request ---------------------------------------------------------------------------------
def ask(client, url: str, question: str, endpoint: str = "ask", session: str | None = None) -> Sample:
    """One question through Gradio's queue: POST the call, then read its event stream to the end.
    `session`: the user's Gradio session, as a browser tab or a gradio_client keeps one."""
    data = [question, None, None] if endpoint == "ask" else [question, [], [], []]
    start = time.perf_counter()
    try:
        posted = client.post(f"{url}{API}/{endpoint}", json={"data": data, "session_hash": session})
        if posted.status_code != 200:
            return Sample(question, time.perf_counter() - start, f"HTTP {posted.status_code}: {posted.text[:120]}")
        event_id = posted.json()["event_id"]
        kind, payload = "", None
        with client.stream("GET", f"{url}{API}/{endpoint}/{event_id}") as events:
            for line in events.iter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind in ("complete", "error"):
                    payload = json.loads(line[5:].strip() or "null")
                    break
        seconds = time.perf_counter() - start
    except Exception as e:  # noqa: BLE001 - any failure is an error of this request, with its reason
        return Sample(question, time.perf_counter() - start, f"{e.__class__.__name__}: {e}"[:160])
    if kind != "complete" or not payload:
        return Sample(question, seconds, f"{kind or 'no event'}: {str(payload)[:120]}")
    return _read_answer(question, seconds, payload[0], endpoint)


def _read_answer(question: str, seconds: float, out, endpoint: str) -> Sample:
    if endpoint == "ask":
        text = (out or {}).get("answer") or ""
        sample = Sample(question, seconds, refused=bool(out.get("refused")), citations=len(out.get("citations") or ()),
                        text=text)
    else:  # /respond: (history, sources, box); the last message is the answer
        content = (out or [{}])[-1].get("content") if out else ""
        text = content if isinstance(content, str) else " ".join(p.get("text", "") for p in content or [])
        sample = Sample(question, seconds, citations=text.count("[["), text=text)
    if not text.strip():
        sample.error = "empty answer"
    return sample


# ---- one step: N users at once -------------------------------------------------------------------
def run_step(url: str, users: int, asked: list[str], requests: int, seconds: float, endpoint: str = "ask",
             timeout: float = 300.0, server_pid: int | None = None) -> Step:
    """`users` threads, each asking up to `requests` questions back to back (each user starts at a
    different question) until `seconds` have passed; requests under way then finish."""
    import httpx

    url = url.rstrip("/") + "/"
    samples: list[Sample] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(index: int) -> None:
        session = uuid.uuid4().hex
        with httpx.Client(timeout=timeout) as client:
            for i in range(requests):
                if time.monotonic() >= deadline:
                    return
                sample = ask(client, url, asked[(index * 7 + i) % len(asked)], endpoint, session)
                with lock:
                    samples.append(sample)

    _reset_peak_rss(server_pid)
    cpu_before = _cpu_seconds(server_pid)
    start = time.perf_counter()
    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    cpu_after = _cpu_seconds(server_pid)
    ok = [s.seconds * 1000 for s in samples if not s.error]
    failed = [s for s in samples if s.error]
    return Step(users=users, requests=len(samples), errors=len(failed),
                error_reasons=dict(Counter(s.error for s in failed).most_common(5)), seconds=round(wall, 2),
                requests_per_s=round(len(ok) / wall, 2) if wall else 0.0,
                p50_ms=round(percentile(ok, 50), 1), p95_ms=round(percentile(ok, 95), 1),
                p99_ms=round(percentile(ok, 99), 1), refused=sum(s.refused for s in samples),
                peak_rss_mb=status_mb(server_pid, "VmHWM"),
                server_cpu_cores=round((cpu_after - cpu_before) / wall, 2) if None not in (cpu_before, cpu_after)
                else None, samples=samples)


# ---- the server process: /proc, so no psutil needed -----------------------------------------------
def _reset_peak_rss(pid: int | None) -> None:
    """Writing 5 to clear_refs resets VmHWM (Linux), so each step reports its own peak."""
    if pid:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            pass  # then the peak is the process's since it started


def status_mb(pid: int | None, field: str) -> float | None:
    """A memory line of /proc/PID/status in MB: VmHWM (peak RSS) or VmRSS (now)."""
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int | None) -> float | None:
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


def app_env(data_dir: Path, **extra: str) -> dict:
    """The environment of an `app.py` child over `data_dir` (the bundled samples unless
    RAG_CORPUS_DIR says otherwise)."""
    return {**os.environ, "RAG_DATA_DIR": str(data_dir),
            "RAG_CORPUS_DIR": os.environ.get("RAG_CORPUS_DIR") or str(PROJECT_ROOT / "data" / "directives"), **extra}


class Server:
    """`python app.py serve` on a free loopback port over the samples, in its own data dir; ready
    when its page answers (checked every `poll_s`). Its output goes to `log_path` (default: next
    to the data dir)."""

    def __init__(self, data_dir: Path, start_timeout: float = 900.0, poll_s: float = 0.5,
                 log_path: Path | None = None):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = open(log_path or data_dir.parent / "server.log", "wb")
        self.process = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "app.py"), "serve"], cwd=PROJECT_ROOT,
                                        env=app_env(data_dir, RAG_HOST="127.0.0.1", RAG_PORT=str(self.port)),
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self._wait(start_timeout, poll_s)

    @property
    def pid(self) -> int:
        return self.process.pid

    def _wait(self, timeout: float, poll_s: float) -> None:
        # urllib, not httpx: each httpx.get builds an SSL context (~50 ms of CPU), which at a 50 ms
        # poll took half a core from the server whose start is being timed
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}); see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(poll_s)
        self.close()
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.log.name}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


# ---- the series ------------------------------------------------------------------------------------
def run_series(url: str, user_counts: list[int], asked: list[str], requests: int, seconds: float,
               endpoint: str = "ask", server_pid: int | None = None, progress=print) -> list[Step]:
    import httpx

    # every question once before timing: the model, the Vietnamese tagger and the caches are
    # loaded on first use, and a served app is warm after its first minutes
    with httpx.Client(timeout=300) as client:
        for question in asked[:WARM_UP]:
            ask(client, url.rstrip("/") + "/", question, endpoint)
    steps = []
    for users in user_counts:
        steps.append(run_step(url, users, asked, requests, seconds, endpoint, server_pid=server_pid))
        progress(f"{users} users: {steps[-1].requests} requests, {steps[-1].errors} errors, "
                 f"p95 {steps[-1].p95_ms:.0f} ms")
    return steps


def table(steps: list[Step], cores: int) -> str:
    one = next((s for s in steps if s.users == 1), None)
    head = ("| users | requests | errors | requests/s | p50 ms | p95 ms | p99 ms | users/cores × 1-user p50 ms "
            "| peak RSS MB | server CPU (cores) |\n|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for s in steps:
        expected = f"{s.users / cores * one.p50_ms:.0f}" if one and one.p50_ms else "—"
        rss = f"{s.peak_rss_mb:,.0f}" if s.peak_rss_mb else "—"
        cpu = f"{s.server_cpu_cores:.2f}" if s.server_cpu_cores is not None else "—"
        rows.append(f"| {s.users} | {s.requests} | {s.errors} | {s.requests_per_s:.1f} | {s.p50_ms:.0f} "
                    f"| {s.p95_ms:.0f} | {s.p99_ms:.0f} | {expected} | {rss} | {cpu} |")
    reasons = [f"{s.users} users: {reason} (×{n})" for s in steps for reason, n in s.error_reasons.items()]
    return "\n".join([head, *rows] + (["", "errors:", *reasons] if reasons else []))


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?") if Path("/proc/cpuinfo").exists() else "?"
    return {"cpu": model, "cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="simulated users asking the served app over HTTP")
    p.add_argument("--users", default="1,10,25,50", help="comma-separated user counts, one step each")
    p.add_argument("--requests", type=int, default=60,
                   help="at most this many questions per user and step (60: every seed_dev question once)")
    p.add_argument("--seconds", type=float, default=120.0, help="no new question after this long, per step")
    p.add_argument("--url", default="", help="an app already served (default: serve one over the samples)")
    p.add_argument("--pid", type=int, default=None, help="with --url: the server's process id, for RSS and CPU")
    p.add_argument("--endpoint", choices=("ask", "respond"), default="ask",
                   help="ask: the JSON API; respond: the chat event the web page uses")
    p.add_argument("--questions", default="", help="a JSONL file of questions (default: seed_dev)")
    p.add_argument("--json", default="", help="also write the figures to this file")
    args = p.parse_args(argv)
    user_counts = [int(n) for n in args.users.split(",") if n.strip()]
    asked = questions(Path(args.questions) if args.questions else None)
    before = machine()
    print(f"{len(asked)} questions; {before['cores']} cores ({before['cpu']}); load average before "
          f"{before['load_average']}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="rag-load-") as tmp:
        server = None if args.url else Server(Path(tmp) / "data")
        try:
            url, pid = (args.url, args.pid) if args.url else (server.url, server.pid)
            steps = run_series(url, user_counts, asked, args.requests, args.seconds, args.endpoint, pid,
                               progress=lambda line: print(line, file=sys.stderr))
        finally:
            if server:
                server.close()
    after = machine()
    print(table(steps, before["cores"] or 1))
    print(f"\nload average before {before['load_average']}, after {after['load_average']} "
          f"(1, 5, 15 min; the run's own server and users included)")
    if args.json:
        report = {"machine": before, "load_average_after": after["load_average"], "endpoint": args.endpoint,
                  "questions": len(asked), "requests_per_user": args.requests, "seconds": args.seconds,
                  "steps": [{k: v for k, v in asdict(s).items() if k != "samples"} for s in steps]}
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if any(s.errors for s in steps) else 0


if __name__ == "__main__":
    sys.exit(main())
