"""Documents → clauses → Chroma + snapshot, idempotently (by content hash) and atomically.

One vector per clause: the clause under its path, as one text. A clause longer than ``EMBED_WINDOW`` characters
(a long outline paragraph) gets one vector per window of whole sentences, so no part of it is averaged away.
Vectors stream into the new collection batch by batch, reused ones copied from the live build, so memory does
not grow with the library.
"""
from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from . import tokens
from .clauses import PARSER_VERSION, parse
from .lexical import LexicalIndex, tokenizer_signature
from .errors import StoreError
from .sentences import windows
from .store import chroma_client, prune, quarantine_chroma, read_snapshot, verify_collection, write_snapshot
from .types import Clause, Document

BATCH = 64           # texts per embedding call (the engine spreads a batch over the cores)
WRITE_BATCH = 500    # vectors per Chroma write (and per read when vectors are copied from the live build)
EMBED_WINDOW = 1000  # characters: a longer clause is embedded window by window
# Chroma's HNSW graph. With its defaults (search_ef 100 for the 100 nearest windows asked) ~4 % of the true
# nearest windows were missing, and which ones changed from build to build (the graph is built in parallel and
# randomly): two builds of one library answered differently. Wider searches make it near exact and repeatable
# (of 15,000 nearest windows of 150 questions on corpus-dev: 693–1,236 missed by default, 0–4 with these) for
# about half a millisecond a question.
HNSW = {"hnsw:space": "cosine", "hnsw:construction_ef": 200, "hnsw:search_ef": 500}


@dataclass(frozen=True)
class BuildReport:
    build_id: str
    documents: int
    clauses: int
    windows: int
    embedded: int
    reused: int
    unchanged: bool
    seconds: float
    repaired: str | None = None  # what was found damaged and rebuilt


def build_index(documents: list[Document], index_dir: Path, model: str, *, host: str | None = None,
                port: int | None = None, rebuild: bool = False, progress: bool = True) -> BuildReport:
    """Index ``documents``; with nothing changed since the live build, return without writing.

    The caller holds the writer lock (``index.writer``). A live build whose vectors are unreadable is
    rebuilt; an embedded Chroma database too damaged to open is moved aside by ``rebuild`` only.
    """
    t0 = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    clauses = [c for d in documents for c in parse(d)]
    items = [(f"{c.id}#w{k}", c, text) for c in clauses for k, text in enumerate(windows(c.text, EMBED_WINDOW))]
    old = None if rebuild else _previous(index_dir)
    client, repaired = _client(index_dir, host, port, rebuild)
    if old and old.model == model and old.parser_version == PARSER_VERSION \
            and old.hashes == {c.id: c.content_hash for c in clauses} and old.documents == documents \
            and old.tokenizer == tokenizer_signature() and _same_graph(client, old.collection):
        try:
            verify_collection(client, old.collection, len(items))
            return BuildReport(old.build_id, len(documents), len(clauses), 0, 0, 0, True,
                               time.perf_counter() - t0)
        except StoreError as e:
            repaired, old = str(e), None  # nothing in it can be trusted: embed everything again

    regions = {d.id: d.region or "" for d in documents}
    build_id = time.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
    collection_name = f"clauses_{build_id}"
    collection = client.create_collection(collection_name, metadata={
        "embedding_model": model, "parser_version": PARSER_VERSION, "embed_window": EMBED_WINDOW, **HNSW})

    outbox = _Outbox(collection, regions)
    reused = _copy_reusable(client, old, model, clauses, items, outbox.add)
    missing = [i for i in items if i[0] not in reused]
    embedded = _embed(model, missing, outbox.add, progress) if missing else 0
    outbox.flush()
    signature = tokenizer_signature()
    previous = tokens.load(old.folder) if old and old.tokenizer == signature else {}
    words = tokens.clause_tokens(clauses, previous)
    write_snapshot(index_dir, build_id, collection_name, model, PARSER_VERSION, documents, clauses,
                   LexicalIndex.from_tokens([words[c.content_hash] for c in clauses]), signature, words)
    prune(index_dir, client)
    return BuildReport(build_id, len(documents), len(clauses), len(items), embedded, len(reused), False,
                       time.perf_counter() - t0, repaired)


def _embed(model: str, items, write, progress: bool) -> int:
    """Embed ``items`` in batches and ``write`` them with their vectors; return how many texts were embedded.

    A text met again (a boilerplate article, the same rules filed twice) takes the vector it got the first
    time, as embedding is deterministic; a vector is kept only while a later item still wants it."""
    batches = [items[start:start + BATCH] for start in range(0, len(items), BATCH)]
    texts = [[embed_text(c, t) for _, c, t in batch] for batch in batches]
    left = Counter(t for batch in texts for t in batch)
    seen: set[str] = set()
    new = []
    for batch in texts:
        new.append([t for t in dict.fromkeys(batch) if t not in seen])
        seen.update(new[-1])
    from .embed import embed_batches, load_embedder  # LangChain and the model: only when something is embedded

    embedder = load_embedder(model)
    kept: dict[str, list[float]] = {}
    with tqdm(total=len(items), desc="embedding", unit="window", disable=not progress) as bar:
        for batch, batch_texts, fresh, got in zip(batches, texts, new, embed_batches(embedder, new)):
            kept.update(zip(fresh, got))
            vectors = []
            for text in batch_texts:
                vectors.append(kept[text])
                left[text] -= 1
                if not left[text]:
                    del kept[text]
            write(batch, vectors)
            bar.update(len(batch))
    return len(seen)


class _Outbox:
    """Windows and their vectors on their way into the collection, ``WRITE_BATCH`` at a time: Chroma pays
    per call (500 vectors a call write 2.5 times faster than 64), and at most one batch is held."""

    def __init__(self, collection, regions: dict[str, str]):
        self.collection = collection
        self.regions = regions
        self.items: list[tuple[str, Clause, str]] = []
        self.vectors: list = []

    def add(self, items: list[tuple[str, Clause, str]], vectors) -> None:
        self.items.extend(items)
        self.vectors.extend(vectors)
        if len(self.items) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.items:
            return
        self.collection.add(
            ids=[wid for wid, _, _ in self.items], embeddings=self.vectors, documents=[t for _, _, t in self.items],
            metadatas=[{"clause_id": c.id, "document_id": c.document_id, "region": self.regions[c.document_id],
                        "language": c.language} for _, c, _ in self.items])
        self.items, self.vectors = [], []


def embed_text(clause: Clause, window: str) -> str:
    """What is embedded for a clause window: its path carries the topic (第三章 医疗器械注册 › 第四十二条)."""
    return f"{clause.path_text}\n{window}"


def _client(index_dir: Path, host: str | None, port: int | None, rebuild: bool):
    """The Chroma client, and what was repaired to get it (with ``rebuild``, a damaged database)."""
    try:
        client = chroma_client(index_dir, host, port)
        try:
            client.list_collections()
        except Exception as e:  # a database that opens but cannot be read
            raise StoreError(f"cannot read the Chroma database in {index_dir} ({type(e).__name__}: {e})") from e
        return client, None
    except StoreError as e:
        if host or not rebuild:
            raise StoreError(f"{e}; if the database is damaged, `python -m assistant index --rebuild` "
                             "re-creates it from the library") from e
        aside = quarantine_chroma(index_dir)
        return chroma_client(index_dir), f"{e} (moved to {aside})"


def _previous(index_dir: Path):
    try:
        return read_snapshot(index_dir)
    except StoreError:
        return None  # a damaged build is simply replaced


def _same_graph(client, name: str) -> bool:
    """Was the live collection made with today's HNSW settings? If not, the next build copies its vectors
    into one that is (nothing is embedded again). An unreadable collection is left to ``verify_collection``."""
    try:
        metadata = client.get_collection(name).metadata or {}
    except Exception:
        return True
    return all(metadata.get(k) == v for k, v in HNSW.items())


def _copy_reusable(client, old, model: str, clauses: list[Clause], items, write) -> set[str]:
    """Copy the vectors of windows whose clause is unchanged from the live build into the new collection."""
    if not old or old.model != model:
        return set()
    try:
        source = client.get_collection(old.collection)
    except Exception:  # the old collection is gone (another server, pruned): embed afresh
        return set()
    if (source.metadata or {}).get("embed_window") != EMBED_WINDOW:
        return set()
    same = {c.id for c in clauses if old.hashes.get(c.id) == c.content_hash}
    wanted = [i for i in items if i[1].id in same]
    copied: set[str] = set()
    for start in range(0, len(wanted), WRITE_BATCH):
        batch = wanted[start:start + WRITE_BATCH]
        got = source.get(ids=[wid for wid, _, _ in batch], include=["embeddings"])
        vectors = dict(zip(got["ids"], got["embeddings"]))
        present = [i for i in batch if i[0] in vectors]
        if present:
            write(present, [list(vectors[wid]) for wid, _, _ in present])
            copied.update(wid for wid, _, _ in present)
    return copied
