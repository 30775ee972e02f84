"""The index on disk: a Chroma collection of clause windows + a snapshot of clauses and documents.

Layout under the index folder::

    current.json             pointer to the live build (replaced atomically, last step of a build)
    builds/<id>/             manifest.json, documents.jsonl, clauses.jsonl of that build
    chroma/                  the embedded Chroma database (unless a Chroma server is configured)

A build writes a new collection and a new snapshot, then swaps the pointer: a crash at any point
leaves the previous build serving. Unchanged clauses (same content hash) reuse their vectors.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import StoreError
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


def read_snapshot(index_dir: Path) -> Snapshot | None:
    pointer = read_pointer(index_dir)
    if pointer is None:
        return None
    folder = index_dir / "builds" / pointer["build"]
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        documents = [Document(**d) for d in _read_jsonl(folder / "documents.jsonl")]
        clauses = [Clause.from_dict(c) for c in _read_jsonl(folder / "clauses.jsonl")]
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise StoreError(f"the index build in {folder} is damaged ({e}); rebuild with "
                         "`python -m assistant index --rebuild`") from e
    return Snapshot(pointer["build"], manifest["collection"], manifest["model"],
                    manifest["parser_version"], documents, clauses, manifest["hashes"])


def write_snapshot(index_dir: Path, build_id: str, collection: str, model: str, parser_version: str,
                   documents: list[Document], clauses: list[Clause]) -> None:
    """Write the build folder completely, then point ``current.json`` at it (atomic rename)."""
    builds = index_dir / "builds"
    partial = builds / f"{build_id}.partial"
    partial.mkdir(parents=True, exist_ok=True)
    manifest = {"build": build_id, "collection": collection, "model": model,
                "parser_version": parser_version, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "hashes": {c.id: c.content_hash for c in clauses}}
    _write(partial / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    _write(partial / "documents.jsonl", "".join(json.dumps(d.__dict__, ensure_ascii=False) + "\n"
                                                for d in documents))
    _write(partial / "clauses.jsonl", "".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n"
                                              for c in clauses))
    os.replace(partial, builds / build_id)
    _write(index_dir / POINTER, json.dumps({"build": build_id, "collection": collection}))


def prune(index_dir: Path, client, keep_build: str, keep_collection: str) -> None:
    """Remove builds and collections a finished or crashed build left behind."""
    for folder in (index_dir / "builds").glob("*"):
        if folder.name != keep_build:
            shutil.rmtree(folder, ignore_errors=True)
    for name in _collection_names(client):
        if name.startswith("clauses_") and name != keep_collection:
            client.delete_collection(name)


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
