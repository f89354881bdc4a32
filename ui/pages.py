"""A cited PDF page as a small image for the sources panel (rendered on demand, cached)."""
from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

THUMBNAIL_DPI = 60


def page_image(source: str | None, page: int | None) -> str | None:
    """A data: URI of page `page` (1-based) of the PDF at `source`, or None when it cannot be shown
    (not a PDF, the file moved, a damaged file)."""
    if not source or not page or not source.lower().endswith(".pdf"):
        return None
    try:
        return _render(source, page, Path(source).stat().st_mtime)
    except Exception:  # noqa: BLE001 - a missing picture never breaks an answer
        return None


@lru_cache(maxsize=32)
def _render(source: str, page: int, _mtime: float) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(source)
    try:
        image = doc[page - 1].render(scale=THUMBNAIL_DPI / 72).to_pil().convert("L")
    finally:
        doc.close()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
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
