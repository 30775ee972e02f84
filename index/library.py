"""The policy library: metadata file + policy files → cleaned Documents."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from .clean import clean
from .errors import LoadError
from .load import load_text
from .types import Document

BUILTIN = Path(__file__).resolve().parent.parent / "data" / "policies"
_FIELDS = ("title_translated", "doc_number", "doc_number_note", "issuer", "date", "region", "source")


def load_library(folder: Path = BUILTIN) -> list[Document]:
    """Every document listed in ``folder/library.json``, cleaned, in listed order."""
    meta_file = folder / "library.json"
    if not meta_file.exists() and folder != BUILTIN:
        return []  # a user library nobody has added to yet
    try:
        entries = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise LoadError(f"{meta_file}: cannot read the library metadata ({e})") from e
    return [load_document(folder / e["file"], e) for e in entries]


def load_document(path: Path, meta: dict) -> Document:
    """Read, decode and clean one policy file; ``meta`` gives id, title, language and the rest."""
    text = clean(load_text(path))
    if not text.strip():
        raise LoadError(f"{path}: nothing is left after removing web page furniture; is this a policy text?")
    language = meta.get("language") or detect_language(text)
    return Document(id=meta["id"], title=meta.get("title") or path.stem, language=language, text=text,
                    **{k: meta.get(k) for k in _FIELDS})


def detect_language(text: str) -> str:
    """'zh' when CJK characters make up a fair share of the letters, else 'en'."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk * 3 >= latin else "en"


def add_document(folder: Path, source: Path, meta: dict, taken: set[str]) -> Document:
    """Validate ``source`` fully, then copy it into the user library ``folder`` and list it.

    Nothing is written unless the file reads, cleans and has text; the listing is replaced atomically.
    """
    doc_id = meta.get("id") or _slug(meta.get("title") or source.stem)
    if doc_id in taken:
        raise LoadError(f"{source}: a document with id '{doc_id}' is already in the library; choose another --id")
    document = load_document(source, {**meta, "id": doc_id})
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder / "library.json"
    entries = json.loads(listing.read_text(encoding="utf-8")) if listing.exists() else []
    target = folder / f"{doc_id}{source.suffix.lower()}"
    shutil.copyfile(source, target)
    entry = {k: v for k, v in {**meta, "id": doc_id, "file": target.name,
                                "language": document.language}.items() if v is not None}
    tmp = listing.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(entries + [entry], ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, listing)
    return document


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", "-", text.lower()).strip("-")[:48] or "document"
