"""Directive assistant: web chat and command line.

    python app.py                       # same as: python app.py serve
    python app.py ingest PATH... [--sync] [--rebuild]
    python app.py ask [--json] [--k N] [QUESTION ...]
"""
from __future__ import annotations

import sys

from core.settings import Settings, prepare_environment


def build_app(settings: Settings, assistant=None):
    """The Gradio Blocks of the chat. Handlers live in ui.chat and are plain Python."""
    import gradio as gr

    from ui.chat import ChatHandlers
    from ui.duties import DutyHandlers

    if assistant is None:
        from ui.cli import open_assistant
        assistant = open_assistant(settings)
    handlers = ChatHandlers(assistant)
    duties = DutyHandlers(assistant.library)
    with gr.Blocks(title="Trợ lý văn bản chỉ đạo") as demo:
        gr.Markdown("## Trợ lý văn bản chỉ đạo\nHỏi về công văn, chỉ thị, kế hoạch đã nạp. "
                    "Mỗi câu trả lời dẫn nguồn tới đúng điều khoản [n]; nếu văn bản không nói, trợ lý sẽ báo không tìm thấy.")
        with gr.Tab("Hỏi đáp"):
            _chat_tab(gr, handlers, assistant)
        with gr.Tab("Nhiệm vụ theo cơ quan"):
            _duties_tab(gr, handlers, duties)
        with gr.Tab("Lịch hạn"):
            _calendar_tab(gr, handlers, duties)
        gr.api(handlers.ask_json, api_name="ask")
    return demo


def _chat_tab(gr, handlers, assistant) -> None:
    from ui.chat import EXAMPLES, documents_html

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
    with gr.Accordion("Văn bản đã nạp", open=False):
        gr.HTML(documents_html(assistant.library.documents()))
    inputs = [box, chat, docs, provs]
    outputs = [chat, sources, box]
    send.click(handlers.respond_stream, inputs, outputs, api_name="respond")
    box.submit(handlers.respond_stream, inputs, outputs, api_visibility="private")
    clear.click(lambda: ([], '<div class="rag-sources rag-empty">Chưa có câu hỏi.</div>'), None,
                [chat, sources], api_visibility="private")


def _duties_tab(gr, handlers, duties) -> None:
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
    csv_btn.click(duties.export_csv, inputs, file, api_name="export_csv")
    xlsx_btn.click(duties.export_xlsx, inputs, file, api_name="export_xlsx")
    docx_btn.click(duties.export_docx, inputs, file, api_name="export_docx")
    gr.api(duties.table, api_name="duties")


def _calendar_tab(gr, handlers, duties) -> None:
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
    ics_btn.click(duties.export_ics, [actor, provs], file, api_name="export_ics")


def main(argv: list[str] | None = None) -> int:
    prepare_environment()  # thread limits and offline flags, before anything loads numpy
    from ui.cli import run
    return run(sys.argv[1:] if argv is None else argv, build_app)


if __name__ == "__main__":
    sys.exit(main())
