"""The facade every caller uses: ``Assistant(settings).ask(question) -> Answer``."""
from __future__ import annotations

import time
from pathlib import Path

from tqdm import tqdm

from index.build import BuildReport, build_index
from index.embed import load_embedder
from index.errors import PolicyError, StoreError
from index.glossary import load_glossary
from index.importer import ImportItem, collect, prepare
from index.leases import Lease
from index.library import add_documents, load_folder, load_library, read_listing, remove_documents
from index.store import chroma_client, read_pointer, read_snapshot
from index.types import Document
from index.writer import writer

from .answer import compose
from .config import Settings
from .followup import rewrite
from .prompts import phrase
from .query import analyze, language_of
from .retrieve import HybridRetriever
from .types import Answer
from .validate import check_filters, check_question

REBUILD = "python -m assistant index --rebuild"


def library(settings: Settings) -> list[Document]:
    """The built-in library, then the extra libraries read in place, then the documents users added."""
    limits = settings.read_limits
    extra = [d for folder in settings.extra_libraries for d in load_folder(folder, limits)]
    return load_library(settings.library_dir, limits) + extra + load_library(settings.user_library_dir, limits)


def build(settings: Settings, rebuild: bool = False, progress: bool = True, on_wait=None) -> BuildReport:
    """Index the library with the configured model and store (a no-op when nothing changed).

    Holds the writer lock: with another add/index/upload running, waits up to ``settings.write_wait``
    seconds (``on_wait`` hears why), then gives up with a StoreError.
    """
    with writer(settings.data_dir, settings.write_wait, on_wait):
        return _build(settings, rebuild, progress)


def _build(settings: Settings, rebuild: bool = False, progress: bool = True) -> BuildReport:
    return build_index(library(settings), settings.index_dir, settings.embedding_model,
                       host=settings.chroma_host, port=settings.chroma_port, rebuild=rebuild, progress=progress)


def add(settings: Settings, sources: list[Path], meta: dict | None = None, progress: bool = False, on_wait=None
        ) -> tuple[list[ImportItem], BuildReport | None]:
    """Add policy files (or every supported file of folders) to the user library, then index once.

    Returns a per-file report and the build; files that cannot be read or yield no clause are skipped with the
    reason. Runs under the writer lock; if indexing fails, exactly the entries and files this call wrote are
    taken out again, so library and index stay in step and nothing another writer made is touched."""
    files = collect(sources)
    if meta:
        if len(files) > 1:
            raise PolicyError("title, 文号 and the other metadata options describe one file; for several files, "
                              "put a library.json beside them or let the metadata be read from the texts")
        files = [(files[0][0], {**files[0][1], **meta})]
    bar = (lambda xs: tqdm(xs, desc="reading", unit="file")) if progress else None
    folder = settings.user_library_dir
    with writer(settings.data_dir, settings.write_wait, on_wait):
        items = prepare(files, {d.id for d in library(settings)}, bar, settings.read_limits)
        good = [i for i in items if i.document]
        if not good:
            return items, None
        add_documents(folder, [(i.source, i.entry) for i in good])
        try:
            return items, _build(settings, progress=progress)
        except BaseException:
            remove_documents(folder, [i.entry for i in good])
            raise


def unindexed(settings: Settings) -> list[str]:
    """Ids listed in the libraries that the live build does not hold (e.g. an add killed mid-build)."""
    snapshot = read_snapshot(settings.index_dir)
    held = {d.id for d in snapshot.documents} if snapshot else set()
    listed = read_listing(settings.library_dir) + read_listing(settings.user_library_dir)
    return [e["id"] for e in listed if e.get("id") and e["id"] not in held]


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
