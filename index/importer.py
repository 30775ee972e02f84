"""Adding policy files to the user library: one file, several, or whole folders, checked before anything is copied.

Each file is read, cleaned and parsed first; one that cannot be read or yields no clause is skipped with the
reason, never listed empty. Metadata comes from the caller (single file), from a ``library.json`` beside the
files, or from the text itself; the report says which fields were read from the text.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .clauses import parse
from .errors import LoadError, PolicyError
from .library import LISTING, READ_FROM_TEXT, load_document, read_listing
from .load import SUPPORTED, Limits
from .types import Document

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@dataclass(frozen=True)
class ImportItem:
    """One file considered for import: the document it becomes, or why it was skipped."""

    source: Path
    entry: dict = field(default_factory=dict)      # the listing entry it will get
    document: Document | None = None
    clauses: int = 0
    from_text: tuple[str, ...] = ()                # metadata fields read from the text
    skipped: str | None = None

    def to_dict(self) -> dict:
        d = {"file": str(self.source), "id": self.entry.get("id"), "clauses": self.clauses,
             "metadata_from_text": list(self.from_text)}
        if self.document:
            d.update(title=self.document.title, doc_number=self.document.doc_number, issuer=self.document.issuer,
                     date=self.document.date, region=self.document.region)
        if self.skipped:
            d["skipped"] = self.skipped
        return d


def collect(paths: list[Path]) -> list[tuple[Path, dict]]:
    """(file, listing metadata) for every file given and every supported file inside every folder given.

    A folder's own ``library.json`` supplies the metadata of the files it lists."""
    out: list[tuple[Path, dict]] = []
    for path in paths:
        if not path.exists():
            raise LoadError(f"{path}: no such file or folder")
        if path.is_file():
            out.append((path, {}))
            continue
        listed = {e["file"]: e for e in _listing(path)}
        for file in sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path))):
            if file.name == LISTING or file.suffix.lower() not in SUPPORTED:
                continue
            out.append((file, dict(listed.get(file.relative_to(path).as_posix(), {}))))
    if not out:
        raise LoadError(f"no policy files ({', '.join(SUPPORTED)}) in {', '.join(map(str, paths))}")
    return out


def prepare(files: list[tuple[Path, dict]], taken: set[str], progress=None,
            limits: Limits | None = None) -> list[ImportItem]:
    """Read and parse every file; ids must be new (to ``taken`` and to each other)."""
    items, taken = [], set(taken)
    for source, meta in (progress(files) if progress else files):
        item = _prepare_one(source, meta, taken, limits)
        if item.document:
            taken.add(item.document.id)
        items.append(item)
    return items


def _prepare_one(source: Path, meta: dict, taken: set[str], limits: Limits | None = None) -> ImportItem:
    meta = {k: v for k, v in meta.items() if v not in (None, "") and k != "file"}
    doc_id = meta.get("id") or _new_id(source, taken)
    if not _ID.fullmatch(doc_id):
        return ImportItem(source, skipped=f"id '{doc_id}' must be lower-case letters, digits and hyphens")
    if doc_id in taken:
        return ImportItem(source, skipped=f"a document with id '{doc_id}' is already in the library")
    try:
        document = load_document(source, {**meta, "id": doc_id}, limits)
        clauses = parse(document)
    except PolicyError as e:
        return ImportItem(source, skipped=str(e))
    if not clauses:
        return ImportItem(source, skipped="no clause found: the text has no paragraphs to cite")
    entry = {k: v for k, v in {**meta, "id": doc_id, "file": f"{doc_id}{source.suffix.lower()}",
                                "title": document.title, "language": document.language,
                                **{k: getattr(document, k) for k in READ_FROM_TEXT}}.items() if v is not None}
    from_text = tuple(k for k in READ_FROM_TEXT if k not in meta and getattr(document, k) is not None)
    return ImportItem(source, entry, document, len(clauses), from_text)


def _listing(folder: Path) -> list[dict]:
    return read_listing(folder) if (folder / LISTING).exists() else []


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _new_id(source: Path, taken: set[str]) -> str:
    """From the file name when it has letters or digits, else from its content; never a path."""
    base = re.sub(r"[^a-z0-9]+", "-", source.stem.lower()).strip("-")[:48]
    if not base:
        base = "doc-" + hashlib.sha1(source.read_bytes()).hexdigest()[:8]
    doc_id, n = base, 1
    while doc_id in taken:
        n += 1
        doc_id = f"{base}-{n}"
    return doc_id
