"""The policy library: metadata file + policy files → cleaned Documents."""
from __future__ import annotations

import json
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
