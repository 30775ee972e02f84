"""The policy library: a folder of policy files listed in its ``library.json`` → cleaned Documents.

A listing entry gives a file and what is known of it (id, title, 文号, issuer, date, region, language);
whatever it leaves out is read from the text itself (``index.meta``).
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from .clean import clean
from .errors import LoadError
from .load import Limits, load_text
from .meta import read_metadata
from .places import find_places
from .types import Document

BUILTIN = Path(__file__).resolve().parent.parent / "data" / "policies"
LISTING = "library.json"
_FIELDS = ("title_translated", "doc_number", "doc_number_note", "issuer", "date", "region", "source")
READ_FROM_TEXT = ("title", "doc_number", "issuer", "date", "region")
MAX_FIELD_CHARS = 500
_NOT_TEXT = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # lone surrogates: bytes that were not UTF-8


def load_library(folder: Path = BUILTIN, limits: Limits | None = None) -> list[Document]:
    """Every document listed in ``folder/library.json``, cleaned, in listed order."""
    return [load_document(folder / e["file"], e, limits) for e in read_listing(folder)]


def load_folder(folder: Path, limits: Limits | None = None) -> list[Document]:
    """A folder of policies read in place: the files its library.json lists, else every supported file in it
    (ids from file names, metadata from the texts)."""
    if not folder.is_dir():
        raise LoadError(f"{folder}: the library folder does not exist")
    if (folder / LISTING).exists():
        return load_library(folder, limits)
    from .importer import collect, prepare  # the importer builds on this module

    items = prepare(collect([folder]), set(), limits=limits)
    return [i.document for i in items if i.document]


def read_listing(folder: Path) -> list[dict]:
    meta_file = folder / LISTING
    if not meta_file.exists() and folder != BUILTIN:
        return []  # a user library nobody has added to yet
    try:
        entries = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise LoadError(f"{meta_file}: cannot read the library metadata ({e})") from e
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "file" in e for e in entries):
        raise LoadError(f"{meta_file}: expected a JSON list of objects, each with at least a \"file\"")
    return entries


def load_document(path: Path, meta: dict, limits: Limits | None = None) -> Document:
    """Read, decode and clean one policy file; ``meta`` gives id and whatever else is known."""
    text = clean(load_text(path, limits))
    if not text.strip():
        raise LoadError(f"{path}: nothing is left after removing web page furniture; is this a policy text?")
    language = meta.get("language") or detect_language(text)
    stated = stated_metadata(text) if language == "zh" else {}
    known = {k: meta.get(k) if meta.get(k) not in (None, "") else stated.get(k) for k in READ_FROM_TEXT}
    return Document(id=meta["id"], title=known.pop("title") or path.stem, language=language, text=text,
                    **{**{k: meta.get(k) for k in _FIELDS}, **known})


def stated_metadata(text: str) -> dict:
    """Title, 文号, issuer, date and region as the text states them (None where it does not)."""
    return read_metadata(text, places=lambda t: find_places(t.lower()))


def detect_language(text: str) -> str:
    """'zh' when CJK characters make up a fair share of the letters, else 'en'."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk * 3 >= latin else "en"


def add_documents(folder: Path, items: list[tuple[Path, dict]]) -> None:
    """Copy each (source, listing entry) into the user library ``folder`` and list them, listing last.

    The listing is replaced atomically, so a crash leaves either the old listing or the new one (the
    caller holds the writer lock, ``index.writer``)."""
    for _, entry in items:
        for key, value in entry.items():
            _check_field(key, value)
    folder.mkdir(parents=True, exist_ok=True)
    entries = read_listing(folder)
    for source, entry in items:
        shutil.copyfile(source, folder / entry["file"])
    write_listing(folder, entries + [e for _, e in items])


def remove_documents(folder: Path, added: list[dict]) -> None:
    """Take exactly these listing entries, and their files, out of the user library again."""
    ids = {e["id"] for e in added}
    rest = [e for e in read_listing(folder) if e.get("id") not in ids]
    if rest:
        write_listing(folder, rest)
    else:
        (folder / LISTING).unlink(missing_ok=True)  # as before the first add
    for entry in added:
        (folder / entry["file"]).unlink(missing_ok=True)


def write_listing(folder: Path, entries: list[dict]) -> None:
    """Replace ``library.json`` atomically and durably: a reader sees the old or the new list, never half."""
    tmp = folder / f".{LISTING}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(entries, ensure_ascii=False, indent=1))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / LISTING)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


def _check_field(key: str, value: object) -> None:
    if isinstance(value, str) and (len(value) > MAX_FIELD_CHARS or _NOT_TEXT.search(value)):
        raise LoadError(f"--{key.replace('_', '-')} {value[:40]!r}: give at most {MAX_FIELD_CHARS} characters "
                        "of UTF-8 text without control characters")
