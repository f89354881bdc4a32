"""Importing gradio through `ui` skips gradio's type-stub writer (3 s of every start, and writes
into site-packages) and nothing else: components still build and serve their events."""
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import sys, ui, gradio as gr
import gradio.component_meta as meta, gradio.blocks_events as blocks_events
assert meta.create_or_modify_pyi is ui.skip_stub_writing, meta.create_or_modify_pyi
assert blocks_events.create_or_modify_pyi is ui.skip_stub_writing
assert not any(isinstance(f, ui._SkipGradioStubWriter) for f in sys.meta_path)  # it removed itself
with gr.Blocks() as demo:
    box = gr.Textbox()
    out = gr.Textbox()
    box.submit(lambda s: s.upper(), box, out)
assert hasattr(gr.Textbox, "submit") and demo.fns
print("ok")
"""


def test_gradio_imported_through_ui_writes_no_type_stubs_and_still_builds_pages():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_without_ui_first_gradio_is_left_alone():
    """The finder only acts when `ui` is imported before gradio; imported afterwards it does nothing."""
    probe = ("import gradio, gradio.component_meta as meta, ui, sys\n"
             "assert meta.create_or_modify_pyi is not ui.skip_stub_writing\n"
             "assert not any(isinstance(f, ui._SkipGradioStubWriter) for f in sys.meta_path)\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
