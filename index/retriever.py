"""The langchain adapters: the hybrid searcher as a langchain retriever, for chains (e.g. LLM
answerers) built on it, and our embedders registered as langchain `Embeddings`. A module of its
own: langchain_core.retrievers and .embeddings import langchain's tracing stack (1.3 s), which
answering a question through the searcher never needs."""
from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from index.embed import Embedder

Embeddings.register(Embedder)   # every embedder here implements its protocol (index/embed.py)


class ClauseRetriever(BaseRetriever):
    """The hybrid searcher as a langchain retriever, so chains (e.g. LLM answerers) can use it.
    Each langchain Document carries the clause text and its citation metadata."""
    searcher: object
    k: int = 5
    documents: list[str] | None = None
    provinces: list[str] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun
                                ) -> list[LCDocument]:
        hits = self.searcher.search(query, self.k, self.documents, self.provinces)
        return [LCDocument(page_content=h.chunk.text,
                           metadata={"chunk_id": h.chunk.chunk_id, "document": h.chunk.document,
                                     "clause": h.chunk.clause, "title": h.chunk.title,
                                     "number": h.chunk.number, "province": h.chunk.province,
                                     "start": h.chunk.start, "end": h.chunk.end, "score": h.score})
                for h in hits]
