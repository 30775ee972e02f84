"""Raw policy file → plain text.

`load_text` is the only entry point. It turns a .txt/.md/.html/.htm/.pdf/.docx file into text
whose lines are separated by "\\n" and whose paragraphs/blocks are separated by blank lines;
table rows come out as one line of tab-separated cells. Every way a user's file can be unusable
becomes a `LoadError` naming the file and saying what to do, never a library traceback.

Reading is bounded (`Limits`): the file's size, what a .docx unpacks to and a .pdf's page count are
checked before parsing, and a deadline is checked between pages, blocks and parsing stages, so a
crafted file is refused in seconds instead of taking minutes and gigabytes. The parsers (bs4,
python-docx, pypdf) are imported when a file of their kind is read: a CLI that only asks never pays.
"""

from __future__ import annotations

import codecs
import io
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import LoadError

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on the work of reading one file (settings: POLICY_MAX_FILE_MB and neighbours)."""

    max_bytes: int = MAX_BYTES
    max_unpacked_bytes: int = 100 * 1024 * 1024  # all parts of a .docx once decompressed (zip bombs)
    max_pages: int = 2000
    max_seconds: float = 60.0


class _Deadline:
    def __init__(self, path: Path, seconds: float):
        self.path, self.seconds, self.end = path, seconds, time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise LoadError(f"{self.path}: reading it took longer than {self.seconds:g} s (the limit); "
                            "it is too large or too complex for one policy document — split it")

_HTML_DROP = ("script", "style", "nav", "header", "footer", "noscript", "template")
_HTML_PARAGRAPH = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
                   "title", "ul", "ol", "blockquote", "pre")
_HTML_LINE = ("li", "dt", "dd")
# Whitespace directly inside these is source indentation and would become spurious blank lines.
_HTML_CONTAINERS = ("table", "thead", "tbody", "tfoot", "tr", "ul", "ol", "dl")
MAX_HTML_DEPTH = 500  # real pages nest a few dozen levels
_META_CHARSET = re.compile(rb"""<meta[^>]*charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# GB2312/GBK labels are routinely applied to text using characters only their superset has;
# a UTF-16 label on BOM-less bytes is a known authoring mistake that browsers read as UTF-8.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
                    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8"}
# C0/C1 controls other than tab, newlines, form feed and DOS end-of-file, plus U+FFFD.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f\ufffd]")


def load_text(path: str | Path, limits: Limits | None = None) -> str:
    """Return the text of the policy file at `path`, or raise LoadError saying why it can't."""
    path = Path(path)
    limits = limits or Limits()
    if not path.exists():
        raise LoadError(f"{path}: file not found; check the path and spelling")
    if path.is_dir():
        raise LoadError(f"{path}: is a directory, not a file; pass a single policy document")
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise LoadError(f"{path}: unsupported file type {ext or '(no extension)'!r}; "
                        f"supported types are {', '.join(SUPPORTED)} — convert the file to one of these")
    size = path.stat().st_size
    if size == 0:
        raise LoadError(f"{path}: file is empty (0 bytes)")
    if size > limits.max_bytes:
        raise LoadError(f"{path}: file is too large ({size:,} bytes; limit is {limits.max_bytes:,}); "
                        "split it into smaller documents")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{path}: could not be read ({exc.strerror or exc})") from exc

    deadline = _Deadline(path, limits.max_seconds)
    try:
        if ext == ".pdf":
            text = _pdf_text(data, path, limits, deadline)
        elif ext == ".docx":
            text = _docx_text(data, path, limits, deadline)
        elif ext in (".html", ".htm"):
            text = _html_text(data, path, deadline)
        else:
            text = _decode(data, path)
    except RecursionError:
        raise LoadError(f"{path}: its markup is nested too deeply to be a policy document") from None
    deadline.check()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        if ext == ".pdf":
            raise LoadError(f"{path}: PDF has no text layer (scanned PDF? run OCR first)")
        raise LoadError(f"{path}: contains no text (only whitespace or markup)")
    return text


def _decode(data: bytes, path: Path, hint: str | None = None) -> str:
    """Decode text bytes: BOM, UTF-8, the declared charset, GB18030, then a statistical guess."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        # Without a BOM, NUL bytes mean binary data (or BOM-less UTF-16, which we can't tell apart).
        raise LoadError(f"{path}: looks like a binary file (contains NUL bytes), not text; "
                        "if it is UTF-16 text, re-save it as UTF-8")
    else:
        hint = _CHARSET_ALIASES.get(hint.lower(), hint) if hint else None
        candidates = ["utf-8-sig"] + ([hint] if hint else []) + ["gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()  # slow statistical guess, so only after the cheap strict decodes
    if best is not None and _looks_like_text(str(best)):
        return str(best)
    raise LoadError(f"{path}: not readable as text — it is not valid UTF-8, UTF-16 (with BOM) or "
                    "GB18030/GBK and looks binary or garbled; re-save it as UTF-8")


def _looks_like_text(text: str) -> bool:
    """Reject decodes that 'succeeded' but produced replacement or control characters."""
    return len(_NOT_TEXT.findall(text)) <= len(text) * 0.02


def _html_text(data: bytes, path: Path, deadline: _Deadline) -> str:
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction

    meta = _META_CHARSET.search(data[:4096])
    text = _decode(data, path, meta and meta.group(1).decode("ascii"))
    deadline.check()
    soup = BeautifulSoup(text, "html.parser")
    deadline.check()
    depth = _depth(soup)
    if depth > MAX_HTML_DEPTH:
        # bs4's insertions walk whole subtrees: deep nesting makes the clean-up below quadratic
        raise LoadError(f"{path}: its markup is nested {depth:,} levels deep (limit {MAX_HTML_DEPTH}); "
                        "this is not an ordinary web page — save the policy text as .txt")
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    for node in soup.find_all(string=True):
        deadline.check()
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)) or (
                not node.strip() and node.parent.name in _HTML_CONTAINERS):
            node.extract()
        elif node.find_parent("pre") is None:
            # Source line breaks inside HTML are layout, not content; structure comes from tags.
            node.replace_with(re.sub(r"\s+", " ", node))
    deadline.check()
    for row in soup.find_all("tr"):
        deadline.check()
        cells = [c.get_text(" ", strip=True) for c in row.find_all(("td", "th"), recursive=False)]
        row.replace_with("\t".join(cells) + "\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    # Line-level items only end a line; their container supplies the blank line around the group.
    for tag in soup.find_all(_HTML_LINE):
        deadline.check()
        tag.insert_after("\n")
    for tag in soup.find_all(_HTML_PARAGRAPH):
        deadline.check()
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    lines = (line.strip(" ") for line in soup.get_text().splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")  # keep tabs of empty cells


def _depth(soup) -> int:
    """How deeply elements nest, found without recursion."""
    deepest, todo = 0, [(soup, 0)]
    while todo:
        node, d = todo.pop()
        deepest = max(deepest, d)
        todo.extend((child, d + 1) for child in getattr(node, "contents", ()) if hasattr(child, "contents"))
    return deepest


def _pdf_text(data: bytes, path: Path, limits: Limits, deadline: _Deadline) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(f"{path}: PDF is password-protected; remove the password and try again")
        if len(reader.pages) > limits.max_pages:
            raise LoadError(f"{path}: PDF has {len(reader.pages):,} pages (limit {limits.max_pages:,}); "
                            "split it into smaller documents")
        pages = []
        for page in reader.pages:
            deadline.check()
            pages.append(page.extract_text() or "")
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many exception types on malformed files
        raise LoadError(f"{path}: PDF is corrupt or unreadable ({type(exc).__name__}: {exc}); "
                        "re-export or re-download it") from exc
    return "\n\n".join(page.strip() for page in pages if page.strip())


def _docx_text(data: bytes, path: Path, limits: Limits, deadline: _Deadline) -> str:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_unpacked(data, path, limits)
    blocks = []
    try:
        doc = Document(io.BytesIO(data))
        # doc.paragraphs and doc.tables lose their relative order; the body element keeps it.
        for child in doc.element.body.iterchildren():
            deadline.check()
            if child.tag == qn("w:p"):
                blocks.append(Paragraph(child, doc).text.strip())
            elif child.tag == qn("w:tbl"):
                blocks.append("\n".join(_docx_row(row) for row in Table(child, doc).rows))
    except LoadError:
        raise
    except Exception as exc:  # python-docx/zipfile/lxml each raise their own types on bad files
        raise LoadError(f"{path}: .docx is corrupt or not a Word document ({type(exc).__name__}: {exc}); "
                        "open and re-save it in Word, or convert it to .docx if it is an old .doc") from exc
    return "\n\n".join(block for block in blocks if block.strip())


def _check_unpacked(data: bytes, path: Path, limits: Limits) -> None:
    """Refuse a .docx whose parts would unpack past the limit, from the zip directory alone.

    zipfile never yields more than an entry's declared size, so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(info.file_size for info in z.infolist())
    except Exception:
        return  # not a zip at all: python-docx says so, with the usual message
    if unpacked > limits.max_unpacked_bytes:
        raise LoadError(f"{path}: .docx unpacks to {unpacked:,} bytes (limit {limits.max_unpacked_bytes:,}; "
                        f"the file itself is {len(data):,}): refused as a likely zip bomb — re-save it in Word "
                        "or split it")


def _docx_row(row) -> str:
    cells, seen = [], set()
    for cell in row.cells:
        # A merged cell is returned once per grid column it spans; keep it once.
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
    return "\t".join(cells)
