"""A draft .docx and the signed PDF of one directive are one document: duties counted once, the
signed file cited; two directives that merely look alike stay two."""
import pytest

from assistant.library import Library
from assistant.versions import copies, jaccard, shingles
from core.types import Header
from tests.formats_fixtures import directive_docx

DUTY = "Giao Sở Khoa học và Công nghệ chủ trì lập bản đồ số các làng nghề gốm, hoàn thành trước ngày 30/6/2027."


def doc(doc_id, number, date, fmt="docx", issuer="UBND TỈNH GIA LAI", at=0.0):
    return {"doc_id": doc_id, "name": f"{doc_id}.{fmt}", "info": {"format": fmt}, "ingested_at": at,
            "header": Header(doc_type="Công văn", number=number, date=date, issuer=issuer)}


def test_same_number_issuer_and_date_signed_file_stands_for_it():
    texts = {"a": "x " * 50, "b": "y " * 50, "c": "z " * 50}
    docs = [doc("a", "77/UBND-KT", "2027-03-10"), doc("b", "77/UBND-KT", "2027-03-10", "pdf"),
            doc("c", "78/UBND-KT", "2027-03-10")]
    assert copies(docs, texts.get) == {"a": "b"}


def test_blank_numbers_never_match_by_number_but_near_identical_text_does():
    body = " ".join(f"điều {i} giao sở nội vụ thực hiện việc {i}" for i in range(60))
    texts = {"draft": body, "signed": body + " KT. CHỦ TỊCH", "other": body.replace("nội vụ", "tài chính")}
    docs = [doc("draft", "/UBND-KT", "2027"), doc("signed", "77/UBND-KT", "2027", "scan"),
            doc("other", "/UBND-KT", "2027")]
    assert copies(docs, texts.get) == {"draft": "signed"}
    assert jaccard(shingles(texts["draft"]), shingles(texts["other"])) < 0.85


def test_alike_directives_with_different_numbers_stay_two():
    body = " ".join(f"kế hoạch năm nội dung {i}" for i in range(80))
    docs = [doc("y2026", "10/KH-UBND", "2026-01-05"), doc("y2027", "12/KH-UBND", "2027-01-05")]
    assert copies(docs, {"y2026": body, "y2027": body}.get) == {}


@pytest.fixture
def library(hash_settings):
    return Library(hash_settings)


def test_draft_and_signed_are_one_document_in_the_library(library, tmp_path):
    directive_docx(tmp_path / "du-thao.docx", "77/UBND-KT", DUTY)
    directive_docx(tmp_path / "ban-ky.docx", "77/UBND-KT", DUTY + " Đã ký.")
    library.ingest([tmp_path / "du-thao.docx"])
    one = len(library.duties())
    library.ingest([tmp_path / "ban-ky.docx"])  # the later file stands for it (both Word here)
    assert len(library.duties()) == one
    listed = library.document_list()
    assert len(listed) == 1 and listed[0]["files"] == ["ban-ky.docx", "du-thao.docx"]
    hits = library.search("bản đồ số các làng nghề gốm", k=5)
    assert {h.chunk.document for h in hits} == {"ban-ky.docx"}
    assert library.show("du-thao.docx")["copy_of"] == listed[0]["id"]
    library.remove(["ban-ky.docx"])  # the draft stands for it again
    assert [d["document"] for d in library.document_list()] == ["du-thao.docx"]
    assert len(library.duties()) == one
