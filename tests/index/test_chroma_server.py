"""RAG_CHROMA_URL: the vectors live in a real Chroma server (`chroma run`) on a loopback port.
Ingest, query, restart the server, query again: nothing is lost. Two app workers share the
server and the data dir; one ingests, the other sees it without a restart."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.ask import Assistant
from assistant.library import Library
from core.errors import ConfigError
from core.settings import Settings
from tests.conftest import SAMPLES

CHROMA = shutil.which("chroma")
pytestmark = pytest.mark.skipif(CHROMA is None, reason="the chroma CLI (chromadb package) is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    def __init__(self, path: Path, port: int):
        self.path, self.port, self.proc = path, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> "ChromaServer":
        self.proc = subprocess.Popen([CHROMA, "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1).read()
                return self
            except OSError:
                assert self.proc.poll() is None, "chroma run exited"
                time.sleep(0.2)
        raise TimeoutError("chroma server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    srv = ChromaServer(tmp_path / "chroma-server", _free_port()).start()
    yield srv
    srv.stop()


def test_ingest_query_restart_query(server, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=SAMPLES, chroma_url=server.url)
    library = Library(settings)
    report = library.ingest([SAMPLES])
    assert not report.failed and report.count("added") == 4
    assert not (tmp_path / "data" / "chroma").exists()   # vectors went to the server, not the data dir
    count = library.vectors.count()
    assert count == len(library.chunks()) > 50
    question = "Hồ sơ trình có nội dung mật gửi thế nào?"
    before = [h.chunk.chunk_id for h in library.search(question, 5, mode="dense")]
    library.close()

    server.stop()
    server.start()

    reopened = Library(settings)
    assert reopened.vectors.count() == count
    assert [h.chunk.chunk_id for h in reopened.search(question, 5, mode="dense")] == before
    answer = Assistant(reopened).ask(question)
    assert not answer.refused and "mật" in answer.citations[0].text
    reopened.close()


def test_two_workers_share_one_store(server, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=SAMPLES, chroma_url=server.url)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = sorted(SAMPLES.glob("*.txt"))
    shutil.copy(files[0], corpus)
    writer, reader = Library(settings), Library(settings)
    writer.ingest([corpus])
    reader_docs = lambda: {h.chunk.document for h in reader.search("Sở Nội vụ chủ trì", 10)}
    assert len(reader_docs()) == 1
    shutil.copy(files[1], corpus)
    writer.ingest([corpus])   # the reader picks the change up on its next question, no restart
    assert len(reader_docs()) == 2
    assert len(reader.documents()) == 2 and reader.refresh() is False   # already current
    writer.close()
    reader.close()


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", chroma_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ConfigError, match="RAG_CHROMA_URL") as err:
        Library(settings)
    assert "chroma run" in str(err.value)
    with pytest.raises(ConfigError, match="http://127.0.0.1:8000"):
        Library(Settings(data_dir=tmp_path / "d2", chroma_url="ftp://nowhere"))


def test_rebuild_also_empties_the_server_collection(server, tmp_path):
    from assistant.library import wipe_index

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=SAMPLES, chroma_url=server.url, embed_model="hash")
    library = Library(settings)
    library.ingest([sorted(SAMPLES.glob("*.txt"))[0]])
    assert library.vectors.count() > 0
    library.close()
    wipe_index(settings.data_dir, settings)   # what 'ingest --rebuild' does first
    fresh = Library(settings)
    assert fresh.vectors.count() == 0 and fresh.is_empty()   # no stale vectors left to reuse by clause id
    fresh.close()
