"""The plain LangChain recipe people would otherwise use, scored with the same metrics.

RecursiveCharacterTextSplitter(500, 50) over the library's texts, Chroma (in memory), the same embedding
model, top-k similarity. It has no answer composer: its "citations" are the top 3 chunks a prompt
would show an LLM.
"""
from __future__ import annotations

import time

from index.embed import load_embedder

CITED = 3


def split(documents) -> list:
    """The recipe's chunks: LangChain Documents of at most 500 characters, overlapping by 50."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    return splitter.split_documents([Document(page_content=d.text, metadata={"document_id": d.id})
                                     for d in documents])


class Baseline:
    def __init__(self, documents, model: str, k: int = 10, embedder=None):
        """``embedder``: the model's ``Embeddings`` (default: ``model`` loaded), e.g. one caching vectors."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        name = f"baseline_{int(time.time() * 1000)}"
        self.store = Chroma.from_documents(split(documents), embedder or load_embedder(model), client=client,
                                           collection_name=name)
        self.k = k

    def ask(self, question: str) -> dict:
        t0 = time.perf_counter()
        found = self.store.similarity_search_with_score(question, k=self.k)
        ms = (time.perf_counter() - t0) * 1000
        retrieved = [{"clause_id": f"chunk{i}", "clause_path": d.metadata["document_id"], "text": d.page_content,
                      "score": float(s)} for i, (d, s) in enumerate(found)]
        cited = [{"n": i + 1, "quote": r["text"], "text": r["text"]} for i, r in enumerate(retrieved[:CITED])]
        return {"question": question, "answer": "\n".join(c["text"] for c in cited), "abstained": False,
                "citations": cited, "retrieved": retrieved, "timings_ms": {"total": ms}}
