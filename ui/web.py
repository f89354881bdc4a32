"""The web page: its tabs, their events and the HTTP API. Handlers live in the other ui modules
and are plain Python; this module only wires them to Gradio components (imported only to serve)."""
import json
import os
from pathlib import Path

import gradio as gr

from core.settings import Settings

# Concurrency groups of the queue. Gradio's default runs every event one at a time (each event its
# own group of 1), so questions queued one behind another. Events not named here are pure reads
# (document list, timers, filters) and take no slot at all (concurrency_limit=None).
ANSWER = "answer"   # the chat and /ask: one question per core (retrieval is CPU work, and the GIL)
FILES = "files"     # exports and document views with page images: CPU work, but never a chat slot
INGEST = "ingest"   # uploads and removals: one at a time on the ingest worker, never a chat slot
ADMIN = "admin"     # logins: password hashing, one at a time
GRADIO_THREADS = 40  # Gradio's worker threads (launch's max_threads default)
# Gradio keeps a copy of the whole page's configuration (document table, calendar, choices) for each
# of the last 10,000 sessions by default, and every API call is a session of its own: measured
# +0.18 MB per request over the samples, without end. The least recently used are dropped; an open
# tab uses its session every 3 s (timer), so only closed tabs and finished API calls go.
SESSIONS_KEPT = 500
# Gradio's default ("auto") sends every waiting question its queue position and estimate each time
# any question starts: with n waiting, n messages through the event loop per question asked. Once a
# second is enough for the page's "position in queue" and costs n messages per second instead.
STATUS_UPDATE_SECONDS = 1.0


def cpu_slots(settings: Settings) -> int:
    """Questions answered at once: RAG_CHAT_CONCURRENCY, else one per core."""
    return settings.chat_concurrency or os.cpu_count() or 1


def queue_groups(settings: Settings, llm: bool) -> dict[str, dict]:
    """The event options of each group: `**groups[ANSWER]`. With an LLM, a question waiting for the
    model holds a worker thread but no core (ui.chat.AnswerSlots caps cores and model calls inside
    the event), so the answer group then only leaves a few threads free for reads and uploads."""
    cpu = cpu_slots(settings)
    limits = {ANSWER: GRADIO_THREADS - 8 if llm else cpu, FILES: cpu, INGEST: 1, ADMIN: 1}
    return {name: {"concurrency_id": name, "concurrency_limit": n} for name, n in limits.items()}


def build_app(settings: Settings, assistant=None):
    """The Gradio Blocks of the chat. Handlers live in ui/* and are plain Python."""
    from ui.access import AdminGate
    from ui.chat import AnswerSlots, ChatHandlers
    from ui.documents import DocumentHandlers
    from ui.duties import DutyHandlers

    if assistant is None:
        from ui.cli import open_assistant
        assistant = open_assistant(settings)
    llm = assistant.generator is not None
    groups = queue_groups(settings, llm)
    slots = AnswerSlots(cpu_slots(settings), max(1, settings.llm_concurrency)) if llm else None
    handlers = ChatHandlers(assistant, slots)
    duties = DutyHandlers(assistant.library)
    documents = DocumentHandlers(assistant.library, AdminGate(settings))
    with gr.Blocks(title="Trợ lý văn bản chỉ đạo") as demo:
        gr.Markdown("## Trợ lý văn bản chỉ đạo\nHỏi về công văn, chỉ thị, kế hoạch đã nạp. "
                    "Mỗi câu trả lời dẫn nguồn tới đúng điều khoản [n]; "
                    "nếu văn bản không nói, trợ lý sẽ báo không tìm thấy.")
        with gr.Tabs() as tabs:
            with gr.Tab("Hỏi đáp", id="chat"):
                chat_filters = _chat_tab(handlers, groups)
            with gr.Tab("Nhiệm vụ theo cơ quan", id="duties"):
                duty_filters = _duties_tab(handlers, duties, groups)
            with gr.Tab("Lịch hạn", id="calendar"):
                calendar = _calendar_tab(handlers, duties, groups)
            with gr.Tab("Văn bản", id="documents"):
                docs_view = _documents_tab(documents, tabs, groups)
        gr.api(handlers.ask_json, api_name="ask", **groups[ANSWER])
        _keep_fresh(assistant.library, handlers, duties, documents, chat_filters, duty_filters, calendar,
                    docs_view)
    # After every event Gradio rebuilds a pandas summary of its last 10,000 events for its monitoring
    # page (unused here), holding the GIL: measured 8 ms per event with 3,000 events, 30 ms with
    # 10,000 (timer ticks count too). Read when the queue is made; a value set by the user is kept.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9))
    # Events outside the groups are pure reads: no limit. max_size bounds what waits (a full queue
    # says so at once instead of piling up requests).
    return demo.queue(default_concurrency_limit=None, max_size=settings.queue_size or None,
                      status_update_rate=STATUS_UPDATE_SECONDS)


def _keep_fresh(library, handlers, duties, documents, chat_filters, duty_filters, calendar, docs_view) -> None:
    """After any change (this page, the CLI, another worker sharing the store) every filter, agency
    list, the calendar and the document list refresh, without a restart."""
    seen = gr.State(library.catalog.generation())
    timer = gr.Timer(3.0)
    chat_docs, chat_provs = chat_filters
    duty_actor, duty_provs, duty_docs = duty_filters
    cal_actor, cal_provs, timeline = calendar
    table, query, remove_choice = docs_view

    def tick(generation, actor, provinces, search):
        library.refresh()
        now = library.catalog.generation()
        if now == generation:
            return [gr.skip()] * 11
        docs, provs, actors = handlers.document_choices(), handlers.province_choices(), duties.actor_choices()
        return [now, gr.update(choices=docs), gr.update(choices=provs), gr.update(choices=actors),
                gr.update(choices=provs), gr.update(choices=docs), gr.update(choices=actors),
                gr.update(choices=provs), duties.calendar_html(actor, provinces), documents.table(search),
                gr.update(choices=documents.choices())]

    timer.tick(tick, [seen, cal_actor, cal_provs, query],
               [seen, chat_docs, chat_provs, duty_actor, duty_provs, duty_docs, cal_actor, cal_provs, timeline,
                table, remove_choice], api_visibility="private", show_progress="hidden")


def _chat_tab(handlers, groups):
    from ui.chat import EXAMPLES

    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(label="Hội thoại", height=520, buttons=["copy"], feedback_options=None)
            with gr.Row():
                box = gr.Textbox(placeholder="Nhập câu hỏi, ví dụ: Sở Nội vụ phải làm gì?", show_label=False,
                                 scale=5, max_lines=4)
                send = gr.Button("Gửi", variant="primary", scale=1)
            gr.Examples(EXAMPLES, inputs=box, label="Câu hỏi mẫu")
            clear = gr.Button("Xóa hội thoại", size="sm")
        with gr.Column(scale=2):
            docs = gr.Dropdown(choices=handlers.document_choices(), multiselect=True,
                               label="Lọc theo văn bản (để trống = tất cả)")
            provs = gr.Dropdown(choices=handlers.province_choices(), multiselect=True,
                                label="Lọc theo tỉnh")
            gr.Markdown("### Nguồn trích dẫn")
            sources = gr.HTML('<div class="rag-sources rag-empty">Chưa có câu hỏi.</div>')
    inputs = [box, chat, docs, provs]
    outputs = [chat, sources, box]
    send.click(handlers.respond_stream, inputs, outputs, api_name="respond", **groups[ANSWER])
    box.submit(handlers.respond_stream, inputs, outputs, api_visibility="private", **groups[ANSWER])
    clear.click(lambda: ([], '<div class="rag-sources rag-empty">Chưa có câu hỏi.</div>'), None,
                [chat, sources], api_visibility="private")
    return docs, provs


def _duties_tab(handlers, duties, groups):
    from ui.duties import TABLE_HEADERS

    with gr.Row():
        actor = gr.Dropdown(choices=duties.actor_choices(), value=None, allow_custom_value=True, scale=2,
                            label="Cơ quan (gõ tên hoặc tên viết tắt, ví dụ: Sở NV, VP UBND tỉnh)")
        provs = gr.Dropdown(choices=handlers.province_choices(), multiselect=True, label="Tỉnh", scale=1)
        docs = gr.Dropdown(choices=handlers.document_choices(), multiselect=True, label="Văn bản", scale=2)
        roles = gr.Dropdown(choices=duties.role_choices(), multiselect=True, label="Vai trò", scale=1)
    summary = gr.Markdown()
    table = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, label="Nhiệm vụ")
    with gr.Row():
        csv_btn = gr.Button("Xuất CSV")
        xlsx_btn = gr.Button("Xuất Excel (.xlsx)")
        docx_btn = gr.Button("Xuất Word (.docx)")
        file = gr.File(label="Tệp xuất", interactive=False)
    inputs = [actor, provs, docs, roles]
    for control in inputs:
        control.change(duties.table, inputs, [table, summary], api_visibility="private")
    csv_btn.click(duties.export_csv, inputs, file, api_name="export_csv", **groups[FILES])
    xlsx_btn.click(duties.export_xlsx, inputs, file, api_name="export_xlsx", **groups[FILES])
    docx_btn.click(duties.export_docx, inputs, file, api_name="export_docx", **groups[FILES])
    gr.api(duties.table, api_name="duties")
    return actor, provs, docs


def _calendar_tab(handlers, duties, groups):
    with gr.Row():
        actor = gr.Dropdown(choices=duties.actor_choices(), value=None, allow_custom_value=True,
                            label="Cơ quan (để trống = tất cả)")
        provs = gr.Dropdown(choices=handlers.province_choices(), multiselect=True, label="Tỉnh")
    timeline = gr.HTML(duties.calendar_html())
    with gr.Row():
        ics_btn = gr.Button("Tải lịch (.ics)")
        file = gr.File(label="Tệp lịch", interactive=False)
    for control in (actor, provs):
        control.change(duties.calendar_html, [actor, provs], timeline, api_visibility="private")
    ics_btn.click(duties.export_ics, [actor, provs], file, api_name="export_ics", **groups[FILES])
    return actor, provs, timeline


def _documents_tab(documents, tabs, groups):
    """The loaded documents, one document as a whole, and (for administrators) upload and remove."""
    from ui.access import ENABLE_HINT, AccessDenied
    from ui.documents import TABLE_HEADERS, results_html

    def client(request) -> str:
        return getattr(getattr(request, "client", None), "host", None) or "?"

    with gr.Row():
        query = gr.Textbox(placeholder="Tìm theo số, cơ quan, trích yếu, tỉnh, tên tệp…", show_label=False, scale=4)
    table = gr.Dataframe(value=documents.table(), headers=TABLE_HEADERS, interactive=False, wrap=True,
                         label="Văn bản đã nạp (bấm một dòng để xem toàn văn)", elem_id="rag-doc-table",
                         column_widths=["90px", "130px", "100px", "200px", "100px", "320px", "160px", "80px",
                                        "80px", "80px", "60px", "130px", "220px", "110px"], max_height=420)
    with gr.Row():
        with gr.Column(scale=3):
            view = gr.HTML(documents.view(None)[0], elem_id="rag-doc-view")
        with gr.Column(scale=2):
            original = gr.File(label="Tệp gốc", interactive=False)
            pages = gr.Gallery(label="Trang của bản gốc", columns=2, height=320, preview=False)
    opened = gr.Textbox(visible="hidden", elem_id="rag-open-document")  # set by a citation's link (ui.chat.HEAD)

    def pick(rows, event: gr.SelectData):
        row = event.row_value if getattr(event, "row_value", None) else rows.iloc[event.index[0]].tolist()
        return documents.view(row[-1])

    query.change(documents.table, query, table, api_visibility="private")
    table.select(pick, table, [view, original, pages], api_visibility="private", **groups[FILES])
    opened.change(lambda target: (*documents.open_cited(target), gr.Tabs(selected="documents")), opened,
                  [view, original, pages, tabs], api_visibility="private", **groups[FILES]).then(
        None, None, None, js="() => { const el = document.querySelector('.rag-clause-focus');"
                             " if (el) el.scrollIntoView({block: 'center'}); }")
    gr.api(documents.documents, api_name="documents")

    with gr.Accordion("Quản trị: tải lên, gỡ văn bản, nhật ký", open=not documents.gate.configured):
        if not documents.gate.configured:
            gr.Markdown(ENABLE_HINT)
        token = gr.State(None)
        with gr.Row(visible=documents.gate.configured):
            user = gr.Textbox(label="Tên quản trị", value="admin", scale=1)
            password = gr.Textbox(label="Mật khẩu quản trị", type="password", scale=2)
            login = gr.Button("Đăng nhập", scale=1)
            logout = gr.Button("Đăng xuất", scale=1, size="sm")
        status = gr.Markdown()
        with gr.Group(visible=False) as admin:
            files = gr.File(label="Kéo thả hoặc chọn tệp (.docx, .doc, .pdf, ảnh quét, .html, .txt, .md)",
                            file_count="multiple", elem_id="rag-upload-files")
            send = gr.Button("Tải lên", variant="primary", elem_id="rag-upload-button")
            with gr.Row(visible=False) as confirm_replace:
                replace_note = gr.Markdown()
                replace_yes = gr.Button("Thay thế", variant="stop")
                replace_no = gr.Button("Hủy")
            progress = gr.HTML(elem_id="rag-upload-progress")
            remove_choice = gr.Dropdown(choices=documents.choices(), multiselect=True, label="Gỡ văn bản",
                                        elem_id="rag-remove-choice")
            remove = gr.Button("Gỡ các văn bản đã chọn", elem_id="rag-remove-button")
            with gr.Row(visible=False) as confirm_remove:
                remove_note = gr.Markdown()
                remove_yes = gr.Button("Xác nhận gỡ", variant="stop", elem_id="rag-remove-confirm")
                remove_no = gr.Button("Hủy")
            remove_result = gr.HTML(elem_id="rag-remove-result")
            audit_button = gr.Button("Xem nhật ký thay đổi", size="sm")
            audit = gr.Dataframe(headers=["Thời điểm", "Người", "Máy", "Thao tác", "Văn bản", "Kết quả", "sha256"],
                                 interactive=False, wrap=True, visible=False)

    def do_login(name, secret, request: gr.Request):
        session, message = documents.login(name, secret, client(request))
        return session, message, gr.Group(visible=session is not None), ""

    def do_logout(session):
        session, message = documents.logout(session)
        return session, message, gr.Group(visible=False)

    def ask_replace(chosen, session):
        try:
            documents.gate.session_user(session)
        except AccessDenied as e:
            return gr.Row(visible=False), str(e)
        names = documents.conflicts(chosen)
        if not names:
            return gr.Row(visible=False), ""
        return gr.Row(visible=True), ("Các tệp sau đã có và sẽ được **thay thế** bằng bản mới: " +
                                      ", ".join(f"`{n}`" for n in names) + ". Tiếp tục?")

    def run_upload(chosen, session, request: gr.Request):
        try:
            for html, _ in documents.upload_stream(chosen, session, client(request)):
                yield html, gr.Row(visible=False)
        except AccessDenied as e:
            yield results_html([{"document": "—", "status": "failed", "reason": str(e)}]), gr.Row(visible=False)

    def maybe_upload(chosen, session, request: gr.Request):
        confirm, note = ask_replace(chosen, session)
        if note and "thay thế" not in note:  # not logged in / expired
            yield results_html([{"document": "—", "status": "failed", "reason": note}]), confirm, note
            return
        if note:
            yield gr.skip(), confirm, note
            return
        for html, row in run_upload(chosen, session, request):
            yield html, row, ""

    login.click(do_login, [user, password], [token, status, admin, password], api_visibility="private",
                **groups[ADMIN])
    password.submit(do_login, [user, password], [token, status, admin, password], api_visibility="private",
                    **groups[ADMIN])
    logout.click(do_logout, token, [token, status, admin], api_visibility="private")
    send.click(maybe_upload, [files, token], [progress, confirm_replace, replace_note], api_visibility="private",
               **groups[INGEST])
    replace_yes.click(run_upload, [files, token], [progress, confirm_replace], api_visibility="private",
                      **groups[INGEST])
    replace_no.click(lambda: gr.Row(visible=False), None, confirm_replace, api_visibility="private")

    def ask_remove(chosen):
        if not chosen:
            return gr.Row(visible=False), "Chưa chọn văn bản nào."
        names = {value: label for label, value in documents.choices()}
        listed = ", ".join(f"`{names.get(c, c)}`" for c in chosen)
        return gr.Row(visible=True), f"Gỡ hẳn {len(chosen)} văn bản khỏi thư viện: {listed}?"

    def do_remove(chosen, session, request: gr.Request):
        try:
            results = documents.remove_with_session(chosen, session, client(request))
        except AccessDenied as e:
            results = [{"document": "—", "status": "failed", "reason": str(e)}]
        return results_html(results), gr.Row(visible=False), gr.update(value=[])

    def show_audit(session):
        try:
            return gr.Dataframe(value=documents.audit_rows(session), visible=True)
        except AccessDenied as e:
            raise gr.Error(str(e)) from e

    remove.click(ask_remove, remove_choice, [confirm_remove, remove_note], api_visibility="private")
    remove_yes.click(do_remove, [remove_choice, token], [remove_result, confirm_remove, remove_choice],
                     api_visibility="private", **groups[INGEST])
    remove_no.click(lambda: gr.Row(visible=False), None, confirm_remove, api_visibility="private")
    audit_button.click(show_audit, token, audit, api_visibility="private")
    _write_api(documents, client, groups)
    return table, query, remove_choice


def _write_api(documents, client, groups) -> None:
    """/upload(files, password) and /remove(documents, password) for gradio_client: the same
    operations as the page, for administrators only."""
    from ui.access import AccessDenied

    with gr.Group(visible=False):
        api_files = gr.File(file_count="multiple")
        api_refs = gr.JSON()
        api_password = gr.Textbox()
        api_out = gr.JSON()
        upload_trigger = gr.Button()
        remove_trigger = gr.Button()

    def upload(files, password, request: gr.Request):
        try:
            return documents.upload_api(files, password, client(request))
        except AccessDenied as e:
            raise gr.Error(str(e)) from e

    def remove(refs, password, request: gr.Request):
        try:
            return documents.remove_api(refs or [], password, client(request))
        except AccessDenied as e:
            raise gr.Error(str(e)) from e

    upload_trigger.click(upload, [api_files, api_password], api_out, api_name="upload", **groups[INGEST])
    remove_trigger.click(remove, [api_refs, api_password], api_out, api_name="remove", **groups[INGEST])


def launch(demo, host: str, port: int, auth=None, **options):
    """Serve the page with its styles and script (the CLI and the tests serve it the same way)."""
    from ui.chat import CSS, HEAD

    # Gradio's own words (upload box, table menus, copy buttons, login) in Vietnamese for every browser
    # locale; footer_links=[]: its footer (API, "built with", settings) has no translation.
    words = json.loads((Path(__file__).with_name("gradio_vi.json")).read_text(encoding="utf-8"))
    options.setdefault("state_session_capacity", SESSIONS_KEPT)
    return demo.launch(server_name=host, server_port=port, css=CSS, head=HEAD, show_error=True, auth=auth,
                       footer_links=[], i18n=gr.I18n(vi=words, en=words),
                       auth_message="Đăng nhập để dùng trợ lý văn bản / log in" if auth else None, **options)
