"""OCR of scanned PDF pages and images with Tesseract's Vietnamese model.

A page is rendered (pypdfium2), cleaned (red stamps faded by colour, skew measured and undone),
recognised by the `tesseract` binary (one thread per process, `jobs` pages at a time), and its
words are put back in reading order by ingest/ocr_layout.py: the two-column header and signature
block left column first, body lines re-joined into paragraphs; on page 1 the number and date written
in by pen are read by ingest/handwriting.py. Recognised words are cached as small
JSON files keyed by content hash, so no page is recognised twice.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from core.errors import InputFileError
from core.types import Block, Extracted, file_sha256
from ingest.handwriting import fill_header_slots, model_id
from ingest.ocr_image import gray_without_red, rotated, skew_to_undo
from ingest.ocr_layout import Word, _parse_tsv, page_blocks
from ingest.ocr_words import lexicon_id, rejoined, repaired

# Chosen by measurement: `python -m eval.ocr_eval`, mean CER (after NFC, whitespace collapsed) over
# the 6 hand-transcribed pages; "clean" = red stamps faded by colour. CPU s/page for clean+deskew.
#            plain   deskew  clean   clean+deskew   CPU s/page
#   200 dpi  1.44%   1.25%   0.97%   0.91%          3.6
#   300 dpi  1.89%   1.61%   1.11%   1.05%          5.0
# 200 dpi is both more accurate on these scans and cheaper. psm 4 against 3 (200 dpi, clean+deskew):
# 0.91% against 0.95%, and faster.
DEFAULT_DPI = 200
PSM = 4                        # one column of variable sizes; our own layout splits the header columns
SETTINGS_VERSION = "10"        # bump when rendering/cleaning/recognition changes: old cache entries miss
MAX_PIXELS = 100_000_000       # a page or image above this is refused before it is decoded
PAGE_TIMEOUT_S = 120.0
_INSTALL = "apt-get install tesseract-ocr tesseract-ocr-vie"


class OcrPage(NamedTuple):
    """A recognised page as cached: word boxes in pixels of the image Tesseract read (`size`), which
    was the rendered page turned by `angle` degrees counter-clockwise about its centre (None: not
    recorded, an entry older than the field)."""
    words: list[Word]
    size: tuple[int, int]
    angle: float | None


def reader_id() -> str:
    """Names what turns a scanned page into words (settings, pen-digit weights, lexicon): recorded with
    each OCR'd document, so an ingest after an upgrade reads its scans again."""
    return f"tesseract:{SETTINGS_VERSION}:{model_id()}:{lexicon_id()}"


class Ocr:
    """Tesseract OCR with a content-hash cache. The keyword-only knobs (deskew, clean, psm, config)
    exist for eval/ocr_eval.py; ingestion uses the defaults."""

    def __init__(self, cache_dir: Path, dpi: int | None = None, lang: str = "vie", jobs: int = 2,
                 *, deskew: bool = True, clean: bool = True, psm: int = PSM,
                 config: tuple[str, ...] = (), timeout_s: float = PAGE_TIMEOUT_S, handwriting: bool = True):
        self.cache_dir = Path(cache_dir)
        self.dpi = dpi or DEFAULT_DPI
        self.lang = lang
        self.jobs = max(1, jobs)
        self.deskew, self.clean, self.psm, self.timeout_s = deskew, clean, psm, timeout_s
        self.handwriting = handwriting           # pen-written number and date of page 1 (ingest/handwriting.py)
        self.config = tuple(config)              # extra "-c name=value" settings, for measuring
        self._version: str | None = None
        self._available: bool | None = None
        self._lock = threading.Lock()
        self._hashes: dict[tuple[str, int, int], str] = {}   # (path, size, mtime) -> sha256

    # -- public API -------------------------------------------------------------------------
    def available(self) -> bool:
        """The tesseract binary runs and has the language model (asked once per instance)."""
        with self._lock:
            if self._available is None:
                self._available = self._probe()
        return self._available

    def _probe(self) -> bool:
        if not shutil.which("tesseract"):
            return False
        try:
            langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=30, check=False)
            version = subprocess.run(["tesseract", "--version"], capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return False
        self._version = (version.stdout + version.stderr).decode("utf-8", "replace").split("\n")[0]
        return self.lang in langs.stdout.decode("utf-8", "replace").split()

    def pdf_pages(self, path: Path, pages: list[int], progress=None) -> dict[int, list[Block]]:
        """OCR the given 1-based pages of a PDF: {page: blocks in reading order}."""
        import pypdfium2 as pdfium

        path = Path(path)
        self._require(path)
        file_hash = self._file_hash(path)
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            raise InputFileError(path, f"không mở được PDF / cannot open PDF ({e})",
                                 "kiểm tra tệp hoặc in lại ra PDF / check the file or print it to PDF again") from e

        def render(page, scale: float):
            try:
                return page.render(scale=scale).to_pil()
            except pdfium.PdfiumError as e:
                raise InputFileError(path, f"không vẽ được trang PDF / cannot render a PDF page ({e})",
                                     "in lại ra PDF / print it to PDF again") from e

        def images():
            for number in pages:
                if not 1 <= number <= len(doc):
                    raise ValueError(f"{path.name} has no page {number}")
                page, scale = doc[number - 1], self.dpi / 72
                width, height = page.get_size()
                if width * height * scale * scale > MAX_PIXELS:
                    raise _too_large(path)
                yield number, lambda page=page, scale=scale: render(page, scale), self.dpi

        try:
            return self._recognise(path, file_hash, images(), len(pages), progress)
        finally:
            doc.close()

    def read_image(self, path: Path, progress=None) -> Extracted:
        """OCR a .png/.jpg/.tif image (every frame of a multi-page tif) into an Extracted."""
        from PIL import Image, ImageSequence, UnidentifiedImageError

        path = Path(path)
        self._require(path)
        file_hash = self._file_hash(path)
        try:
            with warnings.catch_warnings():           # pixel count is checked below, per frame
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(path)
        except Image.DecompressionBombError as e:
            raise _too_large(path) from e
        except (UnidentifiedImageError, OSError, ValueError) as e:
            raise InputFileError(path, "không đọc được ảnh / not a readable image",
                                 "lưu lại thành PNG, JPEG hoặc TIFF / save it again as PNG, JPEG or TIFF") from e
        with image:
            frames = getattr(image, "n_frames", 1)
            dpi = _image_dpi(image)

            def images():
                for number, frame in enumerate(ImageSequence.Iterator(image), 1):
                    if frame.width * frame.height > MAX_PIXELS:
                        raise _too_large(path)
                    yield number, lambda frame=frame: _loaded(path, frame), dpi

            by_page = self._recognise(path, file_hash, images(), frames, progress)
        blocks = tuple(b for number in sorted(by_page) for b in by_page[number])
        return Extracted(blocks=blocks, format="image", pages=frames, ocr_pages=tuple(sorted(by_page)),
                         notes=(f"OCR Tesseract ({self.lang}) / OCR by Tesseract",))

    def cached_page(self, path: Path, number: int) -> OcrPage | None:
        """Page `number` (1-based) of a PDF or image that was already OCR'd with these settings, from
        the cache only: Tesseract never runs here. None when the page was not recognised."""
        path = Path(path)
        if not self.available():
            return None
        try:
            dpi = self.dpi if path.suffix.lower() == ".pdf" else _file_image_dpi(path)
            key = self._key(self._file_hash(path), number, dpi)
            page = self._cached(key)
            if page is not None and page.angle is None:   # cached before the angle was recorded: measure it again
                gray, _ = self._prepared(_page_image(path, number, self.dpi), dpi)
                page = page._replace(angle=skew_to_undo(gray) if self.deskew else 0.0)
                self._cache_put(key, page.words, page.size, page.angle)
            return page
        except Exception:  # noqa: BLE001 - a damaged or moved file: no words, no mark; never an error in an answer
            return None

    # -- pipeline ---------------------------------------------------------------------------
    def _require(self, path: Path) -> None:
        if not self.available():
            raise InputFileError(path, f"chưa cài Tesseract hoặc gói ngôn ngữ '{self.lang}' / Tesseract or its "
                                 f"'{self.lang}' model is not installed", f"{_INSTALL} / install: {_INSTALL}")

    def _recognise(self, path: Path, file_hash: str, images, total: int, progress) -> dict[int, list[Block]]:
        """Render pages here (pdfium is not thread-safe); clean and recognise them in `jobs` threads,
        each waiting on its own tesseract process. Cached pages are not rendered at all."""
        out: dict[int, list[Block]] = {}
        done, pending = 0, []

        def finish(number: int, words: list[Word], size: tuple[int, int], note: str = "") -> None:
            nonlocal done
            out[number] = page_blocks(words, size, number)
            done += 1
            if progress:
                progress(done, total, f"OCR {path.name}: trang {number}{note}")

        with ThreadPoolExecutor(self.jobs) as pool:
            for number, render, dpi in images:
                key = self._key(file_hash, number, dpi)
                cached = self._cached(key)
                if cached is not None:
                    finish(number, cached.words, cached.size, " (đã lưu / cached)")
                    continue
                pending.append((number, pool.submit(self._ocr_page, path, number, render(), dpi, key)))
                while len(pending) > self.jobs:          # bounded: a few page images in memory at once
                    number, future = pending.pop(0)
                    finish(number, *future.result())
            for number, future in pending:
                finish(number, *future.result())
        return out

    def _ocr_page(self, path: Path, number: int, image, dpi: int | None, key: str):
        gray, dpi = self._prepared(image, dpi)
        angle = skew_to_undo(gray) if self.deskew else 0.0
        gray = rotated(gray, angle)
        buf = io.BytesIO()
        gray.save(buf, format="PPM")                     # uncompressed PGM: nothing to encode
        words = repaired(rejoined(_parse_tsv(self._run(buf.getvalue(), dpi, path, number))))
        if number == 1 and self.handwriting and image.mode not in ("1", "L", "LA", "I", "I;16", "F"):
            words = fill_header_slots(words, _aligned_rgb(image, gray.size, angle))
        self._cache_put(key, words, gray.size, angle)
        return words, gray.size

    def _prepared(self, image, dpi: int | None):
        """(grayscale page without red ink, at the recognition dpi; that dpi): what is deskewed and read."""
        gray = gray_without_red(image, drop_red=self.clean)
        if dpi and dpi > self.dpi * 1.2:                 # e.g. a 600 dpi scan: recognise at the measured dpi
            gray = gray.resize((round(gray.width * self.dpi / dpi), round(gray.height * self.dpi / dpi)))
            dpi = self.dpi
        return gray, dpi

    def _run(self, image_bytes: bytes, dpi: int | None, path: Path, number: int) -> str:
        """One tesseract process, one thread (OMP threads fight the other jobs for the cores)."""
        args = ["tesseract", "stdin", "stdout", "-l", self.lang, "--psm", str(self.psm),
                *(["--dpi", str(dpi)] if dpi else []), *(a for c in self.config for a in ("-c", c)), "tsv"]
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        try:
            done = subprocess.run(args, input=image_bytes, capture_output=True, env=env, timeout=self.timeout_s,
                                  check=False)
        except subprocess.TimeoutExpired as e:
            raise InputFileError(path, f"OCR trang {number} quá {self.timeout_s:.0f} giây / OCR of page {number} "
                                 "timed out", "quét lại trang rõ hơn hoặc tách tệp / rescan the page or split "
                                 "the file") from e
        if done.returncode != 0:
            raise InputFileError(path, f"Tesseract lỗi ở trang {number} / Tesseract failed on page {number}: "
                                 f"{done.stderr.decode('utf-8', 'replace').strip()[-200:]}",
                                 f"kiểm tra cài đặt / check the installation: {_INSTALL}")
        return done.stdout.decode("utf-8", "replace")

    # -- cache -----------------------------------------------------------------------------
    def _key(self, file_hash: str, number: int, dpi: int) -> str:
        settings = f"{file_hash}|{number}|{dpi}|{self.lang}|{self.psm}|{self.deskew}|{self.clean}|{self.config}|" \
                   f"{self.handwriting}|{reader_id()}|{self._version}"
        return hashlib.sha256(settings.encode()).hexdigest()

    def _file_hash(self, path: Path) -> str:
        """The file's sha256, hashed again only when its size or mtime changed: a scan cited
        answer after answer is not read whole each time."""
        stat = path.stat()
        stamp = (str(path), stat.st_size, stat.st_mtime_ns)
        if stamp not in self._hashes:
            self._hashes[stamp] = file_sha256(path)
        return self._hashes[stamp]

    def _cached(self, key: str) -> OcrPage | None:
        try:
            data = json.loads((self.cache_dir / f"{key}.json").read_text(encoding="utf-8"))
            angle = data.get("angle")
            return OcrPage([Word(*w) for w in data["words"]], tuple(data["size"]),
                           None if angle is None else float(angle))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def _cache_put(self, key: str, words: list[Word], size: tuple[int, int], angle: float = 0.0) -> None:
        """Write to a temporary file, then rename: a reader never sees half a file."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"size": list(size), "angle": angle, "words": [list(w) for w in words]},
                          ensure_ascii=False, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
            os.replace(tmp, self.cache_dir / f"{key}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _aligned_rgb(image, size: tuple[int, int], angle: float):
    """The page in colour with the pixels of the grayscale image Tesseract read (same scale and turn)."""
    import numpy as np
    from PIL import Image

    rgb = image.convert("RGB")
    if rgb.size != tuple(size):
        rgb = rgb.resize(size)
    if angle:
        rgb = rgb.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")
    return np.asarray(rgb)


def _image_dpi(image) -> int | None:
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 70 <= value <= 1200 else None


def _page_image(path: Path, number: int, dpi: int):
    """Page `number` of a PDF rendered at `dpi`, or frame `number` of an image, as OCR saw it."""
    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path))
        try:
            return doc[number - 1].render(scale=dpi / 72).to_pil()
        finally:
            doc.close()
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        frame = next((f for n, f in enumerate(ImageSequence.Iterator(image), 1) if n == number), None)
        if frame is None:
            raise ValueError(f"{path.name} has no page {number}")
        return _loaded(path, frame)


def _file_image_dpi(path: Path) -> int | None:
    from PIL import Image

    with Image.open(path) as image:
        return _image_dpi(image)


def _loaded(path: Path, frame):
    """A decoded copy of one frame; truncated or corrupt data becomes an InputFileError."""
    from PIL import ImageOps

    try:
        frame.load()
        return ImageOps.exif_transpose(frame)        # a phone photo stored sideways, upright
    except (OSError, ValueError, SyntaxError) as e:
        raise InputFileError(path, "ảnh bị hỏng hoặc thiếu dữ liệu / corrupt or truncated image",
                             "quét hoặc xuất lại ảnh / rescan or export the image again") from e


def _too_large(path: Path) -> InputFileError:
    return InputFileError(path, f"ảnh quá lớn (trên {MAX_PIXELS // 1_000_000} triệu điểm ảnh) / image too large "
                          f"(over {MAX_PIXELS // 1_000_000} Mpx)", "quét lại ở 200-300 dpi / rescan at 200-300 dpi")
