"""OCR (ingest/ocr.py): a synthetic scanned page drawn here and recognised by the real Tesseract
(reading order, deskew, red stamp, cache), the layout rules on hand-made word boxes, bad input,
and the character error rate on the hand-transcribed real pages."""
from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from core.errors import InputFileError
from ingest.ocr import Ocr, Word, page_blocks
from ingest.ocr_image import deskew, gray_without_red, measure_skew

DPI = 200
LEFT = ["ỦY BAN NHÂN DÂN", "TỈNH MẪU SƠN", "Số: 125/UBND-VX"]
RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
         "Mẫu Sơn, ngày 12 tháng 3 năm 2024"]
TITLE = ["KẾ HOẠCH", "Kiểm tra công tác văn thư, lưu trữ năm 2024"]
BODY = [
    ("Để nâng cao chất lượng công tác văn thư, lưu trữ, Ủy ban nhân dân tỉnh ban hành kế hoạch "
     "kiểm tra tại các cơ quan, đơn vị như sau:"),
    ("1. Các sở, ban, ngành rà soát hồ sơ, tài liệu và báo cáo kết quả về Sở Nội vụ trước ngày "
     "30 tháng 6 năm 2024."),
    ("2. Ủy ban nhân dân các huyện, thành phố phối hợp thực hiện; định kỳ hằng quý gửi báo cáo "
     "về Sở Nội vụ để tổng hợp, trình Chủ tịch Ủy ban nhân dân tỉnh."),
    "a) Kiểm tra việc lập hồ sơ điện tử;",
    "b) Hướng dẫn nghiệp vụ cho cán bộ, công chức làm công tác văn thư.",
]
STAMP = "ĐÃ DUYỆT"


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    family = "Liberation Serif:bold" if bold else "Liberation Serif"
    for name in (family, family.replace("Liberation Serif", "DejaVu Serif")):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", name], capture_output=True, text=True, check=False)
            path = found.stdout
        except OSError:
            path = ""
        if path.endswith(".ttf") and Path(path).is_file():
            return ImageFont.truetype(path, size)
    pytest.skip("no Vietnamese-capable TrueType font (fonts-liberation2 or fonts-dejavu-core)")


def scanned_page(angle: float = 0.0, seed: int = 1):
    """An A4 page at 200 dpi: two-column header, centred title, wrapped body paragraphs, a red
    stamp over the right header column, rotated by `angle` degrees, with scanner noise."""
    import numpy as np
    from PIL import Image, ImageChops, ImageDraw

    width, height = int(8.27 * DPI), int(11.69 * DPI)
    size = round(13 * DPI / 72)
    regular, bold = _font(size), _font(size, bold=True)
    page = Image.new("RGB", (width, height), (246, 244, 238))
    draw = ImageDraw.Draw(page)
    y = int(0.8 * DPI)
    for column, centre in ((LEFT, 0.27), (RIGHT, 0.66)):
        for i, line in enumerate(column):
            font = bold if i < 2 else regular
            draw.text((centre * width - draw.textlength(line, font=font) / 2, y + i * 1.5 * size), line,
                      font=font, fill=(20, 20, 20))
    stamp = Image.new("RGB", (width, height), "white")    # ink on ink: multiplied, black stays black
    ink = ImageDraw.Draw(stamp)
    cx, cy, r = int(0.8 * width), int(y + 2.4 * size), int(0.45 * DPI)
    ink.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(205, 40, 45), width=7)
    ink.text((cx - ink.textlength(STAMP, font=bold) / 2, cy - size / 2), STAMP, font=bold, fill=(210, 45, 50))
    page = ImageChops.multiply(page, stamp)
    draw = ImageDraw.Draw(page)
    y += int(5.5 * size)
    left, right = int(1.2 * DPI), width - int(0.8 * DPI)
    for i, line in enumerate(TITLE):                 # centred between the margins, as Word does
        font = bold if i == 0 else regular
        draw.text(((left + right - draw.textlength(line, font=font)) / 2, y), line, font=font, fill=(20, 20, 20))
        y += int(1.5 * size)
    y += size
    for para in BODY:                                # justified, first line indented, as Word does
        lines, x0 = [[]], left + (0 if para[0].isdigit() or para[1] == ")" else int(0.5 * DPI))
        for word in para.split():
            start = x0 if len(lines) == 1 else left
            if start + draw.textlength(" ".join(lines[-1] + [word]), font=regular) > right:
                lines.append([])
            lines[-1].append(word)
        for i, words in enumerate(lines):
            start = x0 if i == 0 else left
            spare = right - start - sum(draw.textlength(w, font=regular) for w in words)
            last = i == len(lines) - 1 or len(words) == 1
            gap = draw.textlength(" ", font=regular) if last else spare / (len(words) - 1)
            for w in words:
                draw.text((start, y), w, font=regular, fill=(20, 20, 20))
                start += draw.textlength(w, font=regular) + gap
            y += int(1.45 * size)
        y += int(0.35 * size)
    if angle:
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(246, 244, 238))
    noise = np.random.default_rng(seed).normal(0, 9, (height, width, 1))
    return Image.fromarray(np.clip(np.asarray(page) + noise, 0, 255).astype(np.uint8))


def expected_text() -> str:
    return "\n".join(LEFT + RIGHT + TITLE + BODY)


def joined(blocks) -> str:
    return "\n".join(b.text for b in blocks)


@pytest.fixture(scope="module")
def ocr_available():
    if not Ocr(Path("/nonexistent")).available():
        pytest.skip("tesseract with the 'vie' model is not installed")


@pytest.fixture(scope="module")
def recognised(tmp_path_factory, ocr_available):
    """A 2-page TIFF (straight page, page rotated 1.5°) read once, counting tesseract runs."""
    folder = tmp_path_factory.mktemp("ocr")
    path = folder / "scan.tif"
    first, second = scanned_page(), scanned_page(angle=1.5, seed=2)
    first.save(path, save_all=True, append_images=[second], dpi=(DPI, DPI), compression="tiff_lzw")
    calls, progress = [], []
    with pytest.MonkeyPatch.context() as mp:
        original = Ocr._run
        mp.setattr(Ocr, "_run", lambda self, *a, **k: calls.append(a[-1]) or original(self, *a, **k))
        extracted = Ocr(folder / "cache").read_image(path, progress=lambda *a: progress.append(a))
    return {"path": path, "cache": folder / "cache", "extracted": extracted, "calls": calls, "progress": progress}


# --- the synthetic scan, recognised for real ------------------------------------------------------

def test_synthetic_page_is_read_with_small_cer(recognised):
    from eval.ocr_eval import cer

    extracted = recognised["extracted"]
    assert extracted.format == "image" and extracted.pages == 2 and extracted.ocr_pages == (1, 2)
    for page in (1, 2):
        blocks = [b for b in extracted.blocks if b.page == page]
        assert all(b.ocr and b.text and "\n" not in b.text for b in blocks)
        score = cer(joined(blocks), expected_text())
        print(f"synthetic page {page}: CER {score:.4f}")
        assert score < 0.03


def test_header_left_column_comes_before_right_column(recognised):
    texts = [b.text for b in recognised["extracted"].blocks if b.page == 1]
    order = [next(i for i, t in enumerate(texts) if t.startswith(start))
             for start in ("ỦY BAN", "TỈNH MẪU", "Số: 125", "CỘNG HÒA", "Độc lập", "Mẫu Sơn, ngày")]
    assert order == sorted(order) and order == list(range(order[0], order[0] + 6))  # one block per line


def test_body_lines_rejoined_into_paragraphs(recognised):
    texts = [b.text for b in recognised["extracted"].blocks if b.page == 1]
    starts = ("Để nâng cao", "1. Các sở", "2. Ủy ban", "a) Kiểm tra", "b) Hướng dẫn")
    paras = [next(t for t in texts if t.startswith(start)) for start in starts]
    assert paras[0].endswith("như sau:") and paras[2].endswith("tỉnh.")       # wrapped lines joined
    kinds = {b.text: b.kind for b in recognised["extracted"].blocks if b.page == 1}
    assert kinds.get("KẾ HOẠCH") == "heading"


def test_red_stamp_is_not_read(recognised):
    assert "DUYỆT" not in joined(recognised["extracted"].blocks).upper()


def test_rotated_page_is_deskewed_and_read(recognised):
    from eval.ocr_eval import cer

    blocks = [b for b in recognised["extracted"].blocks if b.page == 2]
    assert cer(joined(blocks), expected_text()) < 0.03
    assert [b.text[:6] for b in blocks][:3] == [t[:6] for t in LEFT]


def test_progress_is_called_per_page(recognised):
    assert sorted(p[0] for p in recognised["progress"]) == [1, 2]
    assert all(p[1] == 2 and "scan.tif" in p[2] for p in recognised["progress"])


def test_cache_second_read_runs_no_tesseract(recognised, monkeypatch):
    assert sorted(recognised["calls"]) == [1, 2]             # first read: one run per page
    calls = []
    original = Ocr._run
    monkeypatch.setattr(Ocr, "_run", lambda self, *a, **k: calls.append(a) or original(self, *a, **k))
    again = Ocr(recognised["cache"]).read_image(recognised["path"])
    assert calls == []
    assert again.blocks == recognised["extracted"].blocks
    files = list(recognised["cache"].iterdir())
    assert len(files) == 2 and all(f.suffix == ".json" and f.stat().st_size < 100_000 for f in files)


@pytest.mark.parametrize("dpi", [200, 300])
def test_pdf_pages_render_and_recognise(tmp_path, ocr_available, dpi):
    from eval.ocr_eval import cer

    path = tmp_path / "scan.pdf"
    scanned_page(angle=-0.7).save(path, "PDF", resolution=DPI)
    seen = []
    pages = Ocr(tmp_path / "cache", dpi=dpi, jobs=2).pdf_pages(path, [1], progress=lambda *a: seen.append(a))
    assert cer(joined(pages[1]), expected_text()) < 0.03
    assert list(pages) == [1] and all(b.page == 1 and b.ocr for b in pages[1])
    assert [b.text[:6] for b in pages[1]][:3] == [t[:6] for t in LEFT]
    assert seen and seen[-1][:2] == (1, 1)


# --- pure parts: deskew, colour, layout ------------------------------------------------------------

@pytest.mark.parametrize("angle", [1.5, -0.8])
def test_skew_is_measured_and_undone(angle):
    gray = gray_without_red(scanned_page(angle=angle))
    assert abs(measure_skew(gray) + angle) < 0.15          # the correction is the opposite rotation
    assert abs(measure_skew(deskew(gray))) < 0.15


def test_small_skew_is_left_alone():
    gray = gray_without_red(scanned_page(angle=0.1))
    assert deskew(gray) is gray


def test_red_ink_fades_black_ink_stays():
    from PIL import Image

    image = Image.new("RGB", (30, 10), (250, 250, 250))
    image.paste((210, 40, 45), (0, 0, 10, 10))       # stamp red
    image.paste((20, 20, 20), (10, 0, 20, 10))       # text black
    image.paste((30, 40, 150), (20, 0, 30, 10))      # blue handwriting (kept: numbers, dates)
    gray = gray_without_red(image)
    assert gray.getpixel((5, 5)) > 230 and gray.getpixel((15, 5)) < 40 and gray.getpixel((25, 5)) < 80


def _w(text, left, top, block=1, line=1, width=None, conf=95.0, height=30):
    return Word(block, 1, line, left, top, width or 18 * len(text), height, conf, text)


def _words(line_texts, left, top, **kw):
    out, x = [], left
    for t in line_texts.split():
        out.append(_w(t, x, top, **kw))
        x += 18 * len(t) + 12
    return out


def test_layout_header_columns_paragraphs_and_noise():
    words = []
    words += _words("UBND TỈNH", 200, 100, block=1, line=1) + _words("CỘNG HÒA XÃ HỘI", 800, 100, block=1, line=1)
    words += _words("Số: 7/UBND", 200, 150, block=2, line=1) + _words("Độc lập - Tự do", 820, 150, block=3, line=1)
    words += [_w("ˆ", 700, 160, block=3, line=1, conf=30.0), _w("la", 1500, 700, block=9, conf=40.0)]
    words += _words("Kính gửi: các sở, ban, ngành trong tỉnh và các huyện", 300, 250, block=4, line=1)
    words += _words("1. Các sở thực hiện nội dung kế hoạch này đúng thời hạn", 200, 320, block=5, line=1)
    words += _words("quy định của tỉnh về văn thư.", 200, 362, block=5, line=2)
    words += _words("- Báo cáo kết quả.", 260, 404, block=5, line=3)
    words += [_w("2", 600, 1500, block=8)]                       # page number
    blocks = page_blocks(words, (1300, 1600), page=3)
    assert [b.text for b in blocks] == [
        "UBND TỈNH", "Số: 7/UBND", "CỘNG HÒA XÃ HỘI", "Độc lập - Tự do",
        "Kính gửi: các sở, ban, ngành trong tỉnh và các huyện",
        "1. Các sở thực hiện nội dung kế hoạch này đúng thời hạn quy định của tỉnh về văn thư.",
        "- Báo cáo kết quả."]
    assert all(b.page == 3 and b.ocr for b in blocks)


def test_layout_a_sentence_cut_by_a_line_or_a_page_end_goes_on():
    from core.types import Block
    from ingest.pdf import _ocr_continues

    words = []
    words += _words("1. Yêu cầu các cơ quan, đơn vị rà soát kế hoạch công tác của mình; căn cứ", 200, 100, line=1)
    words += _words("Chương trình công tác năm đã được phê duyệt, báo cáo kết quả thực hiện về", 200, 142, line=2)
    words += _words("UBND tỉnh trước ngày 15 hằng tháng và chủ động đề xuất giải pháp.", 260, 184, line=3)
    words += _words("Chương II", 600, 300, line=4)
    blocks = page_blocks(words, (1600, 1600), page=1)
    # "Chương trình" opens no chapter, and a line that stops mid-sentence wraps on though the next
    # one is indented (a skewed scan); "Chương II" does open one
    assert [b.text[:12] for b in blocks] == ["1. Yêu cầu c", "Chương II"]
    # an upper-case title that fills its line is not wrapped into the indented paragraph under it
    titled = (_words("NHIỆM VỤ VÀ GIẢI PHÁP TRỌNG TÂM CỦA CÁC CƠ QUAN ĐƠN VỊ NĂM NAY", 200, 100, line=1)
              + _words("Các sở, ngành rà soát kế hoạch công tác năm, báo cáo kết quả.", 260, 142, line=2))
    assert [b.text[:12] for b in page_blocks(titled, (1600, 1600), page=1)] == ["NHIỆM VỤ VÀ ", "Các sở, ngàn"]
    end_of_page = Block("… khẩn trương kiện toàn Ban", page=2, ocr=True)
    assert _ocr_continues(end_of_page, Block("quản lý dự án của huyện.", page=3, ocr=True))
    assert not _ocr_continues(end_of_page, Block("Quản lý dự án của huyện.", page=3, ocr=True))
    assert not _ocr_continues(Block("… kiện toàn Ban.", page=2, ocr=True), Block("quản lý", page=3, ocr=True))
    assert not _ocr_continues(end_of_page, Block("a) quản lý", page=3, ocr=True))


# --- bad input -------------------------------------------------------------------------------------

def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (the pixel data is never decoded)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


@pytest.mark.parametrize("dims", [(11_000, 10_000), (40_000, 40_000)])
def test_huge_image_refused_before_decoding(tmp_path, ocr_available, dims):
    path = tmp_path / "huge.png"
    path.write_bytes(_png_header_only(*dims))
    with pytest.raises(InputFileError, match="quá lớn"):
        Ocr(tmp_path / "cache").read_image(path)


def test_not_an_image(tmp_path, ocr_available):
    path = tmp_path / "note.png"
    path.write_text("không phải ảnh", encoding="utf-8")
    with pytest.raises(InputFileError, match="không đọc được ảnh"):
        Ocr(tmp_path / "cache").read_image(path)


def test_truncated_tif(tmp_path, ocr_available):
    from PIL import Image

    path = tmp_path / "cut.tif"
    Image.effect_noise((600, 800), 60).save(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(InputFileError, match="hỏng|not a readable"):
        Ocr(tmp_path / "cache").read_image(path)


def test_timeout_becomes_input_file_error(tmp_path, ocr_available):
    path = tmp_path / "page.png"
    scanned_page().save(path)
    with pytest.raises(InputFileError, match="timed out"):
        Ocr(tmp_path / "cache", timeout_s=0.05).read_image(path)


def test_missing_tesseract_or_language(tmp_path, monkeypatch):
    assert not Ocr(tmp_path, lang="khongco").available()
    monkeypatch.setenv("PATH", str(tmp_path))
    ocr = Ocr(tmp_path)
    assert not ocr.available()
    (tmp_path / "a.png").write_bytes(_png_header_only(10, 10))
    with pytest.raises(InputFileError, match="tesseract-ocr-vie"):
        ocr.read_image(tmp_path / "a.png")


def test_cer_is_edit_distance_after_nfc_and_whitespace():
    from eval.ocr_eval import cer, edit_distance

    assert edit_distance("kitten", "sitting") == 3 and edit_distance("", "abc") == 3
    assert cer("Tie\u0302\u0301ng  Việt\nNam", "Tiếng Việt Nam") == 0.0
    assert cer("Tieng Viet", "Tiếng Việt") == 2 / 10


# --- the hand-transcribed real pages ---------------------------------------------------------------

def test_real_pages_mean_cer(tmp_path, ocr_available):
    """Mean CER over the 6 transcribed pages of ../shared/corpus/real at the default settings."""
    from eval.ocr_eval import REAL_CORPUS, cer, gold_pages

    if not REAL_CORPUS.is_dir():
        pytest.skip("../shared/corpus/real is absent")
    ocr = Ocr(tmp_path / "cache", jobs=2)
    scores = {}
    for name, page, reference in gold_pages():
        blocks = ocr.pdf_pages(REAL_CORPUS / name, [page])[page]
        scores[f"{name}.p{page}"] = cer(joined(blocks), reference)
    mean = sum(scores.values()) / len(scores)
    print("\n".join(f"{k}: {v:.4f}" for k, v in scores.items()), f"\nmean CER {mean:.4f}")
    assert mean <= 0.03
    assert max(scores.values()) <= 0.05



# ---- diacritics Tesseract lost, put back (ingest/ocr_words.py) --------------------------------------
def _line(*texts: str, line: int = 1, par: int = 1) -> list[Word]:
    return [Word(1, par, line, 40 * i, 0, 30, 30, 90.0, t) for i, t in enumerate(texts)]


def test_lost_diacritics_of_administrative_words_are_put_back():
    from ingest.ocr_words import repaired

    words = _line("UBND", "các", "xã,", "thị", "trần", "triên", "khai,", "XÃ", "HỌI", "Kiêm", "lâm", "chịu", "trách",
                  "nhiêm")
    assert [w.text for w in repaired(words)] == ["UBND", "các", "xã,", "thị", "trấn", "triển", "khai,", "XÃ", "HỘI",
                                                 "Kiểm", "lâm", "chịu", "trách", "nhiệm"]


def test_printed_spelling_and_unrelated_words_are_left_alone():
    from ingest.ocr_words import repaired

    kept = [_line("Uỷ", "ban", "nhân", "dân"),          # the old tone placement is a spelling, not an OCR slip
            _line("xã,", "hội", "đồng"),                 # punctuation between: not one word
            _line("kiêm", "nhiệm", "trần", "nhà"),       # no lexicon word here
            _line("thị", "2024")]
    for words in kept:
        assert repaired(words) == words
    # a paragraph's line ends do not stop it ("… các xã, thị" / "trần …"); a new paragraph does
    assert [w.text for w in repaired(_line("xã,", "thị") + _line("trần", "thường", line=2))] == \
        ["xã,", "thị", "trấn", "thường"]
    assert [w.text for w in repaired(_line("thị") + _line("trần", par=2))] == ["thị", "trần"]


def test_a_syllable_tesseract_cut_in_two_is_put_back_together():
    from ingest.ocr_words import rejoined

    # the two halves even in different blocks, as Tesseract sometimes makes them at a column gap
    cut = [_w("các", 100, 100), _w("cơ", 170, 100), _w("q", 220, 100, width=16), _w("uan,", 240, 100, block=2),
           _w("đơn", 330, 100, block=2)]
    assert [x.text for x in rejoined(cut)] == ["các", "cơ", "quan,", "đơn"]
    assert [x.text for x in rejoined([_w("tại", 100, 100), _w("P", 170, 100, width=16),
                                      _w("hiên", 190, 100, block=2)])] == ["tại", "Phiên"]
    kept = [[_w("điểm", 100, 100), _w("b", 190, 100, width=16), _w("khoản", 210, 100)],  # "bkhoản": no syllable
            [_w("CA", 100, 100), _w("các", 145, 100)],                   # an abbreviation, then a word
            [_w("q", 100, 100, width=16), _w("uan", 180, 100)],           # too far apart
            [_w("q", 100, 100, width=16), _w("uan", 120, 200)]]           # another line
    for words in kept:
        assert rejoined(words) == words


def test_the_lexicon_is_nfc_and_unambiguous():
    import unicodedata

    from ingest.ocr_words import LEXICON, _lexicon

    entries = [line.strip() for line in LEXICON.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    assert all(unicodedata.normalize("NFC", e) == e for e in entries)
    assert len(_lexicon()) == len(entries)          # no two entries fold to the same letters
