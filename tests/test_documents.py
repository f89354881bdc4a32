"""Managing the library from the web: uploads keep their names and are stored by content,
removal by name or id, the documents API and the write API for administrators only, bad uploads."""
import json
import shutil
import socket

import pytest

from assistant.ask import Assistant
from assistant.library import Library
from assistant.uploads import safe_upload_name
from core.errors import InputFileError
from tests.conftest import SAMPLES, index_state
from tests.formats_fixtures import corrupt_docx, directive_docx

PDF = SAMPLES.parent.parent / "tests" / "data" / "formats" / "pdf_sample.pdf"
DUTY = "Giao Sở Khoa học và Công nghệ chủ trì lập bản đồ số các làng nghề gốm, hoàn thành trước ngày 30/6/2027."
QUESTION = "Ai lập bản đồ số các làng nghề gốm?"


@pytest.mark.parametrize("raw, kept", [
    ("../../x.docx", "x.docx"), ("/etc/passwd.pdf", "passwd.pdf"),
    ("C:\\fakepath\\Công văn 12.docx", "Công văn 12.docx"),
    ("a\x00b.txt", "ab.txt"), ("<img src=x onerror=alert(1)>.txt", "img src=x onerror=alert(1).txt"),
    ("Cong van".replace("o", "ô") + ".docx", "Công van.docx"),
])
def test_upload_names_keep_only_the_file_name(raw, kept):
    assert safe_upload_name(raw) == kept


@pytest.mark.parametrize("raw", ["", "..", "../..", "\x00\x01", "///"])
def test_unusable_upload_names_are_refused(raw):
    with pytest.raises(InputFileError, match="tên tệp"):
        safe_upload_name(raw)


class CountingEmbedder:
    def __init__(self, inner):
        self.inner, self.name, self.calls = inner, inner.name, 0

    def embed_documents(self, texts):
        self.calls += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def library(hash_settings):
    from index.embed import make_embedder

    embedder = CountingEmbedder(make_embedder("hash", hash_settings.model_dir))
    return Library(hash_settings, embedder=embedder)


def test_upload_is_named_as_uploaded_stored_by_content_and_versioned(library, tmp_path):
    first = tmp_path / "a" / "tmpXYZ.docx"
    first.parent.mkdir()
    directive_docx(first, "77/UBND-KT", DUTY)
    result = library.upload([(first, "Công văn 77.docx")]).results[0]
    assert (result.path, result.status) == ("Công văn 77.docx", "added")
    doc = library.find_document("Công văn 77.docx")
    assert doc["source"] == "upload:Công văn 77.docx" and doc["doc_id"] == result.doc_id
    kept = library.original_file(result.doc_id)
    assert kept.read_bytes() == first.read_bytes() and kept.name == f'{doc["content_hash"]}.docx'
    assert library.duties(actor="Sở Khoa học và Công nghệ")
    assert library.upload([(first, "Công văn 77.docx")]).results[0].status == "unchanged"
    second = tmp_path / "b.docx"
    directive_docx(second, "77/UBND-KT", DUTY.replace("gốm", "mây tre"))
    assert library.upload([(second, "Công văn 77.docx")]).results[0].status == "updated"
    assert len(library.find_documents("Công văn 77.docx")) == 1
    assert not kept.exists()  # the old version's bytes went with it
    assert not list((library.data_dir / "uploads-staging").iterdir())


def test_same_number_issuer_and_date_is_offered_as_the_same_directive(library, tmp_path):
    directive_docx(tmp_path / "du-thao.docx", "77/UBND-KT", DUTY)
    directive_docx(tmp_path / "ban-ky.docx", "77/UBND-KT", DUTY + " Bản ký.")
    directive_docx(tmp_path / "khong-so.docx", "   /UBND-KT", DUTY)
    directive_docx(tmp_path / "khong-so-2.docx", "   /UBND-KT", DUTY + " Bản ký.")
    first = library.upload([(tmp_path / "du-thao.docx", "du-thao.docx")]).results[0]
    assert library.upload([(tmp_path / "ban-ky.docx", "ban-ky.docx")]).results[0].same_as == (first.doc_id,)
    library.upload([(tmp_path / "khong-so.docx", "khong-so.docx")])
    assert library.upload([(tmp_path / "khong-so-2.docx", "khong-so-2.docx")]).results[0].same_as == ()


def test_moving_the_corpus_folder_or_uploading_the_same_text_reembeds_nothing(library, tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLES, folder)
    library.ingest([folder])
    calls = library.embedder.calls
    assert calls > 0
    moved = tmp_path / "moved"
    folder.rename(moved)
    report = library.ingest([moved])
    assert report.count("added") == 4  # new identities (another folder) ...
    sample = next(moved.glob("*.txt"))
    assert library.upload([(sample, sample.name)]).results[0].status == "added"
    assert library.embedder.calls == calls  # ... whose clauses were all embedded before


def test_remove_by_name_or_id_and_what_stays(library, tmp_path):
    library.ingest([SAMPLES])
    directive_docx(tmp_path / "x.docx", "77/UBND-KT", DUTY)
    added = library.upload([(tmp_path / "x.docx", "x.docx")]).results[0]
    assert library.coverage(QUESTION) > 0.8
    kept = library.original_file(added.doc_id)
    results = library.remove(["x.docx", "khong-co.docx"])
    assert [(r.path, r.status) for r in results] == [("x.docx", "removed"), ("khong-co.docx", "not_found")]
    assert not kept.exists() and library.coverage(QUESTION) < 0.33
    one = library.documents()[0]
    assert [r.status for r in library.remove([one["doc_id"]])] == ["removed"]
    assert len(library.documents()) == 3


def test_bad_uploads_each_get_their_line_and_change_nothing(library, tmp_path):
    library.ingest([SAMPLES])
    before = index_state(library)
    (tmp_path / "corrupt.docx").write_bytes(corrupt_docx())
    (tmp_path / "anh.exe").write_bytes(b"MZ\x90\x00" * 100)
    (tmp_path / "rong.txt").write_bytes(b"")
    big = tmp_path / "lon.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * int(library.settings.max_file_mb * 1024 * 1024 + 10))
    files = [(tmp_path / "corrupt.docx", "../../corrupt.docx"), (tmp_path / "anh.exe", "anh.exe"),
             (tmp_path / "rong.txt", "/abs/rong.txt"), (big, "lon.pdf"), (tmp_path / "corrupt.docx", "..")]
    results = library.upload(files).results
    assert [r.status for r in results] == ["failed"] * 5
    reasons = {r.path: r.reason for r in results}
    assert "quá lớn" in reasons["lon.pdf"] and "tên tệp" in reasons[".."]
    assert {"corrupt.docx", "anh.exe", "rong.txt"} <= set(reasons)
    assert all(reasons.values())
    assert index_state(library) == before
    assert not list(library.uploads.root.rglob("*.*")) if library.uploads.root.exists() else True


# ---- over HTTP ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def admin_client(tmp_path_factory):
    from gradio_client import Client

    from app import build_app
    from core.settings import Settings
    from ui.web import launch

    root = tmp_path_factory.mktemp("web-admin")
    settings = Settings(data_dir=root / "data", corpus_dir=SAMPLES, embed_model="hash",
                        admin_password="mat-khau-quan-tri", max_file_mb=1)
    library = Library(settings)
    library.ingest([SAMPLES])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo = build_app(settings, assistant=Assistant(library))
    launch(demo, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
    try:
        yield Client(f"http://127.0.0.1:{port}/", verbose=False), library, root
    finally:
        demo.close()
        library.close()


def test_documents_api_lists_the_cli_fields(admin_client):
    client, library, _ = admin_client
    listed = client.predict(api_name="/documents")
    assert {d["document"] for d in listed} == {p.name for p in SAMPLES.glob("*.txt")}
    assert set(library.document_list()[0]) <= set(listed[0]) and listed[0]["ingested_at"]


def test_write_api_needs_the_administrator_password(admin_client, tmp_path):
    from gradio_client import handle_file

    client, library, root = admin_client
    directive_docx(tmp_path / "moi.docx", "78/UBND-KT", DUTY)
    before = index_state(library)
    for password in ("", "sai-mat-khau"):
        with pytest.raises(Exception, match="Sai mật khẩu"):
            client.predict([handle_file(str(tmp_path / "moi.docx"))], password, api_name="/upload")
        with pytest.raises(Exception, match="Sai mật khẩu"):
            client.predict(["long-an-2021-trach-nhiem-cong-vu.txt"], password, api_name="/remove")
    assert index_state(library) == before
    log = [json.loads(line) for line in (root / "data" / "audit.jsonl").read_text().splitlines()]
    assert {e["action"] for e in log} == {"login_failed"}


def test_upload_then_ask_then_remove_over_http(admin_client, tmp_path):
    from gradio_client import handle_file

    client, library, root = admin_client
    directive_docx(tmp_path / "Kế hoạch làng nghề.docx", "79/KH-UBND", DUTY)
    results = client.predict([handle_file(str(tmp_path / "Kế hoạch làng nghề.docx")), handle_file(str(PDF))],
                             "mat-khau-quan-tri", api_name="/upload")
    assert [(r["document"], r["status"]) for r in results] == [("Kế hoạch làng nghề.docx", "added"),
                                                               ("pdf_sample.pdf", "added")]
    answer = client.predict(QUESTION, None, None, api_name="/ask")
    assert not answer["refused"] and answer["citations"][0]["document"] == "Kế hoạch làng nghề.docx"
    removed = client.predict(["Kế hoạch làng nghề.docx", results[1]["id"], "khong-co"], "mat-khau-quan-tri",
                             api_name="/remove")
    assert [r["status"] for r in removed] == ["removed", "removed", "not_found"]
    assert client.predict(QUESTION, None, None, api_name="/ask")["refused"]
    log = [json.loads(line) for line in (root / "data" / "audit.jsonl").read_text().splitlines()]
    uploads = [e for e in log if e["action"] == "upload"]
    assert len(uploads) == 2 and all(len(e["sha256"]) == 64 and e["client"] == "127.0.0.1" for e in uploads)


def test_bad_uploads_over_http_and_the_server_stays_up(admin_client, tmp_path):
    from gradio_client import handle_file

    client, library, _ = admin_client
    before = index_state(library)
    (tmp_path / "hong.docx").write_bytes(corrupt_docx())
    (tmp_path / "lon.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    (tmp_path / "kieu-la.xyz").write_bytes(b"abc")
    many = []
    for i in range(100):
        path = tmp_path / f"rong-{i:03d}.txt"
        path.write_bytes(b"")
        many.append(handle_file(str(path)))
    files = [handle_file(str(tmp_path / n)) for n in ("hong.docx", "lon.pdf", "kieu-la.xyz")] + many
    results = client.predict(files, "mat-khau-quan-tri", api_name="/upload")
    assert len(results) == 103 and {r["status"] for r in results} == {"failed"}
    assert all(r["reason"] for r in results)
    assert index_state(library) == before
    assert client.predict(api_name="/documents")


# ---- the tab's handlers, as plain Python -----------------------------------------------------
@pytest.fixture
def handlers(library):
    from core.settings import Settings
    from ui.access import AdminGate
    from ui.documents import DocumentHandlers

    library.ingest([SAMPLES])
    gate = AdminGate(Settings(data_dir=library.data_dir, admin_password="mat-khau-quan-tri"))
    return DocumentHandlers(library, gate)


def test_table_search_and_whole_document_view(handlers):
    rows = handlers.table("thanh hóa")
    assert rows and all("Thanh Hóa" in row for row in rows)
    assert len(handlers.table("")) == 4 and handlers.table("không-có-văn-bản-này") == []
    doc_id = rows[0][-1]
    html, original, pages = handlers.view(doc_id)
    assert original and original.endswith(".txt") and pages == []
    assert html.count('id="clause-') == len(handlers.library.catalog.chunks_of(doc_id))
    assert "<li><b>" in html  # a clause's duties beside it
    start = handlers.library.catalog.chunks_of(doc_id)[3].start
    focused, _, _ = handlers.open_cited(f"{doc_id}#{start}#123")
    assert focused.count("rag-clause-focus") == 1 and f'id="clause-{start}"' in focused
    assert "Chọn một văn bản" in handlers.view("khong-co")[0]


def test_pdf_view_has_its_page_images(handlers):
    result = handlers.library.upload([(PDF, PDF.name)]).results[0]
    _, original, pages = handlers.view(result.doc_id)
    assert original.endswith(".pdf") and len(pages) == 2 and all(p.endswith(".png") for p in pages)


def test_upload_stream_needs_a_session_and_shows_progress_then_results(handlers, tmp_path):
    from ui.access import AccessDenied

    directive_docx(tmp_path / "x.docx", "77/UBND-KT", DUTY)
    with pytest.raises(AccessDenied):
        list(handlers.upload_stream([str(tmp_path / "x.docx")], None, "1.2.3.4"))
    token, message = handlers.login("admin", "mat-khau-quan-tri", "1.2.3.4")
    assert token and "Đã đăng nhập" in message
    assert handlers.conflicts([str(tmp_path / "x.docx")]) == []
    steps = list(handlers.upload_stream([{"path": str(tmp_path / "x.docx"), "orig_name": "Công văn.docx"}],
                                        token, "1.2.3.4"))
    assert "<progress" in steps[0][0]
    html, results = steps[-1]
    assert [(r["document"], r["status"]) for r in results] == [("Công văn.docx", "added")]
    assert "đã thêm" in html
    assert handlers.conflicts([{"path": str(tmp_path / "x.docx"), "orig_name": "Công văn.docx"}]) == ["Công văn.docx"]
    assert [r["status"] for r in handlers.remove_with_session(["Công văn.docx"], token, "1.2.3.4")] == ["removed"]
    assert [row[3] for row in handlers.audit_rows(token)] == ["remove", "upload", "login"]


def test_a_file_read_by_an_older_reading_is_read_again_by_the_next_ingest(library, tmp_path):
    """Same bytes, better reading: after an upgrade of the OCR (settings, pen-digit weights, lexicon)
    or of a loader, `ingest` reads the file again instead of calling it unchanged; a file read by the
    current reading stays unchanged."""
    from ingest.load import LOADER_VERSION, reading_id
    from ingest.ocr import Ocr
    from tests.ingest.test_ocr import scanned_page

    if not Ocr(tmp_path / "probe").available():
        pytest.skip("tesseract with its Vietnamese model is not installed")
    scan = tmp_path / "cong-van-quet.png"
    scanned_page().save(scan, dpi=(200, 200))
    word = tmp_path / "cong-van.docx"
    directive_docx(word, "77/UBND-KT", DUTY)
    first = {r.path: r.status for r in library.ingest([scan, word]).results}
    assert set(first.values()) == {"added"}
    doc_id = library.find_document("cong-van-quet.png")["doc_id"]
    assert library.catalog.document_info(doc_id)["reader"] == reading_id(True)
    assert {r.status for r in library.ingest([scan, word]).results} == {"unchanged"}
    # as an index built before this OCR version records it
    library.catalog._db.execute("UPDATE documents SET info = json_set(info, '$.reader', 'tesseract:5') WHERE doc_id=?",
                                (doc_id,))
    library.catalog._db.commit()
    again = {r.path.rsplit("/", 1)[-1]: r.status for r in library.ingest([scan, word]).results}
    assert again == {"cong-van-quet.png": "updated", "cong-van.docx": "unchanged"}
    assert library.catalog.document_info(doc_id)["reader"] == reading_id(True)
    assert {r.status for r in library.ingest([scan, word]).results} == {"unchanged"}
    # a newer loader reads a born-digital file again too (here: as an index built before loader versions)
    word_id = library.find_document("cong-van.docx")["doc_id"]
    assert library.catalog.document_info(word_id)["reader"] == LOADER_VERSION
    library.catalog._db.execute("UPDATE documents SET info = json_set(info, '$.reader', '') WHERE doc_id=?",
                                (word_id,))
    library.catalog._db.commit()
    again = {r.path.rsplit("/", 1)[-1]: r.status for r in library.ingest([scan, word]).results}
    assert again == {"cong-van-quet.png": "unchanged", "cong-van.docx": "updated"}
