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
from index.library import add_documents, load_folder, load_library
from index.types import Document
from index.store import chroma_client, read_snapshot

from .answer import compose
from .config import Settings
from .followup import rewrite
from .prompts import phrase
from .query import analyze, language_of
from .retrieve import HybridRetriever
from .types import Answer, QuestionError

REBUILD = "python -m assistant index --rebuild"


def library(settings: Settings) -> list[Document]:
    """The built-in library, then the extra libraries read in place, then the documents users added."""
    extra = [d for folder in settings.extra_libraries for d in load_folder(folder)]
    return load_library(settings.library_dir) + extra + load_library(settings.user_library_dir)


def build(settings: Settings, rebuild: bool = False, progress: bool = True) -> BuildReport:
    """Index the library with the configured model and store (a no-op when nothing changed)."""
    return build_index(library(settings), settings.index_dir, settings.embedding_model,
                       host=settings.chroma_host, port=settings.chroma_port, rebuild=rebuild, progress=progress)


def add(settings: Settings, sources: list[Path], meta: dict | None = None, progress: bool = False
        ) -> tuple[list[ImportItem], BuildReport | None]:
    """Add policy files (or every supported file of folders) to the user library, then index once.

    Returns a per-file report and the build; files that cannot be read or yield no clause are skipped with the
    reason. Nothing is listed unless the build succeeds."""
    files = collect(sources)
    if meta:
        if len(files) > 1:
            raise PolicyError("title, 文号 and the other metadata options describe one file; for several files, "
                              "put a library.json beside them or let the metadata be read from the texts")
        files = [(files[0][0], {**files[0][1], **meta})]
    bar = (lambda xs: tqdm(xs, desc="reading", unit="file")) if progress else None
    items = prepare(files, {d.id for d in library(settings)}, bar)
    good = [i for i in items if i.document]
    if not good:
        return items, None
    folder = settings.user_library_dir
    listing = folder / "library.json"
    before = listing.read_bytes() if listing.exists() else None
    add_documents(folder, [(i.source, i.entry) for i in good])
    try:
        return items, build(settings, progress=progress)
    except BaseException:
        # the live index never saw these files: take exactly them out of the library again
        for i in good:
            (folder / i.entry["file"]).unlink(missing_ok=True)
        if before is None:
            listing.unlink(missing_ok=True)
        else:
            listing.write_bytes(before)
        raise


def check_question(question: object, limit: int) -> str:
    """The question as text, or a QuestionError saying what is wrong with it."""
    if not isinstance(question, str) or not question.strip():
        raise QuestionError(phrase("zh" if isinstance(question, str) and language_of(question) == "zh" else "en",
                                   "empty"))
    text = question.strip()
    if len(text) > limit:
        raise QuestionError(phrase(language_of(text), "too_long", length=len(text), limit=limit))
    return text


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        s = self.settings
        snapshot = read_snapshot(s.index_dir)
        if snapshot is None:
            raise StoreError(f"there is no index in {s.index_dir}; build it with `python -m assistant index`")
        if snapshot.model != s.embedding_model:
            raise StoreError(f"the index was built with the embedding model '{snapshot.model}' but the "
                             f"settings ask for '{s.embedding_model}'; rebuild it with `{REBUILD}`")
        client = chroma_client(s.index_dir, s.chroma_host, s.chroma_port)
        try:
            meta = client.get_collection(snapshot.collection).metadata or {}
        except Exception as e:
            raise StoreError(f"the vector collection '{snapshot.collection}' is missing from Chroma ({e}); "
                             f"rebuild it with `{REBUILD}`") from e
        if meta.get("embedding_model") != s.embedding_model:
            raise StoreError(f"the Chroma collection was embedded with '{meta.get('embedding_model')}', "
                             f"not '{s.embedding_model}'; rebuild it with `{REBUILD}`")
        from langchain_chroma import Chroma

        embedder = load_embedder(s.embedding_model)
        store = Chroma(client=client, collection_name=snapshot.collection, embedding_function=embedder)
        self.snapshot = snapshot
        self.documents = {d.id: d for d in snapshot.documents}
        glossary = load_glossary() if s.glossary else load_glossary().places_only()
        self.retriever = HybridRetriever(snapshot=snapshot, vectorstore=store, embedder=embedder, k=s.top_k,
                                         glossary=glossary)
        self.writer = None  # LLM mode, when an endpoint is configured
        if s.llm_enabled:
            from .writer import Writer

            self.writer = Writer(s)

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
        query = self.retriever.prepare(analyze(text, self.retriever.glossary), documents, regions)
        hits = self.retriever.search(query, self.settings.top_k, documents, regions)
        t1 = time.perf_counter()
        absent = self.retriever.absent_terms(query)
        composed = compose(query, hits, self.documents, self.retriever.concept_weights(query), absent=absent)
        t2 = time.perf_counter()
        timings = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}
        answer = Answer(question=text, language=query.language, text=composed.text, abstained=composed.abstained,
                        citations=composed.citations, retrieved=hits, timings_ms=timings, id=id,
                        see_also=composed.see_also)
        if self.writer and not extractive and not absent:  # no policy mentions what is asked: nothing to write from
            return self.writer.write(answer, query, hits, self.documents, on_token)
        return answer
