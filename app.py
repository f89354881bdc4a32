"""Directive assistant: web chat and command line.

    python app.py                       # same as: python app.py serve
    python app.py ingest PATH... [--sync] [--rebuild]
    python app.py ask [--json] [--k N] [QUESTION ...]
"""
from __future__ import annotations

import sys

import rag  # noqa: F401  (sets thread and offline environment before numpy loads)
from rag.settings import Settings


def build_app(settings: Settings, assistant=None):
    """The Gradio Blocks of the chat. Handlers live in rag.web and are plain Python."""
    import gradio as gr

    from rag.web import EXAMPLES, ChatHandlers, documents_html

    if assistant is None:
        from rag.cli import open_assistant
        assistant = open_assistant(settings)
    handlers = ChatHandlers(assistant)
    with gr.Blocks(title="Trợ lý văn bản chỉ đạo") as demo:
        gr.Markdown("## Trợ lý văn bản chỉ đạo\nHỏi về công văn, chỉ thị, kế hoạch đã nạp. "
                    "Mỗi câu trả lời dẫn nguồn tới đúng điều khoản [n]; nếu văn bản không nói, trợ lý sẽ báo không tìm thấy.")
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
        send.click(handlers.respond, inputs, outputs, api_name="respond")
        box.submit(handlers.respond, inputs, outputs, api_visibility="private")
        clear.click(lambda: ([], '<div class="rag-sources rag-empty">Chưa có câu hỏi.</div>'), None,
                    [chat, sources], api_visibility="private")
        gr.api(handlers.ask_json, api_name="ask")
    return demo


def main(argv: list[str] | None = None) -> int:
    from rag.cli import run
    return run(sys.argv[1:] if argv is None else argv, build_app)


if __name__ == "__main__":
    sys.exit(main())
