"""Thin command line: parse, open the library, run. Logic lives in importable modules."""
from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from core.errors import RagError
from core.settings import Settings
from ingest.duties import ROLES


def _progress_bar(desc: str, unit: str = "tệp"):
    """A terminal progress bar (tqdm on stderr) as an ingest progress callback."""
    from tqdm import tqdm

    state: dict = {}

    def update(done: int, total: int, name: str) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=True)
        bar.set_postfix_str(name[:40])
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def open_library(settings: Settings, build_if_empty: bool = True, prefetch: bool = False,
                 vectors_later: bool = False):
    from assistant.library import Library

    library = Library(settings, prefetch=prefetch, vectors_later=vectors_later)
    if build_if_empty and library.is_empty() and Path(settings.corpus_dir).exists():
        print(f"Chỉ mục trống: đang nạp văn bản mẫu từ {settings.corpus_dir} …", file=sys.stderr)
        report = library.ingest([settings.corpus_dir], progress=_progress_bar("Nạp văn bản"))
        print_report(report, stream=sys.stderr)
    return library


def open_assistant(settings: Settings, vectors_later: bool = False):
    from assistant.ask import Assistant
    return Assistant(open_library(settings, prefetch=True, vectors_later=vectors_later))


def print_report(report, stream=sys.stdout) -> None:
    labels = {"added": "thêm mới / added", "updated": "cập nhật / updated", "unchanged": "không đổi / unchanged",
              "failed": "LỖI / failed", "removed": "đã xóa / removed", "skipped": "bỏ qua / skipped"}
    for r in report.results:
        extra = f" ({r.chunks} điều khoản)" if r.chunks else ""
        reason = f": {r.reason}" if r.reason else ""
        print(f"  [{labels[r.status]}] {r.path}{extra}{reason}", file=stream)
    summary = ", ".join(f"{report.count(s)} {labels[s].split(' / ')[1]}" for s in labels if report.count(s))
    print(f"Tổng kết / summary: {summary or 'no files'}", file=stream)


def cmd_ingest(args, settings: Settings) -> int:
    from assistant.library import Library, wipe_index

    if args.rebuild:
        wipe_index(Path(settings.data_dir), settings)
    library = Library(settings, prefetch_passages=True)   # the model loads while the index opens
    report = library.ingest(args.paths, sync=args.sync, progress=_progress_bar("Nạp văn bản"))
    print_report(report)
    return 1 if report.failed else 0


def cmd_ask(args, settings: Settings) -> int:
    assistant = open_assistant(settings)
    questions = [" ".join(args.question)] if args.question else (line.strip() for line in sys.stdin)
    for question in questions:
        if not question:
            continue
        answer = assistant.ask(question, k=args.k, documents=args.document or None,
                               provinces=args.province or None, include_replaced=args.include_replaced)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(f"? {question}" + (f"\n(hiểu là: {answer.standalone})" if answer.standalone else ""))
            print(answer.text + (f"\n[{answer.backend}]" if answer.backend != "extractive" else ""))
            for sentence in answer.unsupported:
                print(f"  ⚠ đã loại (không được điều khoản xác nhận): {sentence}")
            for c in answer.citations:
                print(f"  [{c.n}] {c.title} ({c.number or 'không số'}, {c.province or '?'}) — {c.clause}")
                print(f"      «{c.text[:300]}{'…' if len(c.text) > 300 else ''}»")
            print(flush=True)
    return 0


def cmd_duties(args, settings: Settings) -> int:
    from ui import exports as duty_export

    library = open_library(settings)
    actor = None
    if args.actor:
        actor = library.resolve_actor(args.actor)
        if actor is None:
            known = ", ".join(sorted({d.actor for d in library.duties()}))
            print(f"Không nhận ra cơ quan '{args.actor}' / unknown agency. Có trong dữ liệu / known: {known}",
                  file=sys.stderr)
            return 2
    duties = library.duties(actor=actor, document=args.document, province=args.province, role=args.role,
                            with_heads=True)
    if args.format in ("xlsx", "docx"):
        if not args.output:
            print(f"--format {args.format} cần --output FILE.{args.format} / needs --output", file=sys.stderr)
            return 2
        (duty_export.to_xlsx if args.format == "xlsx" else duty_export.to_docx)(duties, args.output)
        print(f"Đã ghi {len(duties)} nhiệm vụ vào {args.output}", file=sys.stderr)
        return 0
    today = settings.today_date()
    text = {"table": duty_export.to_table, "csv": duty_export.to_csv, "json": duty_export.to_json_lines,
            "ics": lambda ds: duty_export.to_ics(ds, today)}[args.format](duties)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        what = (f"{len(duty_export.calendar_duties(duties, today))} sự kiện lịch (từ {len(duties)} nhiệm vụ; "
                f"chỉ nhiệm vụ có ngày hoặc định kỳ đều đặn còn áp dụng)" if args.format == "ics"
                else f"{len(duties)} nhiệm vụ")
        print(f"Đã ghi {what} vào {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_documents(args, settings: Settings) -> int:
    library = open_library(settings, build_if_empty=False)
    rows = library.document_list()
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            what = " ".join(x for x in (row["type"], row["number"], row["date"]) if x)
            print(f"{row['document']}\t{what}\t{row['issuer'] or '—'}\t{row['clauses']} điều khoản, "
                  f"{row['duties']} nhiệm vụ{' (OCR)' if row['ocr'] else ''}")
    if not rows and not args.json:
        print("Chưa nạp văn bản nào / no documents loaded: python app.py ingest THƯ_MỤC", file=sys.stderr)
    return 0


def cmd_show(args, settings: Settings) -> int:
    library = open_library(settings, build_if_empty=False)
    shown = library.show(args.document)
    if shown is None:
        print(f"Không có văn bản '{args.document}' / no such document (see: python app.py documents)",
              file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(shown, ensure_ascii=False))
        return 0
    for key in ("document", "type", "number", "date", "issuer", "subject", "signer", "signer_title", "format", "pages"):
        if shown.get(key) not in (None, "", 0):
            print(f"{key}: {shown[key]}")
    for c in shown["clauses"]:
        page = f" (trang {c['page']})" if c["page"] else ""
        print(f"\n[{c['clause']}]{page}\n{c['text']}")
    return 0


def cmd_remove(args, settings: Settings) -> int:
    """Remove documents by file name or id (the page's and the API's remove, from the shell)."""
    library = open_library(settings, build_if_empty=False)
    results = library.remove(args.documents)
    for r in results:
        if args.json:
            print(json.dumps({"document": r.path, "id": r.doc_id, "status": r.status}, ensure_ascii=False))
        else:
            label = "đã gỡ / removed" if r.status == "removed" else "không tìm thấy / not found"
            print(f"  [{label}] {r.path}{f' ({r.doc_id})' if r.doc_id else ''}")
    return 0 if all(r.status == "removed" for r in results) else 1


def cmd_passwd(args) -> int:
    """Print a line for the RAG_ADMIN_USERS file (the password is read without echo)."""
    import getpass

    from ui.access import hash_password

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("Mật khẩu / password: ")
    if len(password) < 8:
        print("Mật khẩu cần ít nhất 8 ký tự / at least 8 characters", file=sys.stderr)
        return 2
    print(f"{args.user}:{hash_password(password)}")
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from assistant.ask import Assistant
    from eval import harness, report
    from eval.datasets import load_dataset

    work = Path(settings.data_dir) / "eval" / f"{Path(args.dataset).stem}-work"
    try:
        dataset = load_dataset(args.dataset, work)
    except (OSError, ValueError) as e:
        print(f"Lỗi / error: {e}", file=sys.stderr)
        return 2
    library = harness.open_library(settings, dataset, progress=_progress_bar("Lập chỉ mục / indexing"))
    modes = list(harness.MODES) if args.mode == "all" else [args.mode]
    bars: dict = {}  # one bar per mode: a bar closes when its mode is done

    def progress(done: int, total: int, mode: str) -> None:
        if mode not in bars:
            bars[mode] = _progress_bar(f"Đánh giá / evaluating ({mode})", unit="câu")
        bars[mode](done, total, mode)

    results = harness.run(dataset, Assistant(library), modes, args.limit, aggregate=args.aggregate,
                          progress=progress)
    n = len(next(iter(results.values())))
    meta = {"dataset": args.dataset, "questions": n, "embedder": library.embedder_name,
            "aggregate": args.aggregate, "refusal_threshold": settings.refusal_threshold}
    paths = report.write(dataset.name, results, Path(args.out), meta)
    print(report.table({m: harness.summarise(rs) for m, rs in results.items()}))
    print("\n".join(f"{kind}: {path}" for kind, path in paths.items()))
    return 0


def cmd_check(args, settings: Settings) -> int:
    """Exit 1 when anything is wrong (after --repair: when anything is still wrong)."""
    from assistant import integrity

    problems = integrity.repair(settings) if args.repair else integrity.check(settings)
    print(integrity.report_json(problems) if args.json else integrity.report_text(problems))
    return 1 if problems else 0


def cmd_backup(args, settings: Settings) -> int:
    from assistant.backup import backup

    m = backup(settings, Path(args.path))
    print(f"Đã sao lưu / backed up {m['documents']} văn bản, {m['clauses']} điều khoản, {m['vectors']} vector, "
          f"{m['originals']} tệp gốc → {args.path}")
    return 0


def cmd_restore(args, settings: Settings) -> int:
    from assistant import integrity
    from assistant.backup import restore

    m = restore(settings, Path(args.path))
    print(f"Đã khôi phục / restored {m['documents']} văn bản, {m['clauses']} điều khoản từ {args.path}"
          + (f"; chỉ mục cũ / the previous index: {m['moved_aside']}" if m["moved_aside"] else ""))
    problems = integrity.repair(settings)  # BM25 or vectors the backup lacked are derived again
    print(integrity.report_text(problems))
    return 1 if problems else 0


def _warm_up(library) -> None:
    """Open the vector store, then load the question model and the POS tagger (in the server's
    background thread)."""
    try:
        library.open_vectors()
        warm_up = getattr(library.embedder, "warm_up", None)
        if warm_up:
            warm_up()
        from ingest.tagging import default_tagger
        default_tagger()   # the answerability features tag the question's nouns (~0.4 s to load)
    except Exception as e:  # noqa: BLE001 - the first question reports it to its user
        print(f"Khởi động nền lỗi / background start failed: {e}", file=sys.stderr)


def cmd_serve(args, settings: Settings, build_app) -> int:
    from ui.access import parse_auth

    auth = parse_auth(settings.auth) if settings.auth else None  # checked before the slow start
    # The page is built from the catalog and served while Chroma opens and the question model loads
    # in the background; a first question waits for them at most. The library opens before Gradio
    # is imported, so the question model's load (which releases the GIL) overlaps that import.
    assistant = open_assistant(settings, vectors_later=True)
    assistant.library.release_ingest_models()   # the samples may have been embedded just now
    serve_on_onnx = getattr(assistant.library.embedder, "serve_passages_on_question_engine", None)
    if serve_on_onnx:  # uploads then load no second model
        serve_on_onnx()
    from ui.web import launch
    demo = build_app(settings, assistant)
    launch(demo, settings.host, settings.port, auth=auth, prevent_thread_lock=True)  # returns once it answers
    print(f"Mở trình duyệt tại http://{settings.host}:{settings.port}", file=sys.stderr)
    # after launch: no import of the warm-up races one of Gradio's start (two threads importing
    # the packages both use can see one half-initialised)
    threading.Thread(target=_warm_up, args=(assistant.library,), name="warm-up", daemon=True).start()
    demo.block_thread()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="app.py", description="Trợ lý văn bản chỉ đạo / directive assistant")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("serve", help="start the web chat (default)")
    ing = sub.add_parser("ingest", help="add or update directives (.docx, .doc, .pdf, scans, .html, .txt, .md; files or folders)")
    ing.add_argument("paths", nargs="+")
    ing.add_argument("--sync", action="store_true", help="also remove indexed documents whose files are gone")
    ing.add_argument("--rebuild", action="store_true", help="wipe the index first (e.g. after changing RAG_EMBED_MODEL)")
    ask = sub.add_parser("ask", help="answer questions (arguments, or one per line on stdin)")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true", help="one JSON object per line")
    ask.add_argument("--k", type=int, default=None, help="number of cited clauses (default RAG_TOP_K=5)")
    ask.add_argument("--document", action="append", help="only this file name (repeatable)")
    ask.add_argument("--province", action="append", help="only this province (repeatable)")
    ask.add_argument("--include-replaced", action="store_true",
                     help="rank documents that a loaded document replaces or repeals like those in force")
    du = sub.add_parser("duties", help="who must do what, by when (the duty table)")
    du.add_argument("--actor", help="agency name or alias, e.g. 'Sở NV' or 'VP UBND tỉnh'")
    du.add_argument("--document", help="only this file name")
    du.add_argument("--province", help="only this province")
    du.add_argument("--role", choices=ROLES)
    du.add_argument("--format", choices=["table", "csv", "json", "ics", "xlsx", "docx"], default="table")
    du.add_argument("--output", help="write to this file instead of standard output (required for xlsx)")
    rm = sub.add_parser("remove", help="remove loaded documents by file name or id")
    rm.add_argument("documents", nargs="+", help="file names as 'documents' lists them, or ids")
    rm.add_argument("--json", action="store_true", help="one JSON object per line")
    pw = sub.add_parser("passwd", help="print a 'user:hash' line for the RAG_ADMIN_USERS file")
    pw.add_argument("user")
    docs = sub.add_parser("documents", help="list the loaded documents with their header fields")
    docs.add_argument("--json", action="store_true", help="one JSON object per line")
    show = sub.add_parser("show", help="one loaded document: header and clauses")
    show.add_argument("document", help="the file name as 'documents' lists it, or its id")
    show.add_argument("--json", action="store_true", help="one JSON object on one line")
    chk = sub.add_parser("check", help="verify the index (catalog, vectors, BM25, duties, originals); "
                                       "exit 1 on a problem")
    chk.add_argument("--repair", action="store_true", help="derive again what the catalog determines")
    chk.add_argument("--json", action="store_true", help="one JSON object")
    bk = sub.add_parser("backup", help="write a consistent snapshot of the index to a new folder (while serving)")
    bk.add_argument("path")
    rs = sub.add_parser("restore", help="bring back a backup into RAG_DATA_DIR (stop the app first)")
    rs.add_argument("path")
    ev = sub.add_parser("eval", help="measure retrieval and answers on a dataset (seed_dev JSONL or ALQAC folder)")
    ev.add_argument("--dataset", required=True, help="a .jsonl file like shared/eval/seed_dev.jsonl, or an ALQAC folder")
    ev.add_argument("--mode", choices=["hybrid", "bm25", "dense", "all"], default="hybrid")
    ev.add_argument("--limit", type=int, default=None, help="only the first N questions")
    ev.add_argument("--aggregate", choices=["max", "sum2"], default="max", help="clause-to-article scoring (ALQAC)")
    ev.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "eval" / "reports"))
    return p


def run(argv: list[str], build_app) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "passwd":
            return cmd_passwd(args)
        commands = {"ingest": cmd_ingest, "ask": cmd_ask, "duties": cmd_duties, "documents": cmd_documents,
                    "show": cmd_show, "remove": cmd_remove, "eval": cmd_eval, "check": cmd_check,
                    "backup": cmd_backup, "restore": cmd_restore}
        if args.command in commands:
            return commands[args.command](args, settings)
        return cmd_serve(args, settings, build_app)
    except RagError as e:
        print(f"Lỗi / error: {e}", file=sys.stderr)
        return 2
