"""The cited page as a picture with the clause highlighted: the pure placing of a quote among word
boxes, and real pages (a text PDF's own text layer; a rotated scan read by Tesseract)."""
from __future__ import annotations

import base64
import io

import pytest

from tests.conftest import ROOT
from ui.pages import page_image, quote_boxes

FORMATS = ROOT / "tests" / "data" / "formats"


def words(*lines: str, height: float = 10.0) -> list:
    """Hand-made word boxes: one line of text per argument, words 50 px apart."""
    out = []
    for row, line in enumerate(lines):
        for col, word in enumerate(line.split()):
            out.append((word, (col * 50.0, row * 20.0, col * 50.0 + 40, row * 20.0 + height)))
    return out


def test_a_quote_over_two_lines_gets_one_rectangle_per_line():
    units = words("Điều 1. Giao Sở Nội vụ chủ trì,", "phối hợp với các sở. Điều 2. Khác")
    boxes = quote_boxes(units, "Giao Sở Nội vụ chủ trì, phối hợp với các sở.")
    assert boxes == [(100.0, 0.0, 390.0, 10.0), (0.0, 20.0, 240.0, 30.0)]


def test_spacing_punctuation_case_and_small_ocr_slips_do_not_matter():
    units = words("GIAO SỞ NỘI VỤ CHỦ TRÌ , PHỐI HỢP VỚI CÁC SỞ , NGÀNH TRIÊN KHAI THỰC HIỆN NGAY")
    boxes = quote_boxes(units, "Giao Sở Nội vụ chủ trì, phối hợp với các sở, ngành triển khai thực hiện ngay")
    assert len(boxes) == 1 and boxes[0][0] == 0.0 and boxes[0][2] > 600


def test_a_quote_that_is_not_on_the_page_is_not_highlighted():
    units = words("Điều 1. Giao Sở Nội vụ chủ trì, phối hợp với các sở.")
    assert quote_boxes(units, "Sở Y tế kiểm tra an toàn thực phẩm trong dịp Tết Nguyên đán") == []
    assert quote_boxes([], "Giao Sở Nội vụ") == [] and quote_boxes(units, "…") == []


def test_the_repeated_phrase_is_placed_where_most_of_the_quote_agrees():
    units = words("Sở Nội vụ báo cáo", "Điều 5. Sở Tài chính bố trí kinh phí; Sở Nội vụ báo cáo kết quả hằng tháng")
    boxes = quote_boxes(units, "Sở Tài chính bố trí kinh phí; Sở Nội vụ báo cáo kết quả hằng tháng")
    assert len(boxes) == 1 and boxes[0][1] == 20.0          # the second line, not the first one


def _yellow_share(uri: str) -> float:
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")).astype(int)
    yellow = (rgb[..., 0] > 200) & (rgb[..., 1] > 170) & (rgb[..., 2] < 140)
    return float(yellow.mean())


def test_a_text_pdf_clause_is_highlighted_on_its_page_from_the_text_layer():
    from ingest.chunk import ClauseChunker
    from ingest.load import LoadOptions, load_directive

    pdf = FORMATS / "pdf_sample.pdf"
    chunks = [c for c in ClauseChunker().chunk(load_directive(pdf, options=LoadOptions(sandbox=False)))
              if c.kind == "clause" and c.page]
    assert chunks
    for c in chunks:
        highlighted, plain = page_image(str(pdf), c.page, c.text), page_image(str(pdf), c.page)
        assert highlighted and plain and _yellow_share(plain) == 0.0
        assert _yellow_share(highlighted) > 0.001, c.text        # every clause found on its page
    assert page_image(str(pdf), 1, "Nội dung không có trong văn bản này, chẳng hạn lịch tiếp công dân") \
        == page_image(str(pdf), 1)


def test_text_layer_boxes_stand_where_pdfplumber_reads_the_words():
    """Coordinates checked against a second reader of the same page: pdfplumber's word boxes are
    in points from the top, which at THUMBNAIL_DPI = 72 are the picture's pixels."""
    import pdfplumber

    from ui.pages import THUMBNAIL_DPI, _render

    assert THUMBNAIL_DPI == 72
    pdf = FORMATS / "pdf_sample.pdf"
    _, units = _render(str(pdf), 1, 0.0, True)
    with pdfplumber.open(pdf) as doc:
        plumbed = [(w["text"], (w["x0"], w["top"], w["x1"], w["bottom"])) for w in doc.pages[0].extract_words()]
    [box] = quote_boxes(units, "Bảng phân công nhiệm vụ như sau:")
    first = next(b for t, b in plumbed if t == "Bảng")
    last = next(b for t, b in plumbed if t == "sau:" and abs(b[1] - first[1]) < 3)
    assert abs(box[0] - first[0]) < 2 and abs(box[2] - last[2]) < 4
    assert box[1] - 3 < (first[1] + first[3]) / 2 < box[3] + 3


def test_missing_files_and_other_formats_give_no_picture(tmp_path):
    assert page_image(str(tmp_path / "gone.pdf"), 1, "x") is None
    assert page_image(str(FORMATS / "html_chi_thi.html"), 1, "x") is None
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    assert page_image(str(tmp_path / "broken.pdf"), 1) is None


@pytest.fixture(scope="module")
def rotated_scan(tmp_path_factory):
    """A straight and a 1.5°-rotated page of the synthetic scan, OCR'd for real."""
    from ingest.ocr import Ocr
    from tests.ingest.test_ocr import DPI, scanned_page

    if not Ocr(tmp_path_factory.mktemp("probe")).available():
        pytest.skip("tesseract with the 'vie' model is not installed")
    folder = tmp_path_factory.mktemp("scan")
    path = folder / "scan.tif"
    scanned_page().save(path, save_all=True, append_images=[scanned_page(angle=1.5, seed=2)], dpi=(DPI, DPI))
    ocr = Ocr(folder / "cache")
    ocr.read_image(path)
    return path, ocr


def test_ocr_words_are_placed_back_on_the_rotated_scan(rotated_scan):
    """Words found on the deskewed page 2 and turned back land where the same words stand on a
    straight page turned by 1.5°: the highlight follows the scan as the reader sees it."""
    import statistics

    from ingest.ocr_image import unrotated_point
    from ui.pages import ocr_units

    path, ocr = rotated_scan
    straight, turned = ocr.cached_page(path, 1), ocr.cached_page(path, 2)
    assert straight.angle == 0.0 and abs(turned.angle + 1.5) < 0.2
    size = turned.size

    def centres(page, angle_known=True):
        units = ocr_units(page if angle_known else page._replace(angle=0.0), size)
        found = {}
        for text, (x0, y0, x1, y1) in units:
            found.setdefault(text, []).append(((x0 + x1) / 2, (y0 + y1) / 2))
        return {t: c[0] for t, c in found.items() if len(c) == 1 and len(t) > 3}

    expected = {t: unrotated_point(x, y, size, -1.5) for t, (x, y) in centres(straight).items()}
    placed, ignored = centres(turned), centres(turned, angle_known=False)
    common = sorted(set(expected) & set(placed) & set(ignored))
    assert len(common) > 20

    def error(found):
        return statistics.median(abs(found[t][0] - expected[t][0]) + abs(found[t][1] - expected[t][1])
                                 for t in common)

    assert error(placed) < 4 and error(ignored) > 2 * error(placed), (error(placed), error(ignored))


def test_a_scanned_clause_is_highlighted_from_the_cached_ocr(rotated_scan):
    from tests.ingest.test_ocr import BODY

    path, ocr = rotated_scan
    page = ocr.cached_page(path, 2)
    assert _yellow_share(page_image(str(path), 2, BODY[2], page)) > 0.005
    assert _yellow_share(page_image(str(path), 2, BODY[2], None)) == 0.0      # no text layer on an image
    assert ocr.cached_page(path, 3) is None


def test_a_table_row_is_marked_in_its_row_not_where_its_short_cells_recur():
    units = words("Số: 2/SNV b) Đẩy mạnh số hóa hồ sơ trong năm",
                  "1 Rà soát thủ tục hành chính Sở Nội vụ Quý I/2026",
                  "2 Số hóa hồ sơ Sở Khoa học và Công nghệ Tháng 6/2026")
    row = ("STT: 2; Nhiệm vụ: Số hóa hồ sơ; Cơ quan chủ trì: Sở Khoa học và Công nghệ; "
           "Thời gian hoàn thành: Tháng 6/2026")
    boxes = quote_boxes(units, row)
    assert boxes and {top for _, top, _, _ in boxes} == {40.0}        # the third line only


def test_an_ocr_cache_entry_older_than_the_angle_gets_it_measured_again(rotated_scan):
    import json

    path, ocr = rotated_scan
    recorded = ocr.cached_page(path, 2)
    assert recorded.angle != 0.0
    entry = next(f for f in ocr.cache_dir.glob("*.json") if json.loads(f.read_text())["angle"] == recorded.angle)
    data = json.loads(entry.read_text())
    del data["angle"]                                     # as written before the field existed
    entry.write_text(json.dumps(data))
    again = ocr.cached_page(path, 2)
    assert again.angle == recorded.angle and again.words == recorded.words
    assert json.loads(entry.read_text())["angle"] == recorded.angle     # written back: measured once
