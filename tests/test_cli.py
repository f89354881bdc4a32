"""The `python app.py ask --json` contract, run as a real subprocess over the real index."""
import json
import os
import re
import subprocess
import sys

import pytest

from core.text import squash
from ingest.load import load_directive
from tests.conftest import ROOT, SAMPLES

CITATION_KEYS = {"n": int, "document": str, "title": str, "clause": str, "text": str, "score": float}


def run_app(args, settings, stdin=None, extra_env=None):
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir),
           **(extra_env or {})}
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def check_contract(obj: dict) -> None:
    assert set(obj) >= {"question", "answer", "refused", "citations"}
    assert isinstance(obj["question"], str) and isinstance(obj["answer"], str)
    assert isinstance(obj["refused"], bool) and isinstance(obj["citations"], list)
    numbers = [c["n"] for c in obj["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    for c in obj["citations"]:
        for key, typ in CITATION_KEYS.items():
            assert isinstance(c[key], typ), (key, c)
        assert c["number"] is None or isinstance(c["number"], str)
        assert c["province"] is None or isinstance(c["province"], str)
        # Verbatim: the cited text is a span of its source document after NFC + whitespace squash.
        source = squash(load_directive(SAMPLES / c["document"]).text)
        assert c["text"] and c["text"] in source, c
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", obj["answer"])}
    assert markers <= set(numbers), (markers, numbers)
    if not obj["refused"]:
        assert markers, "an answer must cite its statements"


def test_ask_json_single_question(real_settings):
    proc = run_app(["ask", "--json", "Hồ sơ trình có nội dung mật gửi thế nào?"], real_settings)
    assert proc.returncode == 0, proc.stderr
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    assert len(lines) == 1
    obj = json.loads(lines[0])
    check_contract(obj)
    assert obj["refused"] is False
    first = obj["citations"][0]
    assert first["document"] == "long-an-2021-trach-nhiem-cong-vu.txt"
    assert first["clause"] == "Mục 4, điểm c"
    assert first["text"].startswith("Hồ sơ trình có nội dung mật thì chỉ gửi văn bản giấy")
    assert first["province"] == "Long An"


def test_a_cold_ask_loads_neither_torch_nor_the_pos_tagger(real_settings):
    """Answering needs the question's vector (ONNX Runtime) and the stored duty table: the passage
    model (torch) and the Vietnamese tagger (underthesea) are ingest-only and stay unloaded, and
    langchain_core only serves the LLM path and the langchain adapters."""
    code = ("import sys, runpy; sys.argv = ['app.py', 'ask', 'Sở Tài chính phải làm gì?']; "
            "runpy.run_path('app.py', run_name='__main__')")
    probe = ("import atexit, sys; atexit.register(lambda: print('LOADED', sorted(m for m in "
             "('torch', 'sentence_transformers', 'underthesea', 'langchain_core') if m in sys.modules)))")
    env = {**os.environ, "RAG_DATA_DIR": str(real_settings.data_dir), "RAG_CORPUS_DIR": str(real_settings.corpus_dir)}
    out = subprocess.run([sys.executable, "-c", probe + "; " + code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "[1]" in out.stdout and out.stdout.strip().endswith("LOADED []"), out.stdout[-500:]


def test_ask_json_reads_questions_from_stdin_and_refuses_off_topic(real_settings):
    questions = ["Hồ sơ trình có nội dung mật gửi thế nào?",
                 "Sở Nội vụ phải làm gì theo công văn của Thanh Hóa?",
                 "Giá vé tàu Thống Nhất từ Hà Nội vào Sài Gòn?"]
    proc = run_app(["ask", "--json", "--k", "3"], real_settings, stdin="\n".join(questions) + "\n\n")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    assert [o["question"] for o in objs] == questions
    for obj in objs:
        check_contract(obj)
    lookup, duty, off_topic = objs
    assert not lookup["refused"] and len(lookup["citations"]) == 3  # --k caps a clause lookup
    # "What must X do" is answered completely from the duty table, whatever --k says.
    # every Thanh Hóa clause that gives Sở Nội vụ a duty (the receiver of "gửi về Sở Nội vụ để tổng hợp"
    # in its closing is not an actor), not capped by --k: a duty list is complete
    assert not duty["refused"] and "Sở Nội vụ" in duty["answer"] and len(duty["citations"]) == 4
    assert {c["province"] for c in duty["citations"]} == {"Thanh Hóa"}
    assert duty["citations"][0]["clause"].startswith("Mục 3")
    assert off_topic["refused"] is True and off_topic["citations"] == []
    assert off_topic["answer"] == "Không tìm thấy nội dung này trong các văn bản đã nạp."


def test_ask_builds_empty_index_from_bundled_samples(tmp_path):
    from core.settings import Settings

    settings = Settings(data_dir=tmp_path / "fresh", corpus_dir=SAMPLES)
    proc = run_app(["ask", "--json", "ai ky cong van ve chap hanh ky luat ky cuong cua nghe an"], settings,
                   extra_env={"RAG_EMBED_MODEL": "hash"})
    assert proc.returncode == 0, proc.stderr
    assert "added" in proc.stderr  # per-file summary of the automatic first ingest
    obj = json.loads(proc.stdout.strip().splitlines()[-1])
    check_contract(obj)
    assert "Lê Ngọc Hoa" in obj["answer"]


@pytest.mark.parametrize("argv", [["ask", "--k", "nope"], ["bogus-command"]])
def test_bad_arguments_exit_nonzero(argv, real_settings):
    proc = run_app(argv, real_settings)
    assert proc.returncode != 0
    assert "usage" in proc.stderr.lower()


# ---- real formats through the command line ---------------------------------------------------
FORMATS = ROOT / "tests" / "data" / "formats"


@pytest.fixture(scope="module")
def formats_data(tmp_path_factory):
    """A folder of real-format files ingested by `app.py ingest` (hash embedder: the test is about
    loading and the JSON contract, not retrieval quality)."""
    from core.settings import Settings

    folder = tmp_path_factory.mktemp("inbox")
    for name in ("pdf_sample.pdf", "word_letter.doc", "html_chi_thi.html"):
        (folder / name).write_bytes((FORMATS / name).read_bytes())
    (folder / "map.json").write_text("{}", encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), corpus_dir=folder)
    proc = run_app(["ingest", str(folder)], settings, extra_env={"RAG_EMBED_MODEL": "hash"})
    return settings, proc


def test_ingest_of_a_mixed_folder_reports_each_file_and_the_skipped_one(formats_data):
    _, proc = formats_data
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("added") >= 3 and "map.json" in proc.stdout and "skipped" in proc.stdout


def test_documents_json_lists_header_fields_format_pages_and_counts(formats_data):
    settings, _ = formats_data
    proc = run_app(["documents", "--json"], settings, extra_env={"RAG_EMBED_MODEL": "hash"})
    assert proc.returncode == 0, proc.stderr
    rows = {r["document"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert set(rows) == {"pdf_sample.pdf", "word_letter.doc", "html_chi_thi.html"}
    pdf = rows["pdf_sample.pdf"]
    assert (pdf["type"], pdf["number"], pdf["date"], pdf["format"], pdf["pages"], pdf["ocr"]) == \
        ("Công văn", "123/SNV-TCBC", "2025-11-15", "pdf", 2, False)
    assert pdf["issuer"] == "UBND TỈNH LÂM ĐỒNG / SỞ NỘI VỤ" and pdf["signer_title"] == "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"
    assert pdf["clauses"] > 3 and isinstance(pdf["duties"], int) and len(pdf["id"]) == 12
    assert (rows["word_letter.doc"]["format"], rows["html_chi_thi.html"]["type"]) == ("doc", "Chỉ thị")
    keys = {"document", "id", "type", "number", "date", "place", "issuer", "province", "subject", "signer",
            "signer_title", "format", "pages", "ocr", "clauses", "duties", "files", "status", "replaced_by",
            "repealed_by", "amended_by"}
    assert all(set(r) == keys for r in rows.values())
    assert all(r["files"] == [r["document"]] for r in rows.values())


def test_show_json_gives_clauses_with_pages_by_name_or_id(formats_data):
    settings, _ = formats_data
    env = {"RAG_EMBED_MODEL": "hash"}
    by_name = json.loads(run_app(["show", "pdf_sample.pdf", "--json"], settings, extra_env=env).stdout)
    by_id = json.loads(run_app(["show", by_name["id"], "--json"], settings, extra_env=env).stdout)
    assert by_name == by_id
    pages = {c["page"] for c in by_name["clauses"]}
    assert pages == {1, 2}, pages
    assert all(set(c) == {"clause", "page", "kind", "text"} for c in by_name["clauses"])
    missing = run_app(["show", "khong-co.pdf"], settings, extra_env=env)
    assert missing.returncode == 1 and "khong-co.pdf" in missing.stderr


def test_citations_of_a_pdf_carry_their_page(formats_data):
    settings, _ = formats_data
    shown = json.loads(run_app(["show", "pdf_sample.pdf", "--json"], settings,
                               extra_env={"RAG_EMBED_MODEL": "hash"}).stdout)
    on_page_2 = next(c for c in shown["clauses"] if c["page"] == 2 and c["kind"] in ("clause", "closing"))
    proc = run_app(["ask", "--json", "--document", "pdf_sample.pdf", on_page_2["text"][:120]], settings,
                   extra_env={"RAG_EMBED_MODEL": "hash"})
    answer = json.loads(proc.stdout)
    cited = [c for c in answer["citations"] if c["clause"] == on_page_2["clause"]]
    assert cited and cited[0]["page"] == 2 and cited[0]["ocr"] is False, answer


def test_sources_panel_shows_the_cited_pdf_page_as_a_picture(formats_data):
    from assistant.ask import Assistant
    from assistant.library import Library
    from ui.chat import ChatHandlers

    settings, _ = formats_data
    library = Library(settings.with_(embed_model="hash"))
    try:
        handlers = ChatHandlers(Assistant(library))
        _, html, _ = handlers.respond("Đề nghị các cơ quan, đơn vị quan tâm phối hợp thực hiện", [],
                                      documents=["pdf_sample.pdf"])
        assert "trang 2" in html and 'src="data:image/jpeg;base64,' in html and "Xem trang 2" in html
    finally:
        library.close()
