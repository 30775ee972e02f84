"""The index on disk: a Chroma collection of clause windows + a snapshot of clauses and documents.

Layout under the index folder::

    current.json             pointer to the live build (replaced atomically, last step of a build)
    builds/<id>/             manifest.json, documents.jsonl, clauses.jsonl of that build, its lexical index
                             (lexical/) and the clauses' tokens (tokens.json, reused by the next build)
    readers/                 leases of running readers (see ``leases``)
    chroma/                  the embedded Chroma database (unless a Chroma server is configured)

A build writes a new collection and a new snapshot, then swaps the pointer: a crash at any point
leaves the previous build serving. Unchanged clauses (same content hash) reuse their vectors.
Readers follow the pointer by themselves; a build is deleted only when it is neither the live one,
nor the one it replaced, nor named by a live reader's lease, so no running process loses its index.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from . import tokens
from .errors import StoreError
from .leases import leased_builds
from .types import Clause, Document

POINTER = "current.json"


@dataclass(frozen=True)
class Snapshot:
    """One build as read back: what was indexed, with which model and parser."""

    build_id: str
    collection: str
    model: str
    parser_version: str
    documents: list[Document]
    clauses: list[Clause]
    hashes: dict[str, str]
    folder: Path | None = None      # the build's folder (its saved lexical index is in ``lexical/``)
    tokenizer: str | None = None    # the tokenizer signature the lexical index was built with
    created: str | None = None      # when the build was written (local time, ISO 8601)


def chroma_client(index_dir: Path, host: str | None = None, port: int | None = None):
    """An embedded PersistentClient in ``index_dir/chroma``, or an HttpClient when a host is set."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    try:
        if host:
            return chromadb.HttpClient(host=host, port=port or 8000, settings=settings)
        return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=settings)
    except Exception as e:  # connection refused, locked or corrupt database
        where = f"the Chroma server at {host}:{port}" if host else f"the Chroma database in {index_dir}"
        raise StoreError(f"cannot open {where}: {e}") from e


def read_pointer(index_dir: Path) -> dict | None:
    try:
        return json.loads((index_dir / POINTER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as e:
        raise StoreError(f"{index_dir / POINTER} is unreadable ({e}); rebuild with "
                         "`python -m assistant index --rebuild`") from e


def read_snapshot(index_dir: Path, build_id: str | None = None) -> Snapshot | None:
    """The live build (or ``build_id``); None when nothing was ever built."""
    if build_id is None:
        pointer = read_pointer(index_dir)
        if pointer is None:
            return None
        build_id = pointer["build"]
    folder = index_dir / "builds" / build_id
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        documents = [Document(**d) for d in _read_jsonl(folder / "documents.jsonl")]
        clauses = [Clause.from_dict(c) for c in _read_jsonl(folder / "clauses.jsonl")]
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise StoreError(f"the index build in {folder} is damaged ({e}); rebuild with "
                         "`python -m assistant index --rebuild`") from e
    return Snapshot(build_id, manifest["collection"], manifest["model"],
                    manifest["parser_version"], documents, clauses, manifest["hashes"], folder,
                    manifest.get("tokenizer"), created=manifest.get("created"))


def write_snapshot(index_dir: Path, build_id: str, collection: str, model: str, parser_version: str,
                   documents: list[Document], clauses: list[Clause], lexical=None, tokenizer: str | None = None,
                   words: dict[str, list[str]] | None = None) -> None:
    """Write the build folder completely (with ``lexical``, an index that can ``save`` itself, and ``words``,
    the clauses' tokens by content hash), then point ``current.json`` at it (atomic rename)."""
    builds = index_dir / "builds"
    partial = builds / f"{build_id}.partial"
    partial.mkdir(parents=True, exist_ok=True)
    manifest = {"build": build_id, "collection": collection, "model": model,
                "parser_version": parser_version, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "tokenizer": tokenizer, "hashes": {c.id: c.content_hash for c in clauses}}
    if lexical is not None:
        lexical.save(partial / "lexical")
    if words is not None:
        tokens.save(partial, words)
    _write(partial / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    _write(partial / "documents.jsonl", "".join(json.dumps(d.__dict__, ensure_ascii=False) + "\n"
                                                for d in documents))
    _write(partial / "clauses.jsonl", "".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n"
                                              for c in clauses))
    os.replace(partial, builds / build_id)
    previous = (read_pointer(index_dir) or {}).get("build")
    _write(index_dir / POINTER, json.dumps({"build": build_id, "collection": collection, "previous": previous}))


def prune(index_dir: Path, client) -> list[str]:
    """Delete builds and collections no process can still read; return the builds deleted.

    Kept: the live build, the one it replaced (a reader may be switching from it right now) and every
    build a live lease names. Run under the writer lock, so any other folder or collection is the
    leftover of a finished or crashed build.
    """
    pointer = read_pointer(index_dir) or {}
    keep = {pointer.get("build"), pointer.get("previous")} | leased_builds(index_dir, remove_dead=True)
    gone = []
    for folder in (index_dir / "builds").glob("*"):
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
            gone.append(folder.name)
    for name in _collection_names(client):
        if name.startswith("clauses_") and name.removeprefix("clauses_") not in keep:
            try:
                client.delete_collection(name)
            except Exception:  # a damaged leftover: the next prune tries again
                pass
    return gone


def verify_collection(client, name: str, expected: int) -> None:
    """StoreError unless the collection holds ``expected`` vectors and its vector index answers."""
    try:
        collection = client.get_collection(name)
        count = collection.count()
        if count != expected:
            raise StoreError(f"holds {count} vectors, the build listed {expected}")
        sample = collection.get(limit=1, include=["embeddings"])["embeddings"]
        if expected and len(sample):
            collection.query(query_embeddings=[list(sample[0])], n_results=1)
    except StoreError as e:
        raise StoreError(f"the vector collection '{name}' {e}") from e
    except Exception as e:  # chromadb raises its own types for missing, truncated or garbled files
        raise StoreError(f"the vector collection '{name}' is unreadable ({type(e).__name__}: {e})") from e


def quarantine_chroma(index_dir: Path) -> Path | None:
    """Move a damaged embedded Chroma database aside (kept for inspection) so a fresh one can be made."""
    folder = index_dir / "chroma"
    if not folder.exists():
        return None
    aside = index_dir / f"chroma.damaged-{time.strftime('%Y%m%d%H%M%S')}"
    os.replace(folder, aside)
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # the cached client still points at the moved files
    return aside


def _collection_names(client) -> list[str]:
    return [c if isinstance(c, str) else c.name for c in client.list_collections()]


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
