"""How fast a fresh process answers (prints figures; not a timed test).

    python -m eval.startup [--runs 3] [--data-dir DIR]

Over an index in DIR (built from the samples in a temp dir when not given, before timing):
- a cold `python app.py ask QUESTION`, wall time from start to exit, each run printed, median;
- `python app.py serve`: time until the page answers HTTP 200, and the server's RSS once its
  background model load is done (the first question then pays nothing), each run printed, median.
Every run is a new process, as a user's would be; the OS file cache stays warm, as it does on a
machine where the app was used before.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core.settings import PROJECT_ROOT
from eval.load import Server, app_env, status_mb

QUESTION = "Sở Tài chính phải làm gì?"


def cold_ask(data_dir: Path) -> float:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, str(PROJECT_ROOT / "app.py"), "ask", QUESTION], cwd=PROJECT_ROOT,
                         env=app_env(data_dir), capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    if out.returncode != 0 or "[1]" not in out.stdout:
        raise RuntimeError(f"app.py ask failed ({out.returncode}): {out.stderr[-1500:]}")
    return seconds


def cold_serve(data_dir: Path, settle_s: float = 15.0) -> tuple[float, float]:
    """(seconds until the page answers, RSS in MB once the background model load has settled)."""
    with tempfile.TemporaryDirectory(prefix="rag-startup-log-") as logs:
        start = time.perf_counter()
        server = Server(data_dir, start_timeout=600, poll_s=0.05, log_path=Path(logs) / "server.log")
        try:
            ready = time.perf_counter() - start
            time.sleep(settle_s)
            return ready, status_mb(server.pid, "VmRSS") or 0.0
        finally:
            server.close()


def measure(data_dir: Path, runs: int = 3, log=print, settle_s: float = 15.0) -> dict:
    asks = []
    for i in range(runs):
        asks.append(cold_ask(data_dir))
        log(f"cold ask, run {i + 1}: {asks[-1]:.2f} s")
    serves = []
    for i in range(runs):
        serves.append(cold_serve(data_dir, settle_s))
        log(f"serve, run {i + 1}: page after {serves[-1][0]:.2f} s, RSS {serves[-1][1]:.0f} MB once warm")
    return {"cold_ask_s": round(statistics.median(asks), 2),
            "serve_ready_s": round(statistics.median(s[0] for s in serves), 2),
            "serve_warm_rss_mb": round(statistics.median(s[1] for s in serves))}


def measure_over_samples(runs: int = 3, log=print, settle_s: float = 15.0) -> dict:
    """The samples are indexed first, untimed: what is measured is starting over a built index."""
    with tempfile.TemporaryDirectory(prefix="rag-startup-") as tmp:
        data_dir = Path(tmp) / "data"
        samples = str(PROJECT_ROOT / "data" / "directives")
        subprocess.run([sys.executable, str(PROJECT_ROOT / "app.py"), "ingest", samples],
                       cwd=PROJECT_ROOT, env=app_env(data_dir), check=True, capture_output=True)
        return measure(data_dir, runs, log, settle_s)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="cold start of app.py ask and app.py serve")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--data-dir", default="", help="an existing RAG_DATA_DIR (default: the samples, built first)")
    args = p.parse_args(argv)
    figures = measure(Path(args.data_dir), args.runs) if args.data_dir else measure_over_samples(args.runs)
    for key, value in figures.items():
        print(f"{key:<18}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
