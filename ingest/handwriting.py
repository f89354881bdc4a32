"""Pen-written digits in the header of a scanned directive: the number after "Số:" and the day and
month of the date line, which offices write in by hand after signing ("Số: 34 /CĐ-UBND", "ngày 17
tháng 5 năm 2019"). Tesseract reads such ink as noise ("##", "#4", "|‡"), or as a wrong digit.

Only ink that is clearly blue is read: the pen offices sign with, told apart from the black print
and the red stamp by colour, so the slot between the printed words can be cut out exactly. Each
slot's ink is split into glyphs (connected strokes; a glyph too wide for one digit is cut along the
writing's slant where the ink is thinnest) and read by five small CNNs trained on MNIST digits
(scripts/train_digits.py; plain numpy here). A slot is filled only when all five read every digit
alike with high confidence and the value is plausible (a day 1-31, a month 1-12): a glyph unlike
the training digits (a Vietnamese "1" with its lead-in stroke) splits their votes. Otherwise
Tesseract's noise is dropped and the slot stays blank, as an unsigned draft's would: a wrong number
is worse than none. Black pen is not read (no colour to separate it from the print).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ingest.ocr_layout import Word

WEIGHTS = Path(__file__).parent / "data" / "digits.npz"
MIN_CONFIDENCE = 0.9      # every digit of a slot, by every net; below it the slot is left blank
TESSERACT_SURE = 90.0     # a slot Tesseract read as digits this surely is kept when the CNN cannot read it
HEADER_SHARE = 0.4        # the number and date lines lie in this top share of the first page
MAX_ASPECT = 0.95         # width / slot ink height past which a glyph holds more than one digit
_NUMBER_WORD = re.compile(r"^Số\b:?", re.IGNORECASE)
_SYMBOL = re.compile(r"/[^\W\d_]")                        # "/TB-UBND", "/UBND-NC"
_DAY_WORD = re.compile(r"^ngày", re.IGNORECASE)
_MONTH_WORD = re.compile(r"^tháng$", re.IGNORECASE)
_YEAR_WORD = re.compile(r"^năm$", re.IGNORECASE)


# ---- the digit model ------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def model_id() -> str:
    """Names the trained weights (part of the OCR cache key: retrained weights read pages again)."""
    import hashlib

    return hashlib.sha256(WEIGHTS.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=1)
def _nets() -> list[dict]:
    """The ensemble's nets, each {layer name: float32 array} (stored as n{k}_{layer})."""
    import numpy as np

    nets: dict[str, dict] = {}
    with np.load(WEIGHTS) as data:
        for key in data.files:
            net, layer = key.split("_", 1)
            nets.setdefault(net, {})[layer] = data[key].astype(np.float32)
    return [nets[k] for k in sorted(nets)]


def _conv3(x, weight, bias):
    """3x3 convolution, padding 1: x (n, c, h, w), weight (o, c, 3, 3)."""
    import numpy as np

    n, c, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.stack([padded[:, :, i:i + h, j:j + w] for i in range(3) for j in range(3)], axis=2)
    out = np.matmul(weight.reshape(weight.shape[0], -1), cols.reshape(n, c * 9, h * w))
    return (out + bias[:, None]).reshape(n, -1, h, w)


def _pool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def digit_probabilities(images):
    """Softmax over 0-9 for MNIST-style images (n, 28, 28), ink 1.0 on 0.0: one row per net of the
    ensemble, shape (nets, n, 10)."""
    import numpy as np

    out = []
    for p in _nets():
        x = np.asarray(images, dtype=np.float32)[:, None]
        x = _pool2(np.maximum(_conv3(x, p["0_weight"], p["0_bias"]), 0))
        x = _pool2(np.maximum(_conv3(x, p["3_weight"], p["3_bias"]), 0))
        x = np.maximum(x.reshape(len(x), -1) @ p["8_weight"].T + p["8_bias"], 0)
        logits = x @ p["10_weight"].T + p["10_bias"]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        out.append(e / e.sum(axis=1, keepdims=True))
    return np.stack(out)


def _agreed(probs) -> tuple[str, float] | None:
    """(digits, lowest confidence) when every net reads every glyph as the same digit with at least
    MIN_CONFIDENCE; None otherwise (a glyph unlike the training digits splits the votes)."""
    votes = probs.argmax(axis=2)
    low = float(probs.max(axis=2).min())
    if (votes != votes[0]).any() or low < MIN_CONFIDENCE:
        return None
    return "".join(str(int(d)) for d in votes[0]), low


def _as_mnist(glyph):
    """A binary glyph scaled into a 20x20 box and centred by its centre of mass on 28x28, as MNIST is."""
    import numpy as np
    from PIL import Image

    ys, xs = np.nonzero(glyph)
    g = glyph[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = g.shape
    scale = 20 / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    a = np.asarray(Image.fromarray(g.astype(np.uint8) * 255).resize(size, Image.Resampling.BILINEAR),
                   dtype=np.float32) / 255
    total = a.sum() or 1.0
    cy = (a.sum(axis=1) * np.arange(a.shape[0])).sum() / total
    cx = (a.sum(axis=0) * np.arange(a.shape[1])).sum() / total
    top = min(max(int(round(14 - cy)), 0), 28 - a.shape[0])
    left = min(max(int(round(14 - cx)), 0), 28 - a.shape[1])
    out = np.zeros((28, 28), np.float32)
    out[top:top + a.shape[0], left:left + a.shape[1]] = a
    return out


# ---- ink, glyphs, digits --------------------------------------------------------------------------
def blue_ink(rgb):
    """Boolean mask of blue pen ink in an RGB array (h, w, 3)."""
    import numpy as np

    a = np.asarray(rgb, dtype=np.int16)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    return (b - r > 40) & (b - g > 15) & (r < 170)


def _shear_of(ys, xs) -> float:
    """The shear that stands the strokes (ink at rows `ys`, columns `xs`) upright: it packs the column
    profile tightest. Segmentation cuts along it, so a slanted 1 beside a 7 is not cut through;
    digits are read unsheared."""
    import numpy as np

    mid = (ys.min() + ys.max()) / 2
    best, best_shear = -1.0, 0.0
    for shear in np.linspace(-0.8, 0.8, 17):
        moved = np.round(xs + shear * (ys - mid)).astype(int)
        score = float((np.bincount(moved - moved.min()).astype(np.float64) ** 2).sum())
        if score > best:
            best, best_shear = score, float(shear)
    return best_shear


def _glyph(shape, ys, xs):
    import numpy as np

    out = np.zeros(shape, bool)
    out[ys, xs] = True
    return out


def _components(mask, ys, xs, sheared) -> list[object]:
    """Pixel indices (into `ys`, `xs`) of each glyph, left to right by `sheared` x: strokes, specks
    dropped; strokes that overlap in sheared x by half the narrower one are one glyph (a 7's bar, a
    5's flag, a pen lift)."""
    import numpy as np
    from scipy import ndimage

    labels, count = ndimage.label(mask, structure=[[1, 1, 1]] * 3)
    own = labels[ys, xs]
    height = ys.max() - ys.min() + 1
    strokes = []
    for i in range(1, count + 1):
        idx = np.nonzero(own == i)[0]
        if len(idx) >= max(12, len(ys) * 0.03) and np.ptp(ys[idx]) + 1 >= height * 0.2:
            strokes.append([float(sheared[idx].min()), float(sheared[idx].max()) + 1, idx])
    strokes.sort(key=lambda s: s[0])
    merged: list[list] = []
    for left, right, idx in strokes:
        if merged and min(right, merged[-1][1]) - left >= 0.5 * min(right - left, merged[-1][1] - merged[-1][0]):
            merged[-1] = [merged[-1][0], max(merged[-1][1], right), np.concatenate([merged[-1][2], idx])]
        else:
            merged.append([left, right, idx])
    return [idx for _, _, idx in merged]


def _cuts(columns, pieces: int, least: int) -> list[int]:
    """Sheared columns (relative to the glyph's left) cutting it into `pieces` where the ink is
    thinnest, each piece at least `least` wide; [] when it is too narrow for that."""
    import itertools

    best, cuts = None, []
    for combo in itertools.combinations(range(least, len(columns) - least + 1), pieces - 1):
        if any(b - a < least for a, b in zip(combo, combo[1:])):
            continue
        cost = sum(int(columns[c - 1:c + 1].sum()) for c in combo)
        if best is None or cost < best:
            best, cuts = cost, list(combo)
    return cuts


def read_digits(mask) -> tuple[str, float] | None:
    """(digits, lowest digit confidence) of the ink in `mask`, or None when there is no ink or a glyph
    cannot be read as digits with confidence."""
    import numpy as np

    if mask.sum() < 20:
        return None
    ys, xs = np.nonzero(mask)
    sheared = xs + _shear_of(ys, xs) * (ys - (ys.min() + ys.max()) / 2)
    column_of = np.floor(sheared).astype(int)
    height = int(np.ptp(ys)) + 1
    glyphs = _components(mask, ys, xs, sheared)
    if not 0 < len(glyphs) <= 8:
        return None                       # no number or date has that many digits: noise, not a pen
    digits, confidence = "", 1.0
    for idx in glyphs:
        offset = column_of[idx] - column_of[idx].min()     # the glyph's sheared columns, from 0
        columns = np.bincount(offset)
        if len(columns) > 3 * MAX_ASPECT * height + 2:
            return None                   # wider than three digits: a scribble or a stroke across
        best = None
        for pieces in (1, 2, 3):
            cuts = [0, *_cuts(columns, pieces, max(2, int(height * 0.25))), len(columns)] if pieces > 1 \
                else [0, len(columns)]
            if len(cuts) != pieces + 1:
                continue
            parts = [idx[(offset >= a) & (offset < b)] for a, b in zip(cuts, cuts[1:])]
            if any(len(part) == 0 for part in parts):
                continue
            if any(np.ptp(column_of[part]) + 1 > MAX_ASPECT * height for part in parts):
                continue
            best = _agreed(digit_probabilities([_as_mnist(_glyph(mask.shape, ys[part], xs[part]))
                                                for part in parts]))
            if best:
                break                       # the fewest digits that every net reads with confidence
        if best is None:
            return None
        digits += best[0]
        confidence = min(confidence, best[1])
    return (digits, confidence) if digits else None


# ---- the slots of a page's words ---------------------------------------------------------------
def fill_header_slots(words: list[Word], rgb) -> list[Word]:
    """`words` of a scanned first page with the pen-written number, day and month read into their
    slots (see the module doc); Tesseract's noise in a slot with blue ink is dropped either way.
    `rgb`: the page as Tesseract read it (same pixels as the word boxes), an RGB array."""
    import numpy as np

    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] < 3:
        return words
    page_height = rgb.shape[0]
    ink = blue_ink(rgb[:int(page_height * HEADER_SHARE) + 100, :, :3])   # the header block is at the top
    if not ink.any():
        return words
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, w in enumerate(words):
        lines.setdefault((w.block, w.par, w.line), []).append(i)
    out = list(words)
    drop: set[int] = set()
    for members in lines.values():
        members.sort(key=lambda i: words[i].left)
        line = [words[i] for i in members]
        if line[0].top > HEADER_SHARE * page_height:
            continue
        height = int(np.median([w.height for w in line]))
        top = max(0, min(w.top for w in line) - height)
        bottom = min(ink.shape[0], max(w.top + w.height for w in line) + height // 2)
        for slot in _number_slot(line) + _date_slots(line):
            lead, end, kind = slot
            left = line[lead].left         # the printed word is black: only the pen's blue is read
            right = line[end].left + (_prefix_width(line[end]) if kind == "number" else 0)
            box = ink[top:bottom, max(0, left):max(left, right)]
            if box.sum() < 20:
                continue
            read = read_digits(box)
            if read and not _plausible(read[0], kind):
                read = None
            between = line[lead + 1:end]
            if read is None and len(between) == 1 and between[0].conf >= TESSERACT_SURE \
                    and between[0].text.isdigit() and _plausible(between[0].text, kind):
                continue                   # Tesseract read the pen itself, and is sure of it
            for k in range(lead + 1, end):
                drop.add(members[k])
            out[members[lead]] = _cleaned_lead(line[lead], kind)
            if kind == "number":
                out[members[end]] = _cleaned_symbol(line[end])
            if read:
                ys, xs = np.nonzero(box)
                out.append(line[lead]._replace(left=int(left + xs.min()), top=int(top + ys.min()),
                                               width=int(np.ptp(xs)) + 1, height=int(np.ptp(ys)) + 1,
                                               conf=round(read[1] * 100, 1), text=read[0]))
    kept = [w for i, w in enumerate(out) if i not in drop]
    return sorted(kept, key=lambda w: (w.block, w.par, w.line, w.left))


def _number_slot(line: list[Word]) -> list[tuple[int, int, str]]:
    for i, w in enumerate(line):
        if _NUMBER_WORD.match(w.text):
            for j in range(i + 1, min(len(line), i + 4)):
                if _SYMBOL.search(line[j].text):
                    return [(i, j, "number")]
            return []
    return []


def _date_slots(line: list[Word]) -> list[tuple[int, int, str]]:
    day = next((i for i, w in enumerate(line) if _DAY_WORD.match(w.text)), None)
    month = next((i for i, w in enumerate(line) if _MONTH_WORD.match(w.text) and day is not None and i > day), None)
    year = next((i for i, w in enumerate(line) if _YEAR_WORD.match(w.text) and month is not None and i > month), None)
    if day is None or month is None or year is None or month - day > 3 or year - month > 3:
        return []
    return [(day, month, "day"), (month, year, "month")]


def _prefix_width(symbol: Word) -> int:
    """Pixels of a symbol word before its '/': Tesseract's noise glued to it ("#4/UBND-NC")."""
    at = symbol.text.find("/")
    return round(symbol.width * at / max(1, len(symbol.text))) if at > 0 else 0


def _cleaned_lead(word: Word, kind: str) -> Word:
    if kind == "number":
        return word._replace(text="Số:")
    if kind == "day":
        return word._replace(text=word.text[:4])           # "ngàyŸ" -> "ngày"
    return word


def _cleaned_symbol(word: Word) -> Word:
    at = word.text.find("/")
    if at <= 0:
        return word
    shift = _prefix_width(word)
    return word._replace(left=word.left + shift, width=word.width - shift, text=word.text[at:])


def _plausible(digits: str, kind: str) -> bool:
    if kind == "day":
        return 1 <= int(digits) <= 31 and len(digits) <= 2
    if kind == "month":
        return 1 <= int(digits) <= 12 and len(digits) <= 2
    return len(digits) <= 6 and not digits.startswith("0")
