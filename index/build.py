"""Documents → clauses → Chroma + snapshot, idempotently (by content hash) and atomically."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .clauses import PARSER_VERSION, parse
from .embed import load_embedder
from .errors import StoreError
from .sentences import windows
from .store import chroma_client, prune, read_snapshot, write_snapshot
from .types import Clause, Document

BATCH = 64


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


def build_index(documents: list[Document], index_dir: Path, model: str, *, host: str | None = None,
                port: int | None = None, rebuild: bool = False, progress: bool = True) -> BuildReport:
    """Index ``documents``; with nothing changed since the live build, return without writing."""
    t0 = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    clauses = [c for d in documents for c in parse(d)]
    old = None if rebuild else _previous(index_dir)
    if old and old.model == model and old.parser_version == PARSER_VERSION \
            and old.hashes == {c.id: c.content_hash for c in clauses} and old.documents == documents:
        return BuildReport(old.build_id, len(documents), len(clauses), 0, 0, 0, True, time.perf_counter() - t0)

    client = chroma_client(index_dir, host, port)
    regions = {d.id: d.region or "" for d in documents}
    items = [(f"{c.id}#w{k}", c, text) for c in clauses for k, text in enumerate(windows(c.text))]
    vectors = _reusable(client, old, model, clauses, [i[0] for i in items])
    missing = [i for i in items if i[0] not in vectors]
    embedder = load_embedder(model) if missing else None
    for start in tqdm(range(0, len(missing), BATCH), desc="embedding", unit="batch", disable=not progress):
        batch = missing[start:start + BATCH]
        for (wid, _, _), vec in zip(batch, embedder.embed_documents([_embed_text(c, t) for _, c, t in batch])):
            vectors[wid] = vec

    build_id = time.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
    collection_name = f"clauses_{build_id}"
    collection = client.create_collection(collection_name, metadata={
        "embedding_model": model, "parser_version": PARSER_VERSION, "hnsw:space": "cosine"})
    for start in range(0, len(items), 500):
        batch = items[start:start + 500]
        collection.add(
            ids=[wid for wid, _, _ in batch], embeddings=[vectors[wid] for wid, _, _ in batch],
            documents=[t for _, _, t in batch],
            metadatas=[{"clause_id": c.id, "document_id": c.document_id, "region": regions[c.document_id],
                        "language": c.language} for _, c, _ in batch])
    write_snapshot(index_dir, build_id, collection_name, model, PARSER_VERSION, documents, clauses)
    prune(index_dir, client, build_id, collection_name)
    return BuildReport(build_id, len(documents), len(clauses), len(items), len(missing),
                       len(items) - len(missing), False, time.perf_counter() - t0)


def _previous(index_dir: Path):
    try:
        return read_snapshot(index_dir)
    except StoreError:
        return None  # a damaged build is simply replaced


def _reusable(client, old, model: str, clauses: list[Clause], ids: list[str]) -> dict[str, list[float]]:
    """Vectors of windows whose clause is unchanged in the live build, read back from its collection."""
    if not old or old.model != model:
        return {}
    same = {c.id for c in clauses if old.hashes.get(c.id) == c.content_hash}
    wanted = [i for i in ids if i.split("#w")[0] in same]
    if not wanted:
        return {}
    try:
        got = client.get_collection(old.collection).get(ids=wanted, include=["embeddings"])
    except Exception:  # the old collection is gone (another server, pruned): embed afresh
        return {}
    return {i: list(v) for i, v in zip(got["ids"], got["embeddings"])}


def _embed_text(clause: Clause, window: str) -> str:
    return f"{clause.path_text}\n{window}"
