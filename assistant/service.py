"""The facade every caller uses: ``Assistant(settings).ask(question) -> Answer``."""
from __future__ import annotations

import time
from pathlib import Path

from index.embed import load_embedder
from index.errors import StoreError
from index.glossary import load_glossary
from index.leases import Lease
from index.store import chroma_client, read_pointer, read_snapshot

from .answer import compose
from .config import Settings
from .indexing import add, build, library, unindexed  # noqa: F401 (callers find them here too)
from .followup import rewrite
from .prompts import phrase
from .query import analyze, language_of
from .retrieve import HybridRetriever
from .types import Answer
from .validate import check_filters, check_question

REBUILD = "python -m assistant index --rebuild"


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        s = self.settings
        snapshot, self.lease = _open_live(s.index_dir)
        try:
            self._open(snapshot)
        except BaseException:
            self.lease.release()
            raise

    def _open(self, snapshot) -> None:
        s = self.settings
        if snapshot.model != s.embedding_model:
            raise StoreError(f"the index was built with the embedding model '{snapshot.model}' but the "
                             f"settings ask for '{s.embedding_model}'; rebuild it with `{REBUILD}`")
        client = chroma_client(s.index_dir, s.chroma_host, s.chroma_port)
        try:
            collection = client.get_collection(snapshot.collection)
            meta = collection.metadata or {}
        except Exception as e:
            raise StoreError(f"the vector collection '{snapshot.collection}' is missing from Chroma ({e}); "
                             f"rebuild it with `{REBUILD}`") from e
        if meta.get("embedding_model") != s.embedding_model:
            raise StoreError(f"the Chroma collection was embedded with '{meta.get('embedding_model')}', "
                             f"not '{s.embedding_model}'; rebuild it with `{REBUILD}`")
        embedder = load_embedder(s.embedding_model)
        self.snapshot = snapshot
        self.documents = {d.id: d for d in snapshot.documents}
        glossary = load_glossary() if s.glossary else load_glossary().places_only()
        self.retriever = HybridRetriever(snapshot=snapshot, collection=collection, embedder=embedder, k=s.top_k,
                                         glossary=glossary, tuning=s.tuning.ranking)
        self.writer = None  # LLM mode, when an endpoint is configured
        if s.llm_enabled:
            from .writer import Writer

            self.writer = Writer(s)

    def close(self) -> None:
        """Give up the lease on this build: a later build may delete it."""
        self.lease.release()

    def followup(self, message: str, previous: str | None, extractive: bool = False) -> str | None:
        """``message`` as a standalone question after ``previous`` (None if it stands alone): rewritten by
        the model in LLM mode, by rules otherwise or when the model fails."""
        if self.writer and not extractive:
            return self.writer.standalone(message, previous)
        return rewrite(message, previous)

    def ask(self, question: str, *, documents: list[str] | None = None, regions: list[str] | None = None,
            id: object = None, extractive: bool = False, on_token=None) -> Answer:
        """Answer with citations: written by the model and verified in LLM mode (unless ``extractive``),
        extractive otherwise; ``on_token`` receives the model's draft as it streams."""
        t0 = time.perf_counter()
        text = check_question(question, self.settings.max_question_chars)
        documents, regions = check_filters(documents, regions, self.snapshot.documents)
        query = self.retriever.prepare(analyze(text, self.retriever.glossary), documents, regions)
        hits = self.retriever.search(query, self.settings.top_k, documents, regions)
        t1 = time.perf_counter()
        absent = self.retriever.absent_terms(query)
        composed = compose(query, hits, self.documents, self.retriever.concept_weights(query),
                           judge_weights=self.retriever.concept_weights(query, absent=True),
                           absent=absent, tuning=self.settings.tuning)
        t2 = time.perf_counter()
        timings = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}
        answer = Answer(question=text, language=query.language, text=composed.text, abstained=composed.abstained,
                        citations=composed.citations, retrieved=hits, timings_ms=timings, id=id,
                        see_also=composed.see_also, abstention=composed.reason, signals=composed.signals)
        if self.writer and not extractive and not absent:  # no policy mentions what is asked: nothing to write from
            return self.writer.write(answer, query, hits, self.documents, on_token)
        return answer


def _open_live(index_dir: Path):
    """The live snapshot and a lease on it, taken before its files are read so no prune removes them."""
    for _ in range(3):
        pointer = read_pointer(index_dir)
        if pointer is None:
            raise StoreError(f"there is no index in {index_dir}; build it with `python -m assistant index`")
        lease = Lease(index_dir, pointer["build"])
        try:
            return read_snapshot(index_dir, pointer["build"]), lease
        except StoreError:
            lease.release()
            if (read_pointer(index_dir) or {}).get("build") == pointer["build"]:
                raise  # damaged, not replaced under our feet
    raise StoreError(f"the index in {index_dir} keeps changing; try again when the build has finished")
