"""Legacy Vietnamese encodings (TCVN3, VNI; Windows-1258 and VISCII refused), repair of legacy glyphs
in PDF text layers, and the text-quality score."""
from __future__ import annotations

import codecs
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from core.errors import InputFileError
from ingest.encoding import (
    VIETNAMESE_LETTERS,
    decode_legacy,
    decode_text_bytes,
    diacritic_ratio,
    encode_legacy,
    is_syllable,
    repair_legacy_text,
    text_quality,
)

REAL = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"
LOWER = [c for c in VIETNAMESE_LETTERS if c.islower()]
UPPER = [c for c in VIETNAMESE_LETTERS if c.isupper()]
# A made-up directive in the usual shape. Mixed-case words start with an untoned capital: TCVN3 (ABC)
# cannot write a toned capital outside an all-capitals line.
SAMPLE = ("UBND TỈNH THỬ NGHIỆM\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
          "Số: 12/2025/CT-UBND\nThử Nghiệm, ngày 10 tháng 3 năm 2025\n"
          "CHỈ THỊ\nVề việc tăng cường kỷ luật, kỷ cương hành chính\n"
          "1. Giám đốc Sở Nội vụ chủ trì, phối hợp với các cơ quan kiểm tra công vụ; báo cáo kết quả "
          "trước ngày 30/6/2025.\n2. Chủ tịch UBND các huyện, thị xã chỉ đạo rà soát thủ tục hành chính, "
          "khắc phục tình trạng chậm trễ, gây phiền hà cho người dân và doanh nghiệp.\n")
ACCENTLESS = ("THONG BAO Ket luan cua Pho Chu tich UBND tinh tai cuoc hop ve chi so cai cach hanh chinh "
              "nam 2024 Giao So Noi vu chu tri phoi hop voi cac co quan lien quan bao cao ket qua")
OCR_GARBAGE = ("THONGBAo Ket ludn cua Ph6 Chu tich UBND tinh tai cu6c hop vd chi s6 cai cach hdnh chinh "
               "nam 2O24 Giao S0 Ldm D6ng chu tri ph6i hop v6i cac co quan lidn quan bao cao kdt qud")


def _write(tmp_path: Path, raw: bytes, name: str = "cong-van.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


# --- the tables -----------------------------------------------------------------------------------

def test_letter_set_is_the_134_toned_and_modified_letters():
    assert len(set(VIETNAMESE_LETTERS)) == 134 and len(LOWER) == len(UPPER) == 67
    assert all(unicodedata.is_normalized("NFC", c) and len(c) == 1 for c in VIETNAMESE_LETTERS)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_every_lowercase_letter_round_trips(encoding):
    for letter in LOWER:
        assert decode_legacy(encode_legacy(letter, encoding), encoding) == letter, letter


def test_every_vni_capital_round_trips():
    for letter in UPPER:
        assert decode_legacy(encode_legacy(letter, "vni"), "vni") == letter, letter


def test_tcvn3_capitals_round_trip_as_abc_writes_them():
    # ABC has its own bytes only for Ă Â Ê Ô Ơ Ư Đ; toned capitals are lowercase bytes drawn by
    # .VnTimeH, and come back as capitals inside a line of capitals.
    for letter in "ĂÂÊÔƠƯĐ":
        assert decode_legacy(encode_legacy(letter, "tcvn3"), "tcvn3") == letter
    line = " ".join(f"NG{c}NG" for c in UPPER)
    assert decode_legacy(encode_legacy(line, "tcvn3"), "tcvn3") == line


@pytest.mark.skipif(not shutil.which("iconv"), reason="iconv not installed")
@pytest.mark.parametrize("encoding, iconv_name, first", [("tcvn3", "TCVN5712-1", 0xA0), ("viscii", "VISCII", 0x80)])
def test_tables_agree_with_glibc(encoding, iconv_name, first):
    for byte in range(first, 0x100):
        done = subprocess.run(["iconv", "-f", iconv_name, "-t", "UTF-8"], input=bytes([byte]), capture_output=True)
        if done.returncode:
            pytest.skip(f"iconv has no {iconv_name}")
        assert decode_legacy(bytes([byte]), encoding) == unicodedata.normalize("NFC", done.stdout.decode()), hex(byte)


@pytest.mark.parametrize("encoding, glyphs, text", [
    # spellings published by independent converters
    ("vni", "Xin chaøo caùc baïn", "Xin chào các bạn"),
    ("tcvn3", "B¶o Th¾ng", "Bảo Thắng"),
    ("tcvn3", "M\xadêng Kh\xad¬ng", "Mường Khương"),  # \xad (soft hyphen) is ư
    ("vni", "Vieät Nam Coäng hoøa", "Việt Nam Cộng hòa"),
    ("tcvn3", "ViÖt Nam Céng hoµ", "Việt Nam Cộng hoà"),
])
def test_known_spellings(encoding, glyphs, text):
    assert decode_legacy(glyphs.encode("cp1252"), encoding) == text
    assert encode_legacy(text, encoding) == glyphs.encode("cp1252")


# --- decode_text_bytes ----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_text_file_decodes_to_the_unicode_original(tmp_path, encoding):
    raw = encode_legacy(SAMPLE, encoding)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert decode_text_bytes(raw, _write(tmp_path, raw)) == (SAMPLE, encoding)


@pytest.mark.parametrize("raw, name", [
    (SAMPLE.encode(), "utf-8"),
    (codecs.BOM_UTF8 + SAMPLE.encode(), "utf-8-sig"),
    (SAMPLE.encode("utf-16"), "utf-16"),
    (unicodedata.normalize("NFD", SAMPLE).encode(), "utf-8"),
])
def test_unicode_files(tmp_path, raw, name):
    assert decode_text_bytes(raw, _write(tmp_path, raw)) == (SAMPLE, name)


def test_tcvn3_glyphs_pasted_into_a_utf8_file_are_converted(tmp_path):
    raw = encode_legacy(SAMPLE, "tcvn3").decode("cp1252").encode("utf-8")
    assert decode_text_bytes(raw, _write(tmp_path, raw)) == (SAMPLE, "utf-8+tcvn3")


def _cp1258(text: str) -> bytes:
    """Windows-1258 as editors write it: base letter, then a combining tone byte."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            hat = "".join(m for m in marks if m in "\u0302\u0306\u031b")
            out += unicodedata.normalize("NFC", base + hat).encode("cp1258")
            out += "".join(m for m in marks if m not in hat).encode("cp1258")
    return out


@pytest.mark.parametrize("raw", [_cp1258(SAMPLE), "Công văn".encode("cp1258")], ids=["long", "short"])
def test_windows_1258_is_converted(tmp_path, raw):
    text, name = decode_text_bytes(raw, _write(tmp_path, raw))
    assert name == "cp1258"
    assert text == (SAMPLE if len(raw) > 20 else "Công văn")


def test_viscii_is_converted(tmp_path):
    inverse = {decode_legacy(bytes([b]), "viscii"): bytes([b]) for b in range(0x80, 0x100)}
    raw = b"".join(inverse[ch] if ch in inverse else ch.encode("ascii") for ch in SAMPLE)
    text, name = decode_text_bytes(raw, _write(tmp_path, raw))
    assert (text, name) == (SAMPLE, "viscii")


@pytest.mark.parametrize("raw, words", [
    (b"So Noi vu\x00\x00\x00\x01\x02binary" * 100, "binary file"),
    (SAMPLE.encode("utf-16-le"), "binary file"),
    (("Sở Nội vụ\x01\x02\x03\x04" * 200).encode(), "looks binary"),
    ("Le président de la République a signé le décret".encode("latin-1"), "not UTF-8 (bad byte at 5)"),
    (bytes(b for b in range(1, 256) if b not in b"\n\r\t\x0c") * 20, "not UTF-8"),
])
def test_undecodable_input_is_refused(tmp_path, raw, words):
    with pytest.raises(InputFileError, match=words.replace("(", r"\(").replace(")", r"\)")):
        decode_text_bytes(raw, _write(tmp_path, raw))


# --- repair of text layers -----------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_pdf_text_in_legacy_glyphs_is_repaired(encoding):
    glyphs = encode_legacy(SAMPLE, encoding).decode("cp1252")  # what a PDF library hands over
    assert text_quality(glyphs) < 0.4
    assert repair_legacy_text(glyphs) == (SAMPLE, encoding)


@pytest.mark.parametrize("glyphs, text, encoding", [
    ("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "tcvn3"),
    ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "vni"),
    ("§iÒu 1. Giao Së Néi vô chñ tr×.\nĐiều 2. Sở Tài chính bố trí kinh phí.",
     "Điều 1. Giao Sở Nội vụ chủ trì.\nĐiều 2. Sở Tài chính bố trí kinh phí.", "tcvn3"),  # mixed fonts
])
def test_pdf_style_strings(glyphs, text, encoding):
    assert repair_legacy_text(glyphs) == (text, encoding)


def test_a_legacy_line_inside_a_unicode_document_is_converted_alone():
    header = encode_legacy("SỞ NỘI VỤ TỈNH THỬ NGHIỆM", "tcvn3").decode("cp1252")
    assert repair_legacy_text(header + "\n" + SAMPLE) == ("SỞ NỘI VỤ TỈNH THỬ NGHIỆM\n" + SAMPLE, "tcvn3")


@pytest.mark.parametrize("text", [SAMPLE, ACCENTLESS, "Email: vanthu@thunghiem.gov.vn", ""])
def test_text_that_is_not_legacy_is_left_alone(text):
    assert repair_legacy_text(text) == (text, None)


def test_misread_glyphs_are_repaired_from_the_document_itself():
    # A font whose ToUnicode map is off by a few code points: 'Ú' comes out as 'Ö', 'Ò' as 'Õ'.
    page = ("ỦY BAN NHÂN DÂN CỘNG HÕA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nXÃ QUẢNG PHÖ\n"
            "UBND xã Quảng Phú thông báo lịch tiếp công dân của Chủ tịch, Phó Chủ tịch.\n")
    fixed, mapping = repair_legacy_text(page)
    assert mapping == "glyph-fix"
    assert fixed == page.replace("HÕA", "HÒA").replace("PHÖ", "PHÚ")
    assert fixed.count("\n") == page.count("\n")


def test_misread_glyph_without_evidence_is_kept():
    page = "CỘNG HÕA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nXÃ HÖA BÌNH\n"  # nothing says what 'HÖA' should be
    assert repair_legacy_text(page) == (page, None)


# --- text quality ---------------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["hòa", "hoà", "thủy", "thuỷ", "khỏe", "khoẻ", "quốc", "quyết", "giữa", "gìn",
                                  "nghĩa", "người", "rượu", "khuỷu", "khuya", "ngoài", "huỳnh", "Đắk", "ý", "yêu",
                                  "KHOA", "Việt", "kỹ", "ghi", "tuyển", "thuở"])
def test_well_formed_syllables(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["qúa", "hòan", "tóan", "céng", "CéNG", "cuy", "kan", "ngi", "ge", "ghan",
                                  "bàc", "thoâng", "baùo", "Th«ng", "D6ng", "Ldm", "THONGBAo", "phö", "hóà",
                                  "fan", "wow", "sxa"])
def test_ill_formed_syllables(word):
    assert not is_syllable(word)


def test_real_vietnamese_scores_high_and_every_garbage_kind_low():
    real = text_quality(SAMPLE)
    accentless, ocr = text_quality(ACCENTLESS), text_quality(OCR_GARBAGE)
    tcvn3 = text_quality(encode_legacy(SAMPLE, "tcvn3").decode("cp1252"))
    vni = text_quality(encode_legacy(SAMPLE, "vni").decode("cp1252"))
    soup = text_quality("¸µ¶ @#$ ¤¤ %^& ®® ~~ ÷÷ 12 ©")
    assert real > 0.95
    assert 0.4 < accentless < 0.7  # typed without marks on purpose: plausible, but not a real text layer
    assert ocr < 0.45 and ocr < accentless
    assert max(tcvn3, vni, soup) < 0.35


def test_codes_numbers_and_abbreviations_count_as_good():
    assert text_quality("Số: 12/2025/NĐ-CP, 64/2014/NĐ-CP, 24/CT-TTg ngày 25/11/2013; UBND, HĐND, V/v") == 1.0
    assert text_quality("") == 0.0 and text_quality(" - ... ") == 0.0


def test_diacritic_ratio():
    assert diacritic_ratio(SAMPLE) > 0.7
    assert diacritic_ratio(ACCENTLESS) == 0.0


# --- the real corpus (skipped when absent) --------------------------------------------------------

def _text_layer(name: str) -> str:
    path = REAL / name
    if not path.is_file() or not shutil.which("pdftotext"):
        pytest.skip("real corpus or pdftotext not available")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_real_commune_pdf_with_misread_glyphs_is_repaired():
    text = _text_layer("krongno-QuangPhu-02-TB-lich-tiep-cong-dan.pdf")
    fixed, mapping = repair_legacy_text(text)
    assert mapping == "glyph-fix"
    assert "PHÖ" not in fixed and "HÕA" not in fixed
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in fixed and "QUẢNG PHÚ" in fixed
    assert fixed.count("\n") == text.count("\n")
    assert text_quality(fixed) > 0.95


def test_real_hidden_ocr_layer_scores_low_and_is_not_repaired():
    text = _text_layer("lamdong-TB-493-ketluan-chi-so-CCHC.pdf")  # held out: checked, never tuned on
    assert text_quality(text) < 0.35
    assert repair_legacy_text(text)[1] is None
