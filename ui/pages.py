"""A cited page as a small image for the sources panel, the cited clause highlighted where the
page tells where its words are: the PDF's text layer, or the word boxes OCR found on a scan."""
from __future__ import annotations

import base64
import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from core.text import nfc
from ingest.load import IMAGE_SUFFIXES
from ingest.task_table import cells

THUMBNAIL_DPI = 72
ANCHOR = 12                # characters of the quote looked up at once (letters and digits only)
MIN_FOUND = 0.5            # share of the quote that must be found on the page to highlight anything …
MIN_CHARS = 40             # … or this much of its start, when it runs on to the next page
MIN_CELL = 3               # letters and digits of a table cell worth placing
HIGHLIGHT = (255, 214, 0, 105)

Box = tuple[float, float, float, float]      # left, top, right, bottom in pixels of the picture


def page_image(source: str | None, page: int | None, quote: str | None = None, ocr_page=None) -> str | None:
    """A data: URI of page `page` (1-based) of the PDF or image at `source`, with `quote` highlighted
    when it can be placed (`ocr_page`: the page's OCR words, for a scan); None when the page cannot
    be shown (another format, the file moved, a damaged file)."""
    if not source or not page or not source.lower().endswith((".pdf", *IMAGE_SUFFIXES)):
        return None
    try:
        scan = ocr_page is not None and ocr_page.angle is not None
        picture, units = _render(source, page, Path(source).stat().st_mtime, bool(quote) and not scan)
        if scan:
            units = ocr_units(ocr_page, picture.size)
        boxes = quote_boxes(units, quote) if quote else []
        return _data_uri(_highlighted(picture, boxes) if boxes else picture)
    except Exception:  # noqa: BLE001 - a missing picture never breaks an answer
        return None


def quote_boxes(units: list[tuple[str, Box]], quote: str) -> list[Box]:
    """Rectangles covering the units (characters or words with their boxes, in reading order) that
    spell `quote`, one per line; [] when the quote is not found: less than MIN_FOUND of it, unless
    its start is found with MIN_CHARS or more (a clause that runs on to the next page). Compared
    on letters and digits only, so spacing, punctuation and line breaks do not matter. A table
    row's quote ("Cơ quan chủ trì: Sở Nội vụ; …") is looked up by its cells' values."""
    page, owner = "", []
    for i, (text, _) in enumerate(units):
        key = _key(text)
        page += key
        owner += [i] * len(key)
    row = cells(quote)
    # A row's cells, longest first: the rest are placed nearest to it, so a short cell ("Số hóa hồ sơ")
    # is not marked where the same words stand elsewhere on the page; a cell too short to place ("2")
    # is left out.
    if len(row) > 1:
        parts = sorted((k for k in (_key(value) for _, value in row) if len(k) >= MIN_CELL), key=len, reverse=True)
    else:
        parts = [_key(quote)]
    if not any(parts) or not page:
        return []
    covered, starts_here, near = set(), False, None
    for n, want in enumerate(parts):
        hits = _matched_spans(page, want, near or 0)
        covered |= {k for a, b, _ in hits for k in range(a, b)}    # the last anchor may overlap another
        starts_here |= n == 0 and bool(hits) and hits[0][2] == 0
        near = hits[0][0] if hits and near is None else near
    total = sum(map(len, parts))
    if len(covered) < MIN_FOUND * total and not (starts_here and len(covered) >= MIN_CHARS):
        return []
    marked = sorted({owner[k] for k in covered})
    return _line_boxes([units[i][1] for i in marked])


def ocr_units(ocr_page, size: tuple[int, int]) -> list[tuple[str, Box]]:
    """OCR words as (text, box) in pixels of a picture of `size` of the page before deskewing."""
    from ingest.ocr_image import unrotated_point

    sx, sy = size[0] / ocr_page.size[0], size[1] / ocr_page.size[1]
    out = []
    for w in ocr_page.words:
        corners = [unrotated_point(x, y, ocr_page.size, ocr_page.angle)
                   for x in (w.left, w.left + w.width) for y in (w.top, w.top + w.height)]
        xs, ys = [c[0] * sx for c in corners], [c[1] * sy for c in corners]
        out.append((w.text, (min(xs), min(ys), max(xs), max(ys))))
    return out


def _key(text: str) -> str:
    return "".join(ch for ch in nfc(text).lower() if ch.isalnum())


def _matched_spans(page: str, want: str, near: int = 0) -> list[tuple[int, int, int]]:
    """(start, end, offset in `want`) of the parts of `page` that match `want`, in order: the start
    most anchors agree on (of equals, the nearest to `near`), then each anchor looked for near where
    the previous one ended (OCR and layout slips stay local)."""
    size = min(ANCHOR, len(want))
    offsets = sorted({*range(0, len(want) - size + 1, size), len(want) - size})   # the last one overlaps
    anchors = [(at, want[at:at + size]) for at in offsets]
    votes: dict[int, int] = {}
    for at, text in anchors:
        found = page.find(text)
        while found >= 0:
            votes[(found - at) // size] = votes.get((found - at) // size, 0) + 1
            found = page.find(text, found + 1)
    if not votes:
        return []
    best = max(votes, key=lambda start: (votes[start] + votes.get(start - 1, 0) + votes.get(start + 1, 0),
                                         -abs(start * size - near)))
    pos, spans, expected = max(0, best * size), [], 0
    for at, text in anchors:
        pos += at - expected
        found = page.find(text, max(0, pos - size), pos + 3 * size + len(text))
        if found >= 0:
            spans.append((found, found + len(text), at))
            pos = found
        expected = at
    return spans


def _line_boxes(boxes: list[Box]) -> list[Box]:
    """Boxes in reading order joined into one rectangle per line (a box starting on the same line)."""
    lines: list[list[float]] = []
    for left, top, right, bottom in boxes:
        if lines and top < lines[-1][3] and bottom > lines[-1][1] and left >= lines[-1][0] - 2:
            line = lines[-1]
            line[:] = [min(line[0], left), min(line[1], top), max(line[2], right), max(line[3], bottom)]
        else:
            lines.append([left, top, right, bottom])
    return [tuple(line) for line in lines]


@lru_cache(maxsize=32)
def _render(source: str, page: int, _mtime: float, text_layer: bool):
    """The page as an RGB picture and, for a PDF when `text_layer`, its text layer's words with their
    boxes (a scan's words come from its OCR instead: its text layer is not read)."""
    if source.lower().endswith(IMAGE_SUFFIXES):
        from PIL import Image, ImageSequence

        with Image.open(source) as image:
            frame = next(f for n, f in enumerate(ImageSequence.Iterator(image), 1) if n == page)
            picture = frame.convert("RGB")
        picture.thumbnail((int(8.27 * THUMBNAIL_DPI), int(11.69 * THUMBNAIL_DPI)))
        return picture, []
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(source)
    try:
        pdf_page = doc[page - 1]
        scale = THUMBNAIL_DPI / 72
        picture = pdf_page.render(scale=scale).to_pil().convert("RGB")
        units = []
        if text_layer and pdf_page.get_rotation() == 0:    # boxes of a turned page would need turning too
            units = _pdf_words(pdf_page, scale)
        return picture, units
    finally:
        doc.close()


def _pdf_words(pdf_page, scale: float) -> list[tuple[str, Box]]:
    """The text layer's words with their boxes in pixels (a word: characters between spaces; marks
    that follow their letter as separate characters stay in its word, so NFC composes them)."""
    import pypdfium2.raw as pdfium_c

    left, _, _, top = pdf_page.get_cropbox()
    text = pdf_page.get_textpage()
    words, chars, box = [], "", None
    for i in range(text.count_chars()):
        ch = chr(pdfium_c.FPDFText_GetUnicode(text.raw, i))
        if ch.isspace() or not ch.isprintable() and not unicodedata.combining(ch):
            if chars:
                words.append((chars, box))
            chars, box = "", None
            continue
        x0, y0, x1, y1 = text.get_charbox(i)
        char_box = ((x0 - left) * scale, (top - y1) * scale, (x1 - left) * scale, (top - y0) * scale)
        box = char_box if box is None else (min(box[0], char_box[0]), min(box[1], char_box[1]),
                                            max(box[2], char_box[2]), max(box[3], char_box[3]))
        chars += ch
    if chars:
        words.append((chars, box))
    return words


def _highlighted(picture, boxes: list[Box]):
    from PIL import Image, ImageDraw

    layer = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for left, top, right, bottom in boxes:
        draw.rectangle((left - 2, top - 2, right + 2, bottom + 2), fill=HIGHLIGHT)
    return Image.alpha_composite(picture.convert("RGBA"), layer).convert("RGB")


def _data_uri(picture) -> str:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=72)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


PAGE_VIEW_DPI = 80
MAX_VIEW_PAGES = 40


def page_files(pdf: Path, pages: int, cache_dir: Path) -> list[str]:
    """PNG files of a PDF's pages for the document view (the first MAX_VIEW_PAGES), rendered once
    and cached by content; [] when the file cannot be rendered."""
    if pdf.suffix.lower() != ".pdf":
        return []
    try:
        import pypdfium2 as pdfium

        from core.types import file_sha256

        folder = Path(cache_dir) / file_sha256(pdf)[:24]
        wanted = [folder / f"{n}.png" for n in range(1, min(pages or MAX_VIEW_PAGES, MAX_VIEW_PAGES) + 1)]
        if not all(p.exists() for p in wanted):
            folder.mkdir(parents=True, exist_ok=True)
            doc = pdfium.PdfDocument(str(pdf))
            try:
                wanted = wanted[:len(doc)]
                for n, target in enumerate(wanted):
                    if not target.exists():
                        doc[n].render(scale=PAGE_VIEW_DPI / 72).to_pil().convert("L").save(target)
            finally:
                doc.close()
        return [str(p) for p in wanted]
    except Exception:  # noqa: BLE001 - a missing picture never breaks the view
        return []
