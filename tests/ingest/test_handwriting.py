"""Pen-written number and date slots of a scanned header (ingest/handwriting.py): the numpy
ensemble against torch, digits drawn here read by every net, the slots of hand-made word boxes
over drawn pages (blue digits read in, Tesseract's noise dropped, unreadable ink left blank,
black print untouched), and a real scan whose number was written by pen."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ingest import handwriting
from ingest.handwriting import digit_probabilities, fill_header_slots, read_digits
from ingest.ocr_layout import Word
from tests.conftest import needs_real_corpus

BLUE, BLACK = (40, 70, 190), (20, 20, 20)


# Digits as a pen draws them: strokes on a 20x30 grid (plain MNIST-like shapes; the reader is
# for handwriting, not for a typeface).
STROKES = {
    "0": [("ellipse", (4, 2, 16, 28))],
    "1": [("line", [(11, 2), (10, 28)])],
    "2": [("line", [(3, 8), (6, 3), (12, 2), (16, 6), (15, 12), (3, 28), (17, 28)])],
    "3": [("line", [(3, 4), (10, 2), (16, 6), (14, 12), (8, 14), (15, 17), (17, 23), (12, 28), (3, 26)])],
    "4": [("line", [(13, 28), (13, 2), (2, 20), (18, 20)])],
    "5": [("line", [(16, 2), (5, 2), (4, 13), (10, 11), (16, 15), (16, 23), (10, 28), (3, 26)])],
    "6": [("line", [(14, 2), (7, 8), (4, 18), (6, 26), (11, 28), (16, 24), (15, 17), (9, 15), (4, 19)])],
    "7": [("line", [(3, 3), (17, 3), (9, 28)])],
    "8": [("ellipse", (5, 2, 15, 14)), ("ellipse", (3, 14, 17, 28))],
    "9": [("ellipse", (4, 2, 16, 15)), ("line", [(16, 9), (14, 28)])],
}


def _draw_pen(draw, text: str, x: float, y: float, fill, scale: float = 1.4) -> None:
    for i, char in enumerate(text):
        ox, oy = x + 24 * i * scale, y
        for kind, shape in STROKES[char]:
            if kind == "ellipse":
                x0, y0, x1, y1 = shape
                box = [ox + x0 * scale, oy + y0 * scale, ox + x1 * scale, oy + y1 * scale]
                draw.ellipse(box, outline=fill, width=4)
            else:
                points = [(ox + a * scale, oy + b * scale) for a, b in shape]
                draw.line(points, fill=fill, width=4, joint="curve")


def _ink(text: str):
    """A boolean mask of `text` written by pen, as the blue-ink mask of a slot would be."""
    image = Image.new("L", (int((len(text) * 24 + 8) * 1.4), 48), 255)
    _draw_pen(ImageDraw.Draw(image), text, 6, 3, 0)
    return np.asarray(image) < 128


def test_numpy_inference_equals_torch():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    images = np.random.default_rng(3).random((6, 28, 28)).astype(np.float32)
    ours = digit_probabilities(images)
    assert ours.shape == (5, 6, 10)
    for k, weights in enumerate(handwriting._nets()):
        net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(32 * 49, 64), nn.ReLU(), nn.Linear(64, 10))
        layers = {"0": net[0], "3": net[3], "8": net[7], "10": net[9]}
        with torch.no_grad():
            for name, layer in layers.items():
                layer.weight.copy_(torch.tensor(weights[f"{name}_weight"]))
                layer.bias.copy_(torch.tensor(weights[f"{name}_bias"]))
            theirs = torch.softmax(net(torch.tensor(images).unsqueeze(1)), 1).numpy()
        np.testing.assert_allclose(ours[k], theirs, atol=1e-5)


def test_pen_digits_are_read_or_declined_never_misread():
    reads = {digit: read_digits(_ink(digit)) for digit in "0123456789"}
    wrong = {d: r for d, r in reads.items() if r is not None and r[0] != d}
    assert wrong == {}
    assert sum(r is not None for r in reads.values()) >= 8, reads


def test_digits_side_by_side_are_read_in_order():
    for number in ("258", "1947"):
        read = read_digits(_ink(number))
        assert read is not None and read[0] == number and read[1] >= handwriting.MIN_CONFIDENCE


def test_ink_unlike_a_digit_is_not_read():
    mask = np.zeros((40, 120), bool)
    for x in range(5, 115):                       # a long wavy scribble, the width of three digits
        mask[int(20 + 12 * np.sin(x / 6)), x] = True
    mask = mask | np.roll(mask, 1, axis=0)
    assert read_digits(mask) is None
    assert read_digits(np.zeros((40, 40), bool)) is None


# ---- slots on a drawn page ---------------------------------------------------------------------------
def _word(text: str, left: int, top: int = 100, width: int = 60, conf: float = 95.0, line: int = 1) -> Word:
    return Word(block=1, par=1, line=line, left=left, top=top, width=width, height=36, conf=conf, text=text)


def _page(pen: dict[tuple[int, int], str], printed: dict[tuple[int, int], str] | None = None):
    """A white 1400x1000 page with `pen` digits written in blue at their (x, y), `printed` in black."""
    image = Image.new("RGB", (1400, 1000), "white")
    draw = ImageDraw.Draw(image)
    for (x, y), text in (printed or {}).items():
        draw.text((x, y), text, fill=BLACK, font=ImageFont.load_default(size=30))
    for (x, y), text in pen.items():
        _draw_pen(draw, text, x, y, BLUE)
    return np.asarray(image)


def test_pen_written_number_and_day_are_read_into_their_slots():
    words = [_word("Số:", 100), _word("##", 175, conf=0.0), _word("/CĐ-UBND", 290, width=180),
             _word("ngày", 700, line=2), _word("|‡", 790, conf=40.0, line=2), _word("tháng", 870, line=2),
             _word("3", 950, width=20, conf=96.0, line=2), _word("năm", 990, line=2),
             _word("2024", 1070, line=2)]
    rgb = _page({(190, 95): "46", (780, 95): "9"}, {(950, 100): "3"})
    texts = [w.text for w in fill_header_slots(words, rgb)]
    assert texts[:3] == ["Số:", "46", "/CĐ-UBND"]
    assert texts[3:] == ["ngày", "9", "tháng", "3", "năm", "2024"]      # the printed month stays as read


def test_unreadable_pen_leaves_the_slot_blank_and_drops_the_noise():
    words = [_word("Số:4/.", 100, width=95, conf=0.0), _word("#4/TB-HĐND", 220, width=200, conf=30.0)]
    image = Image.new("RGB", (1400, 1000), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(200, 110), (215, 140), (230, 105), (245, 140), (260, 108), (275, 138)], fill=BLUE, width=4)
    texts = [w.text for w in fill_header_slots(words, np.asarray(image))]
    assert texts == ["Số:", "/TB-HĐND"]                 # blank number, symbol kept: an unsigned draft's form


def test_black_print_and_gray_scans_are_left_alone():
    words = [_word("Số:", 100), _word("125", 175, conf=96.0), _word("/UBND-VX", 250, width=180)]
    assert fill_header_slots(words, _page({}, {(175, 100): "125"})) == words
    assert fill_header_slots(words, np.full((1000, 1400), 255, np.uint8)) == words
    # the pen below the header block (a signature, a margin note) is not a slot
    low = [w._replace(top=900) for w in words]
    assert fill_header_slots(low, _page({(175, 895): "7"})) == low


@needs_real_corpus
def test_a_real_scan_with_a_pen_written_number(real_documents):
    """A tuning-split scan whose number was written by pen in blue (Tesseract read it as '#4')."""
    doc = real_documents["dakrlap-510-UBND-NC-tra-loi-kien-nghi.pdf"]
    assert doc.header.number == "510/UBND-NC"
