"""Keeping the library and its index: what is loaded, building the index, adding documents.

Apart from the ``Assistant`` facade (``service``) so that ``index`` and ``add`` never import the answering
side (retrieval, composer, LangChain's retrievers): a no-change ``index`` is mostly start-up time.
"""
from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from index.build import BuildReport, build_index
from index.errors import PolicyError
from index.importer import ImportItem, collect, prepare
from index.library import add_documents, load_folder, load_library, read_listing, remove_documents
from index.store import read_snapshot
from index.types import Document
from index.writer import writer

from .config import Settings


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
