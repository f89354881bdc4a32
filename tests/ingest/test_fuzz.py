"""Hostile files: a short fuzz run through every loader (eval/fuzz.py, fixed seed, repository seeds
only) must end with no unclear error and no crash; and Hypothesis properties of the pure parts
the loaders share (decoding, cleaning, header parsing) on arbitrary input. Every property has a
fixed budget (max_examples, no deadline) so the run takes the same time on any machine."""
from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.errors import RagError
from ingest.encoding import LEGACY, decode_legacy, decode_text_bytes, encode_legacy, repair_legacy_text
from ingest.header import parse_header
from ingest.layout import layout
from ingest.load import route
from ingest.textfile import clean_text, read_text_file

PATH = Path("hypothesis.txt")
BUDGET = settings(max_examples=150, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Text that looks like directives: Vietnamese letters, digits, the punctuation headers use, line breaks.
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩị" \
             "óòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
directive_text = st.lists(st.sampled_from(list(VIETNAMESE + "0123456789 .,:;/-()\n\t") + [
    "Số: ", "V/v ", "Kính gửi:", "Nơi nhận:", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
    "ngày ", " tháng ", " năm 2024", "UBND TỈNH ", "KT. CHỦ TỊCH", "Điều 1. ", "PHỤ LỤC", "\u0301", "\u0323",
    "\r\n", "\u200b", "\u00ad", "**", "## ", "[bookmark:x]"]),
    max_size=200).map("".join)
any_text = st.text(max_size=400)


def _is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


# ---- the fuzzer, briefly ------------------------------------------------------------------------
def test_short_fuzz_run_has_no_unclear_error_and_no_crash(tmp_path):
    from eval.fuzz import SHARES, format_table, fuzz

    started = time.monotonic()
    report = fuzz(200, workers=2, seed=20260601, real_dir=None, failures_dir=tmp_path / "failures", log=lambda m: None)
    print(format_table(report), f"\ntest wall {time.monotonic() - started:.1f} s")
    assert report["inputs"] == 200
    assert not report["failures"], "\n".join(f"{f['status']} {f['case']} {f['detail']}" for f in report["failures"])
    formats = {r["format"] for r in report["table"]}
    assert set(SHARES) <= formats, f"every format is fuzzed, even briefly: {formats}"
    assert not (tmp_path / "failures").exists()


def test_fuzz_cases_and_inputs_are_reproducible():
    from eval.fuzz import make_input, plan
    from eval.fuzz_inputs import load_seeds

    seeds = load_seeds(None)
    first, again = plan(300, 5, seeds), plan(300, 5, load_seeds(None))
    assert first == again
    assert [make_input(c, seeds) for c in first[:60]] == [make_input(c, seeds) for c in again[:60]]
    counts = {f: sum(c.fmt == f for c in first) for f in ("image", "scan", "doc", "txt", "pdf")}
    assert max(counts["image"], counts["scan"], counts["doc"]) < min(counts["txt"], counts["pdf"]) / 5


def test_classification_of_errors(tmp_path):
    from core.errors import InputFileError
    from eval.fuzz import classify

    path = tmp_path / "x.pdf"
    assert classify(InputFileError(path, "PDF bị hỏng / corrupt PDF", "in lại / print again"), path)[0] == "clear"
    assert classify(InputFileError("other.pdf", "hỏng / corrupt", "sửa / fix"), path)[0] == "unclear"
    assert classify(InputFileError(path, "cannot parse the file (KeyError: 'x')", "check"), path)[0] == "unclear"
    assert classify(InputFileError(path, "the parser crashed (exit code -11)", "check"), path)[0] == "crash"
    assert classify(KeyError("x"), path)[0] == "unclear"
    assert classify(MemoryError(), path)[0] == "crash"


# ---- properties ---------------------------------------------------------------------------------
@BUDGET
@given(st.binary(max_size=2000))
def test_decoding_arbitrary_bytes_gives_nfc_text_or_a_clear_error(raw):
    try:
        text, name = decode_text_bytes(raw, PATH)
    except RagError as e:
        assert PATH.name in str(e)
        return
    assert _is_nfc(text) and isinstance(name, str)


@BUDGET
@given(directive_text, st.sampled_from(("utf-8", "utf-8-sig", "utf-16", *LEGACY)))
def test_decoding_text_in_any_supported_encoding_gives_nfc_text_or_a_clear_error(text, encoding):
    if encoding in ("tcvn3", "vni"):
        try:
            raw = encode_legacy(text, encoding)
        except UnicodeEncodeError:  # the fixture encoder has no byte for a lone combining mark
            assume(False)
    else:
        raw = text.encode("cp1258" if encoding == "cp1258" else encoding if encoding != "viscii" else "ascii",
                          errors="replace")
    try:
        decoded, _ = decode_text_bytes(raw, PATH)
    except RagError:
        return
    assert _is_nfc(decoded)


@BUDGET
@given(st.binary(max_size=256), st.sampled_from(LEGACY))
def test_legacy_decoding_of_any_bytes_is_nfc(raw, encoding):
    assert _is_nfc(decode_legacy(raw, encoding))


@BUDGET
@given(st.text(alphabet=VIETNAMESE + " \n.,", max_size=300), st.sampled_from(("tcvn3", "vni")))
def test_vietnamese_round_trips_through_vni_and_tcvn3_lowercase(text, encoding):
    text = unicodedata.normalize("NFC", text.lower())
    assert decode_legacy(encode_legacy(text, encoding), encoding).lower() == text


@BUDGET
@given(st.one_of(any_text, directive_text))
def test_repairing_any_text_keeps_it_nfc(text):
    fixed, name = repair_legacy_text(text)
    assert _is_nfc(fixed) and name in (None, "tcvn3", "vni", "glyph-fix")


@BUDGET
@given(st.binary(max_size=3000))
def test_text_loader_on_arbitrary_bytes(raw):
    try:
        text, headings, notes = read_text_file(raw, PATH)
    except RagError as e:
        assert PATH.name in str(e)
        return
    assert _is_nfc(text) and text.strip()
    assert all(0 <= h < len(text) and (h == 0 or text[h - 1] == "\n") for h in headings)


@BUDGET
@given(st.one_of(any_text, directive_text))
def test_cleaning_any_text_gives_nfc_lines_and_heading_offsets_at_line_starts(text):
    cleaned, headings = clean_text(text)
    assert _is_nfc(cleaned) and "\r" not in cleaned
    assert all(0 <= h <= len(cleaned) and (h == 0 or cleaned[h - 1] == "\n") for h in headings)


@BUDGET
@given(st.one_of(any_text, directive_text))
def test_header_parsing_of_any_text_does_not_raise(text):
    text, headings = clean_text(text)
    parts = layout(text, (), headings)
    header = parse_header(text, parts)
    assert header is not None


@BUDGET
@given(st.binary(max_size=64), st.sampled_from((".txt", ".md", ".pdf", ".docx", ".doc", ".html", ".png", ".xlsx", "")))
def test_routing_any_head_and_name_picks_a_loader_or_refuses_clearly(head, suffix):
    path = Path(f"x{suffix}")
    try:
        loader = route(path, head)
    except RagError as e:
        assert path.name in str(e)
        return
    assert loader in ("txt", "docx", "doc", "pdf", "image", "html")


@pytest.mark.parametrize("markup", ["<div>" * 100_000 + "Sở Nội vụ", "<table><tr><td>" * 3000 + "x",
                                    '<table><tr><td rowspan="0" colspan="1000">a</td></tr>' * 50 + "</table>"])
def test_html_loader_on_deep_or_huge_markup_answers_clearly(tmp_path, markup):
    from ingest.webpage import read_html

    path = tmp_path / "sau.html"
    path.write_text(f"<html><body>{markup}</body></html>", encoding="utf-8")
    try:
        read_html(path)
    except RagError as e:
        assert path.name in str(e)
