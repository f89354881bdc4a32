"""Fuzz the loaders: thousands of mutated files through load_directive, each in a worker process
with time and memory limits, every outcome classified.

    python -m eval.fuzz --inputs 10000 --workers 2 --seed 1 [--out report.json] [--failures DIR] [--no-real]
    python -m eval.fuzz --replay DIR_OR_FILE...   # saved failing inputs again, in process, with tracebacks

Each input goes through the same path as ingestion: load_directive with the project's sandbox
(binary formats parse in a forkserver child with RLIMIT_AS and a deadline). The parts that run in
the caller's process (.txt/.md, header parsing) run here inside a worker whose address space is
capped and which the fuzzer kills past a deadline, so a hang or a crash is counted, not suffered.
Outcomes: loaded | clear (a RagError naming the file, written by a loader) | unclear (any other
exception, a message without the file name, or an exception the sandbox's catch-all had to wrap)
| crash (a child killed by a signal, a worker that died or hung). Exit code 1 on unclear or crash.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from dataclasses import asdict, dataclass
from multiprocessing.connection import wait
from pathlib import Path

from eval.fuzz_inputs import MUTATORS, REAL_CORPUS, SUFFIXES, load_seeds

# Share of the inputs per seed format. OCR (image, scan) and LibreOffice (doc) cost seconds per
# input, the others milliseconds: those take most inputs, the slow ones 300 in 10,000.
SHARES = {"txt": 0.28, "md": 0.09, "html": 0.18, "docx": 0.21, "pdf": 0.21, "image": 0.01, "scan": 0.01, "doc": 0.01}
SLOW = ("image", "scan", "doc")
LIMITS = {"cheap": (20.0, 1024), "slow": (120.0, 2048)}   # sandbox timeout s, memory MB
GRACE_S = 25.0            # past the sandbox timeout, for the in-process part (header parsing) of a case
WORKER_MEMORY_MB = 3072   # address space of a worker: the in-process part of a case runs under it
STATUSES = ("loaded", "clear", "unclear", "crash")


@dataclass(frozen=True)
class Case:
    index: int
    fmt: str          # the seed's format
    seed: str         # the seed's file name
    mutator: str
    suffix: str       # the name the input gets (another format's under "wrong_ext")
    rng_seed: int


@dataclass(frozen=True)
class Outcome:
    case: Case
    size: int
    status: str       # one of STATUSES
    seconds: float
    detail: str = ""  # the error's reason (file path stripped), or what went wrong


def plan(inputs: int, seed: int, seeds: dict) -> list[Case]:
    """`inputs` cases spread over the formats by SHARES (every format at least once), seeds and
    mutators picked at random; the same (inputs, seed) always gives the same cases."""
    rng = random.Random(seed)
    counts = {f: max(1, round(inputs * share)) for f, share in SHARES.items() if seeds.get(f)}
    counts["pdf" if "pdf" in counts else next(iter(counts))] += inputs - sum(counts.values())
    formats = [f for f, n in counts.items() for _ in range(n)]
    rng.shuffle(formats)
    cases = []
    for index, fmt in enumerate(formats):
        picked = rng.choices(seeds[fmt], [s.weight for s in seeds[fmt]])[0]
        mutator = rng.choice(sorted(MUTATORS[fmt]))
        suffix = rng.choice([s for s in SUFFIXES if s != picked.suffix]) if mutator == "wrong_ext" else picked.suffix
        cases.append(Case(index, fmt, picked.name, mutator, suffix, rng.getrandbits(64)))
    return cases


def make_input(case: Case, seeds: dict) -> bytes:
    data = next(s.data for s in seeds[case.fmt] if s.name == case.seed)
    mutate = MUTATORS[case.fmt][case.mutator]
    return data if mutate is None else mutate(data, random.Random(case.rng_seed))


def classify(error: BaseException, path: Path) -> tuple[str, str]:
    """(status, detail) of a failed load."""
    from core.errors import RagError

    text = str(error)
    detail = text.replace(str(path), "<file>").replace(path.name, "<file>")[:300]
    if not isinstance(error, RagError):
        return ("crash" if isinstance(error, MemoryError) else "unclear"), f"{type(error).__name__}: {detail}"
    if path.name not in text:
        return "unclear", f"no file name: {detail}"
    if "the parser crashed (exit code" in text:
        return "crash", detail
    if "cannot parse the file (" in text:  # the sandbox's catch-all: an exception escaped the loader
        return "unclear", detail
    return "clear", detail


def run_case(case: Case, path: Path, ocr_dir: Path) -> tuple[str, str]:
    """Load one input as ingestion does: (status, detail)."""
    from core.text import nfc
    from ingest.load import LoadOptions, load_directive

    timeout_s, memory_mb = LIMITS["slow" if case.fmt in SLOW else "cheap"]
    options = LoadOptions(ocr_dir=ocr_dir if case.fmt in ("image", "scan") else None, timeout_s=timeout_s,
                          memory_mb=memory_mb)
    try:
        doc = load_directive(path, options=options)
    except BaseException as e:  # noqa: BLE001 - classifying every way of failing is the point
        if isinstance(e, KeyboardInterrupt):
            raise
        return classify(e, path)
    if doc.text != nfc(doc.text) or not doc.text.strip():
        return "unclear", "loaded, but the text is empty or not NFC"
    return "loaded", doc.format


# ---- workers ----------------------------------------------------------------------------------
def _worker(conn, workdir: str, real_dir: str | None) -> None:
    from core.settings import prepare_environment

    prepare_environment()
    limit = WORKER_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    seeds = load_seeds(Path(real_dir) if real_dir else None)
    conn.send("ready")
    while (case := conn.recv()) is not None:
        path = Path(workdir) / f"fuzz-{case.index:06d}{case.suffix}"
        data = make_input(case, seeds)
        path.write_bytes(data)
        started = time.perf_counter()
        status, detail = run_case(case, path, Path(workdir) / "ocr")
        conn.send(Outcome(case, len(data), status, round(time.perf_counter() - started, 3), detail))
        path.unlink(missing_ok=True)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class _Worker:
    def __init__(self, ctx, workdir: Path, real_dir: Path | None):
        workdir.mkdir(parents=True, exist_ok=True)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, str(workdir), str(real_dir) if real_dir else None))
        self.process.start()
        child.close()
        if not self.conn.poll(300) or self.conn.recv() != "ready":
            raise RuntimeError("fuzz worker did not start")
        self.case: Case | None = None
        self.started = 0.0

    def send(self, case: Case) -> None:
        self.case, self.started = case, time.monotonic()
        self.conn.send(case)

    def kill(self) -> None:
        for pid in [*_descendants(self.process.pid), self.process.pid]:  # the sandbox, soffice, tesseract too
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.join(5)


def fuzz(inputs: int, workers: int = 2, seed: int = 1, real_dir: Path | None = REAL_CORPUS,
         failures_dir: Path | None = None, log=print) -> dict:
    """Run the cases; returns the report (see summarise). Failing inputs are written to failures_dir."""
    seeds = load_seeds(real_dir)
    cases = deque(plan(inputs, seed, seeds))
    outcomes: list[Outcome] = []
    ctx = mp.get_context("spawn")  # workers start clean: the sandbox's forkserver runs under each
    root = Path(tempfile.mkdtemp(prefix="rag-fuzz-"))
    started = time.monotonic()
    pool = [_Worker(ctx, root / f"w{k}", real_dir) for k in range(workers)]
    try:
        while cases or any(w.case for w in pool):
            for k, w in enumerate(pool):
                if w.case is None and cases:
                    w.send(cases.popleft())
            busy = [w for w in pool if w.case]
            ready = wait([w.conn for w in busy], timeout=1.0)
            for k, w in enumerate(pool):
                if w.case is None:
                    continue
                outcome = None
                if w.conn in ready:
                    try:
                        outcome = w.conn.recv()
                    except (EOFError, OSError):
                        outcome = Outcome(w.case, -1, "crash", round(time.monotonic() - w.started, 3),
                                          f"the worker died (exit code {w.process.exitcode})")
                elif time.monotonic() - w.started > LIMITS["slow" if w.case.fmt in SLOW else "cheap"][0] + GRACE_S:
                    outcome = Outcome(w.case, -1, "crash", round(time.monotonic() - w.started, 3),
                                      "no answer before the deadline: a hang outside the sandbox")
                if outcome is None:
                    continue
                outcomes.append(outcome)
                if outcome.status in ("unclear", "crash") and failures_dir:
                    _save(outcome, seeds, failures_dir)
                if outcome.size < 0:
                    w.kill()
                    pool[k] = _Worker(ctx, root / f"w{k}-{outcome.case.index}", real_dir)
                else:
                    w.case = None
                if len(outcomes) % max(1, inputs // 20) == 0:
                    log(f"  {len(outcomes)}/{inputs} inputs, {time.monotonic() - started:.0f} s")
    finally:
        for w in pool:
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.process.join(10)
            if w.process.is_alive():
                w.kill()
        shutil.rmtree(root, ignore_errors=True)
    return summarise(outcomes, time.monotonic() - started, workers, seed, bool(real_dir and real_dir.is_dir()))


def _save(outcome: Outcome, seeds: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    c = outcome.case
    stem = f"{c.index:06d}-{c.fmt}-{c.mutator}"
    (folder / f"{stem}{c.suffix}").write_bytes(make_input(c, seeds))
    (folder / f"{stem}.json").write_text(json.dumps(asdict(outcome), ensure_ascii=False, indent=1), encoding="utf-8")


# ---- report -----------------------------------------------------------------------------------
def summarise(outcomes: list[Outcome], wall_s: float, workers: int, seed: int, real: bool) -> dict:
    groups: dict[tuple[str, str], list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault((o.case.fmt, o.case.mutator), []).append(o)
        groups.setdefault((o.case.fmt, "(all)"), []).append(o)
        groups.setdefault(("(all)", "(all)"), []).append(o)
    rows = []
    for (fmt, mutator), group in sorted(groups.items()):
        times = sorted(o.seconds for o in group)
        rows.append({"format": fmt, "mutator": mutator, "count": len(group),
                     **{s: sum(o.status == s for o in group) for s in STATUSES},
                     "timeouts": sum("longer than" in o.detail for o in group),
                     "p50_s": times[len(times) // 2], "max_s": times[-1]})
    return {"inputs": len(outcomes), "workers": workers, "seed": seed, "real_seeds": real,
            "wall_s": round(wall_s, 1), "inputs_per_s": round(len(outcomes) / max(wall_s, 1e-9), 2),
            "table": rows, "failures": [asdict(o) for o in outcomes if o.status in ("unclear", "crash")]}


def format_table(report: dict) -> str:
    head = f"{'format':<7} {'mutator':<13} {'count':>6} {'loaded':>7} {'clear':>6} {'unclear':>7} {'crash':>6} " \
           f"{'timeout':>7} {'p50 s':>7} {'max s':>7}"
    lines = [head, "-" * len(head)]
    for r in report["table"]:
        lines.append(f"{r['format']:<7} {r['mutator']:<13} {r['count']:>6} {r['loaded']:>7} {r['clear']:>6} "
                     f"{r['unclear']:>7} {r['crash']:>6} {r['timeouts']:>7} {r['p50_s']:>7.2f} {r['max_s']:>7.2f}")
    lines.append(f"{report['inputs']} inputs, {report['workers']} workers, {report['wall_s']} s wall, "
                 f"{report['inputs_per_s']} inputs/s, seed {report['seed']}, real seeds: {report['real_seeds']}")
    return "\n".join(lines)


def replay(paths: list[Path]) -> int:
    """Load saved failing inputs in this process, without the sandbox, printing each traceback."""
    import traceback

    from ingest.load import LoadOptions, load_directive

    files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p]) if f.suffix != ".json"]
    with tempfile.TemporaryDirectory(prefix="rag-fuzz-ocr-") as ocr:
        for f in files:
            print(f"== {f}")
            try:
                doc = load_directive(f, options=LoadOptions(sandbox=False, ocr_dir=Path(ocr)))
                print(f"loaded: {doc.format}, {len(doc.text)} characters")
            except Exception:  # noqa: BLE001 - show whatever it is
                traceback.print_exc(file=sys.stdout)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the JSON report here")
    parser.add_argument("--failures", type=Path, default=Path(".rag") / "fuzz-failures",
                        help="folder for failing inputs (default .rag/fuzz-failures)")
    parser.add_argument("--no-real", action="store_true", help="seeds from the repository only")
    parser.add_argument("--replay", type=Path, nargs="+", help="re-run saved inputs in process")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args.replay)
    report = fuzz(args.inputs, args.workers, args.seed, None if args.no_real else REAL_CORPUS, args.failures,
                  log=lambda m: print(m, file=sys.stderr, flush=True))
    print(format_table(report))
    for f in report["failures"][:30]:
        print(f"{f['status']}: #{f['case']['index']} {f['case']['fmt']}/{f['case']['mutator']} "
              f"({f['case']['seed']} as {f['case']['suffix']}): {f['detail']}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    from core.settings import prepare_environment

    prepare_environment()
    sys.exit(main())
