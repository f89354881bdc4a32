"""The chat page in a real browser: a question typed and sent as a person would, the cited
answer and its sources shown, and nothing alarming (no alert, no console error) on the way."""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import served_url

WAIT_MS = 60_000  # the first answer loads the embedder and the reranker
SHOT = os.environ.get("RAG_TEST_SCREENSHOT")   # a path: the refusal test saves its page there


@pytest.fixture(scope="module")
def chat_url(real_assistant):
    from app import build_app

    with served_url(build_app(real_assistant.library.settings, assistant=real_assistant)) as url:
        yield url


def test_question_typed_and_sent_shows_cited_answer_and_sources(page, chat_url):
    page.goto(chat_url)  # not "networkidle": a gr.Timer polls, so the network is never idle
    box = page.get_by_placeholder("Nhập câu hỏi")
    expect(box).to_be_editable(timeout=WAIT_MS)
    box.fill("Ai chủ trì kiểm tra công vụ đột xuất?")
    page.get_by_role("button", name="Gửi", exact=True).click()

    expect(page.locator("[data-testid='user']").last).to_contain_text("kiểm tra công vụ đột xuất", timeout=WAIT_MS)
    expect(page.locator("[data-testid='bot']").last).to_contain_text("[1]", timeout=WAIT_MS)
    expect(page.locator("div.rag-sources")).to_contain_text("Thanh Hóa", timeout=WAIT_MS)
    expect(box).to_have_value("")

    assert page.dialogs == []
    assert page.console_errors == []
    assert page.page_errors == []
    assert page.external_requests == []


def test_a_figure_the_documents_do_not_state_is_refused_with_the_nearest_clause_shown(page, chat_url):
    page.goto(chat_url)
    box = page.get_by_placeholder("Nhập câu hỏi")
    expect(box).to_be_editable(timeout=WAIT_MS)
    box.fill("Hồ sơ trình có nội dung mật phải gửi trước bao nhiêu ngày?")
    page.get_by_role("button", name="Gửi", exact=True).click()

    answer = page.locator("[data-testid='bot']").last
    expect(answer).to_contain_text("không nêu con số", timeout=WAIT_MS)
    expect(answer).to_contain_text("[1]")
    expect(page.locator("div.rag-sources")).to_contain_text("Long An", timeout=WAIT_MS)
    expect(page.locator("div.rag-sources")).not_to_contain_text("Không có nguồn")
    if SHOT:
        page.screenshot(path=SHOT, full_page=True)
    assert page.console_errors == [] and page.page_errors == []
