"""The Văn bản tab in a real browser: an administrator logs in, uploads a Word file and a PDF,
sees per-file progress and results, asks about the new document, removes it and sees the same
question refused; without login there is no upload control and the API refuses; hostile file
names and text show as text in every tab."""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import served_url
from tests.conftest import SAMPLES
from tests.formats_fixtures import directive_docx

WAIT_MS = 90_000
PASSWORD = "mat-khau-quan-tri-2026"
PDF = SAMPLES.parent.parent / "tests" / "data" / "formats" / "pdf_sample.pdf"
DUTY = "Giao Sở Khoa học và Công nghệ chủ trì lập bản đồ số các làng nghề gốm, hoàn thành trước ngày 30/6/2027."
QUESTION = "Ai lập bản đồ số các làng nghề gốm?"
PDF_QUESTION = "Bảng phân công: ai chủ trì số hóa hồ sơ, hoàn thành tháng 6/2026?"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def admin_app(real_index_dir, tmp_path_factory):
    """The real app (e5 index of the samples, copied so this module may change it) with an
    administrator password."""
    from app import build_app
    from assistant.ask import Assistant
    from assistant.library import Library
    from core.settings import Settings

    data_dir = tmp_path_factory.mktemp("browser-admin") / "data"
    shutil.copytree(real_index_dir, data_dir)
    settings = Settings(data_dir=data_dir, corpus_dir=SAMPLES, admin_password=PASSWORD)
    library = Library(settings)
    with served_url(build_app(settings, assistant=Assistant(library))) as url:
        yield url, library


def open_documents_tab(page, url):
    page.goto(url)
    expect(page.get_by_placeholder("Nhập câu hỏi")).to_be_editable(timeout=WAIT_MS)
    page.get_by_role("tab", name="Văn bản").click()
    expect(page.locator("#rag-doc-table")).to_be_visible()


def ask(page, question):
    page.get_by_role("tab", name="Hỏi đáp").click()
    box = page.get_by_placeholder("Nhập câu hỏi")
    box.fill(question)
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator("[data-testid='bot']").last).not_to_contain_text("Đang tìm", timeout=WAIT_MS)
    return page.locator("[data-testid='bot']").last


def test_administrator_uploads_asks_removes(page, admin_app, tmp_path):
    url, library = admin_app
    docx = tmp_path / "Kế hoạch làng nghề 2027.docx"
    directive_docx(docx, "79/KH-UBND", DUTY)
    open_documents_tab(page, url)
    assert page.locator("#rag-upload-files input[type=file]").count() == 0  # nothing to upload with yet
    page.get_by_text("Quản trị: tải lên, gỡ văn bản, nhật ký").click()
    page.get_by_label("Mật khẩu quản trị").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Sai mật khẩu quản trị")).to_be_visible()
    assert page.locator("#rag-upload-files input[type=file]").count() == 0
    page.get_by_label("Mật khẩu quản trị").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Đã đăng nhập quản trị")).to_be_visible()

    page.evaluate("""() => { window.sawProgress = 0; new MutationObserver(() => {
        window.sawProgress = Math.max(window.sawProgress,
            document.querySelectorAll('#rag-upload-progress progress').length); })
        .observe(document.body, {childList: true, subtree: true}); }""")
    page.locator("#rag-upload-files input[type=file]").set_input_files([str(docx), str(PDF)])
    page.locator("#rag-upload-button").click()
    results = page.locator(".rag-upload-results")
    expect(results).to_contain_text("Kế hoạch làng nghề 2027.docx", timeout=WAIT_MS)
    expect(results.locator("tr.rag-status-added")).to_have_count(2)
    assert page.evaluate("window.sawProgress") == 2  # one progress bar per file while loading
    expect(page.locator("#rag-doc-table")).to_contain_text("79/KH-UBND", timeout=15_000)  # the list refreshed

    answer = ask(page, QUESTION)
    expect(answer).to_contain_text("[1]")
    expect(page.locator("div.rag-sources")).to_contain_text("Kế hoạch làng nghề 2027.docx")
    page.locator("div.rag-sources a.rag-open").first.click()  # the citation opens its clause
    expect(page.locator("#rag-doc-view .rag-clause-focus")).to_contain_text("bản đồ số", timeout=WAIT_MS)

    ask(page, PDF_QUESTION)                       # a PDF citation shows its page, the clause highlighted
    card = page.locator("div.rag-source", has_text="pdf_sample.pdf").first
    card.get_by_text("Xem trang 1 của bản gốc").click()
    picture = card.locator("details.rag-page img")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") > 500

    page.get_by_role("tab", name="Văn bản").click()
    choice = page.locator("#rag-remove-choice input")
    choice.click()
    choice.fill("Kế hoạch làng nghề")
    page.get_by_role("option", name="Kế hoạch làng nghề 2027.docx · 79/KH-UBND").click()
    page.locator("#rag-remove-button").click()
    expect(page.get_by_text("Gỡ hẳn 1 văn bản")).to_be_visible()
    page.locator("#rag-remove-confirm").click()
    expect(page.locator("#rag-remove-result")).to_contain_text("đã gỡ", timeout=WAIT_MS)
    assert library.find_document("Kế hoạch làng nghề 2027.docx") is None

    answer = ask(page, QUESTION)
    expect(answer).to_contain_text("Không tìm thấy")
    assert page.dialogs == [] and page.page_errors == [] and page.external_requests == []


def test_without_login_no_upload_control_and_the_api_refuses(page, admin_app):
    from gradio_client import Client, handle_file

    url, library = admin_app
    open_documents_tab(page, url)
    page.get_by_text("Quản trị: tải lên, gỡ văn bản, nhật ký").click()
    expect(page.get_by_label("Mật khẩu quản trị")).to_be_visible()
    assert page.locator("#rag-upload-files input[type=file]").count() == 0
    assert page.locator("#rag-remove-button").count() == 0
    client = Client(url, verbose=False)
    count = len(library.documents())
    with pytest.raises(Exception, match="Sai mật khẩu"):
        client.predict([handle_file(str(PDF))], "", api_name="/upload")
    with pytest.raises(Exception, match="Sai mật khẩu"):
        client.predict([library.documents()[0]["name"]], "", api_name="/remove")
    assert len(library.documents()) == count


def test_read_only_page_says_how_to_enable_uploads(page, hash_settings):
    from app import build_app
    from assistant.ask import Assistant
    from assistant.library import Library

    library = Library(hash_settings)
    library.ingest([SAMPLES])
    with served_url(build_app(hash_settings, assistant=Assistant(library))) as url:
        open_documents_tab(page, url)
        expect(page.get_by_text("chế độ chỉ đọc").first).to_be_visible()
        assert page.locator("#rag-upload-files input[type=file]").count() == 0


def test_hostile_names_and_text_show_as_text_in_every_tab(page, hash_settings, tmp_path):
    from app import build_app
    from assistant.ask import Assistant
    from assistant.library import Library

    library = Library(hash_settings)
    library.ingest([SAMPLES])
    folder = tmp_path / "hostile"
    folder.mkdir()
    hostile = folder / f"{HOSTILE}.txt"  # a legal file name on Linux, loaded from a folder as it is
    hostile.write_text(
        "Số: 12/UBND-VX\n\nGia Lai, ngày 01 tháng 02 năm 2027\n\nV/v kiểm tra <script>alert(2)</script> phòng cháy\n\n"
        f"1. Giao Sở Xây dựng chủ trì kiểm tra phòng cháy {HOSTILE} tại các chợ, báo cáo trước ngày 30/6/2027.\n",
        encoding="utf-8")
    assert library.ingest([folder]).results[0].status == "added"
    with served_url(build_app(hash_settings, assistant=Assistant(library))) as url:
        page.goto(url)
        ask(page, "Sở Xây dựng kiểm tra phòng cháy tại các chợ thế nào?")
        expect(page.locator("div.rag-sources")).to_contain_text("onerror=alert(1)")
        page.get_by_role("tab", name="Nhiệm vụ theo cơ quan").click()
        actor = page.get_by_label("Cơ quan (gõ tên")
        actor.fill("Sở Xây dựng")
        actor.press("Enter")
        expect(page.locator("body")).to_contain_text("onerror=alert(1)", timeout=WAIT_MS)
        page.get_by_role("tab", name="Lịch hạn").click()
        expect(page.locator("body")).to_contain_text("kiểm tra phòng cháy", timeout=WAIT_MS)
        page.get_by_role("tab", name="Văn bản").click()
        table = page.locator("#rag-doc-table")
        expect(table).to_contain_text("onerror=alert(1)")
        table.get_by_text("12/UBND-VX").click()
        expect(page.locator("#rag-doc-view")).to_contain_text("<script>alert(2)</script>")
        page.wait_for_timeout(1000)
        assert page.dialogs == []
        assert page.locator("img[src='x']").count() == 0
        # (Gradio's own config script holds the text JSON-escaped; an injected one would be just the call)
        injected = page.evaluate("() => [...document.querySelectorAll('script')]"
                                 ".filter(s => /^\\s*alert\\(/.test(s.textContent)).length")
        assert injected == 0 and page.page_errors == []
