"""A scanned page made ready for Tesseract: grayscale with red stamps faded out, skew measured and
undone. Pure image work on PIL images: no tesseract process, no cache."""
from __future__ import annotations

MIN_SKEW_DEG = 0.3             # smaller skews are left alone: Tesseract copes, rotating resamples the page


def gray_without_red(image, drop_red: bool = True):
    """8-bit grayscale. Red and magenta ink (stamps and seals, often over the header) is lightened
    by how much redder than gray it is, so it fades into the paper while black text on it stays."""
    import numpy as np
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    if image.mode in ("1", "L", "I;16", "I", "F"):
        return image.convert("L")
    rgb = image.convert("RGB")
    gray = rgb.convert("L")
    arr = np.asarray(rgb)
    red, rest = arr[..., 0], np.maximum(arr[..., 1], arr[..., 2])
    mask = red > np.minimum(rest, 240) + 15        # redder than gray by more than JPEG colour noise
    if not drop_red or not mask.any():
        return gray
    out = np.asarray(gray).copy()
    out[mask] = np.clip(out[mask] + 2 * (red[mask].astype(np.int16) - rest[mask] - 15), 0, 255)
    return Image.fromarray(out)


def measure_skew(gray) -> float:
    """Skew in degrees by projection profile: the shear that makes text rows sharpest."""
    import numpy as np

    factor = max(1, gray.width // 1000)
    small = np.asarray(gray.reduce(factor) if factor > 1 else gray)
    ink = (int(np.percentile(small, 1)) + int(np.median(small))) // 2
    ys, xs = np.nonzero(small < ink)
    if len(ys) < 500:
        return 0.0
    if len(ys) > 100_000:
        pick = np.random.default_rng(0).choice(len(ys), 100_000, replace=False)
        ys, xs = ys[pick], xs[pick]

    def score(angle: float) -> float:
        rows = np.rint(ys - xs * np.tan(np.radians(angle))).astype(np.int64)
        hist = np.bincount(rows - rows.min())
        return float(np.sum(np.diff(hist).astype(np.float64) ** 2))

    best = max(np.arange(-4, 4.01, 0.25), key=score)
    return round(float(max(np.arange(best - 0.25, best + 0.26, 0.05), key=score)), 2)


def deskew(gray):
    return rotated(gray, skew_to_undo(gray))


def skew_to_undo(gray) -> float:
    angle = measure_skew(gray)
    return angle if abs(angle) > MIN_SKEW_DEG else 0.0


def rotated(gray, angle: float):
    """The page turned by `angle` degrees counter-clockwise about its centre, same size."""
    from PIL import Image

    if not angle:
        return gray
    return gray.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)


def unrotated_point(x: float, y: float, size: tuple[int, int], angle: float) -> tuple[float, float]:
    """Where a pixel of `rotated(page, angle)` lies on the page before the turn: the inverse of PIL's
    counter-clockwise rotation about the centre (y grows downwards)."""
    import math

    cx, cy = size[0] / 2, size[1] / 2
    t = math.radians(angle)
    dx, dy = x - cx, y - cy
    return cx + dx * math.cos(t) - dy * math.sin(t), cy + dx * math.sin(t) + dy * math.cos(t)
