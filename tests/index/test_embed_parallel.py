"""Batches side by side on torch (index/embed_parallel.py), with a real sentence-transformers
model: the vectors of sentence-transformers' own encode, in the caller's order."""
from __future__ import annotations

import numpy as np
import pytest

from index.embed_parallel import MAX_WORKERS, length_batches, worker_count

TEXTS = ["Giao Sở Nội vụ chủ trì, phối hợp với Văn phòng UBND tỉnh kiểm tra công vụ.", "ngắn",
         "Sở Tài chính bố trí kinh phí thực hiện kế hoạch trước ngày 15/4/2026.",
         "Ủy ban nhân dân các xã, phường báo cáo kết quả hằng tháng " * 6, "Điều 5.", "",
         "Các sở, ban, ngành căn cứ chức năng, nhiệm vụ được giao triển khai thực hiện."] * 5


def test_batches_hold_texts_of_similar_length_and_every_text_once():
    batches = length_batches(TEXTS, 4)
    assert sorted(i for b in batches for i in b) == list(range(len(TEXTS)))
    assert all(len(b) <= 4 for b in batches)
    lengths = [[len(TEXTS[i]) for i in b] for b in batches]
    assert all(max(a) <= min(b) for a, b in zip(lengths, lengths[1:]))


def test_one_worker_per_core_up_to_a_bound():
    assert worker_count(1) == 1 and worker_count(2) == 2 and worker_count(64) == MAX_WORKERS
    assert worker_count() >= 1


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_same_vectors_as_sentence_transformers_encode(workers):
    import torch
    from sentence_transformers import SentenceTransformer

    from core.settings import Settings
    from index.e5_convert import ensure_model
    from index.embed_parallel import encode_parallel

    model = SentenceTransformer(str(ensure_model(Settings().model_dir)), device="cpu")
    threads = torch.get_num_threads()
    reference = model.encode(TEXTS, batch_size=4, normalize_embeddings=True, convert_to_numpy=True)
    ours = encode_parallel(model, TEXTS, batch_size=4, workers=workers)
    assert ours.shape == reference.shape
    assert np.abs(ours - reference).max() < 1e-5
    assert torch.get_num_threads() == threads      # the thread count is given back
    assert encode_parallel(model, [], batch_size=4).shape[0] == 0
