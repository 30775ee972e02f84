"""Web handlers and renderers, kept apart from the gradio layout so they can be tested directly.

The conversation itself is drawn by the browser (``assets/chat.js``) from answer records made here, with
text nodes only; everything rendered here is escaped. Questions and documents are text, never markup.
"""
from __future__ import annotations

import hmac
import math
import uuid
from dataclasses import dataclass
from html import escape
from pathlib import Path

from index.clauses import parse
from index.errors import LoadError, PolicyError
from index.library import load_document

from assistant.config import Settings
from assistant.feedback import FeedbackStore, RateLimit
from assistant.types import Answer
from assistant.validate import InputError, check_text

from .labels import lang_of, t
from .signing import Signer

UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
HEADING_GAP = 200  # characters a heading may stand before its first clause (blank lines, a subtitle)


@dataclass
class Turn:
    """One answered message: what was typed, the standalone question it stands for, and the answer."""

    question: str
    answer: Answer
    rewritten: str | None
    asked: str = ""


def ask(assistant, message: str, previous: str | None, regions=None, documents=None, extractive: bool = False,
        on_token=None) -> Turn:
    """Answer ``message``, first making it standalone when it is a follow-up of ``previous``; ``extractive``
    and ``on_token`` as in ``Assistant.ask``."""
    standalone = assistant.followup(message, previous, extractive)
    answer = assistant.ask(standalone or message, regions=regions or None, documents=documents or None,
                           extractive=extractive, on_token=on_token)
    return Turn(standalone or message.strip(), answer, standalone, message.strip())


def answer_record(turn: Turn, documents: dict, regions=None, document_ids=None) -> dict:
    """What the browser keeps of one answer (unsigned): the text, each citation with the offsets that open it in
    its document, the see-also clauses of an abstention, and the filters it was asked under."""
    a = turn.answer
    citations = [{**c.to_dict(), "clause_start": c.clause.start, "clause_end": c.clause.end} for c in a.citations]
    see_also = []
    for h in a.see_also:
        doc = documents.get(h.clause.document_id)
        see_also.append({"clause_id": h.clause.id, "document_id": h.clause.document_id,
                         "document_title": doc.title if doc else h.clause.document_id,
                         "doc_number": doc.cite_number if doc else None, "clause_path": h.clause.path_text,
                         "text": h.clause.text, "clause_start": h.clause.start, "clause_end": h.clause.end})
    return {
        "id": uuid.uuid4().hex, "asked": turn.asked,
        "question": turn.question, "rewritten": turn.rewritten, "language": a.language, "text": a.text,
        "abstained": a.abstained, "mode": a.mode, "note": a.note,
        "removed": [s.reason for s in a.verification.removed] if a.verification else [],
        "filters": {"regions": list(regions or []),
                    "documents": [{"id": i, "title": documents[i].title if i in documents else i}
                                  for i in document_ids or []]},
        "citations": citations, "see_also": see_also,
    }


def masthead_html(documents: dict, created: str | None, lang: str) -> str:
    """The page's one h1, what the assistant does, and what it covers (documents, years, regions, last update)."""
    return (f'<header class="masthead"><h1>{escape(t(lang, "title"))}</h1>'
            f'<p class="tagline">{escape(t(lang, "tagline"))}</p>'
            f'<p class="coverage" id="coverage">{escape(coverage(documents, created, lang))}</p></header>')


def coverage(documents: dict, created: str | None, lang: str) -> str:
    docs = list(documents.values())
    if not docs:
        return t(lang, "coverage_empty")
    sep = "、" if lang_of(lang) == "zh" else ", "
    regions = sorted({d.region for d in docs if d.region})
    years = sorted({d.date[:4] for d in docs if d.date and d.date[:4].isdigit()})
    span = t(lang, "years", span=years[0] if years[0] == years[-1] else f"{years[0]}–{years[-1]}") if years else ""
    updated = created.replace("T", " ")[:16] if created else "–"
    return t(lang, "coverage", documents=len(docs), years=span, regions=sep.join(regions) or "–", updated=updated)


def active_filters(regions, document_ids) -> int:
    return len(regions or []) + len(document_ids or [])


def filter_badge_html(regions, document_ids, documents: dict, lang: str) -> str:
    """A badge under the question box naming the active filters (empty when none is on)."""
    if not active_filters(regions, document_ids):
        return ""
    sep = "、" if lang_of(lang) == "zh" else ", "
    parts = []
    if regions:
        parts.append(t(lang, "filter_regions", names=sep.join(regions)))
    if document_ids:
        titles = [documents[i].title if i in documents else i for i in document_ids]
        parts.append(t(lang, "filter_documents", names=sep.join(titles)))
    return (f'<p class="filter-badge"><span class="badge">{escape(t(lang, "filter_badge"))}</span> '
            f'{escape("; ".join(parts))}</p>')


def library_html(documents: dict, clauses: list, lang: str) -> str:
    """The library as a table (title, 文号, issuer, date, region, clause count); each title shows its outline."""
    counts: dict[str, int] = {}
    for c in clauses:
        counts[c.document_id] = counts.get(c.document_id, 0) + 1
    heads = ["col_title", "col_number", "col_issuer", "col_date", "col_region", "col_clauses"]
    head = "".join(f'<th scope="col">{escape(t(lang, h))}</th>' for h in heads)
    rows = []
    for d in documents.values():
        cells = [d.cite_number or "", d.issuer or "", d.date or "", d.region or "", str(counts.get(d.id, 0))]
        search = " ".join([d.title, d.title_translated or "", *cells[:4], d.id]).lower()
        other = "en" if d.language == "zh" else "zh"
        translated = (f'<span class="translated" lang="{other}">{escape(d.title_translated)}</span>'
                      if d.title_translated else "")
        title = (f'<button type="button" class="doc-link" data-outline="{escape(d.id)}" lang="{escape(d.language)}">'
                 f'{escape(d.title)}</button>{translated}')
        tds = "".join(f'<td data-label="{escape(t(lang, h))}">{escape(v)}</td>' for h, v in zip(heads[1:], cells))
        rows.append(f'<tr data-search="{escape(search)}"><td data-label="{escape(t(lang, heads[0]))}">{title}</td>'
                    f'{tds}</tr>')
    return (f'<table class="library"><caption>{escape(t(lang, "library_caption"))}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="no-match" hidden>{escape(t(lang, "no_match"))}</p>')


def library_search_html(lang: str) -> str:
    label = escape(t(lang, "library_search"))
    return (f'<label class="library-search" for="library-search-input">{label}</label>'
            f'<input type="search" id="library-search-input" autocomplete="off">')


def outline_html(clauses, lang: str = "zh", document=None) -> str:
    """The clause tree of a document: every heading once, in document order, with its clauses under it.

    With ``document`` (a document in the library) each entry is a button opening that part of the
    document in the viewer; without (an upload's preview), the tree is text only.
    """
    root: dict = {}
    spans: dict[tuple, list[int]] = {}
    for c in clauses:
        node = root
        for depth in range(len(c.path)):
            node = node.setdefault(c.path[depth], {})
            span = spans.setdefault(c.path[:depth + 1], [c.start, c.end])
            span[0], span[1] = min(span[0], c.start), max(span[1], c.end)
    if not root:
        return f"<p>{escape(t(lang, 'no_clauses'))}</p>"

    def entries(node: dict, prefix: tuple) -> str:
        items = []
        for name, children in node.items():
            path = prefix + (name,)
            if document is None:
                entry = f'<span class="outline-entry">{escape(name)}</span>'
            else:
                start, end = spans[path]
                # a heading that is no clause of its own opens with its heading line, just before its clauses
                heading = document.text.rfind(name, max(0, start - len(name) - HEADING_GAP), start)
                start = heading if heading >= 0 else start
                entry = (f'<button type="button" class="outline-entry" data-open="{escape(document.id)}" '
                         f'data-start="{start}" data-end="{end}" data-path="{escape(" › ".join(path))}">'
                         f'{escape(name)}</button>')
            items.append(f"<li>{entry}{entries(children, path)}</li>")
        return f"<ul>{''.join(items)}</ul>" if items else ""

    return f'<div class="outline">{entries(root, ())}</div>'


def document_outline_html(document, clauses, lang: str) -> str:
    """The Library tab's outline panel for one document: a heading, the whole-document button, the tree."""
    if document is None:
        return f'<p class="outline-pick">{escape(t(lang, "outline_pick"))}</p>'
    whole = (f'<button type="button" class="open-whole" data-open="{escape(document.id)}" data-start="0" '
             f'data-end="0">{escape(t(lang, "open_document"))}</button>')
    return (f'<h2 class="outline-title">{escape(t(lang, "outline_title", title=document.title))}</h2>'
            f'<p class="outline-hint">{escape(t(lang, "outline_hint"))} {whole}</p>'
            + outline_html(clauses, lang, document))


def document_payload(document, build_id: str) -> dict:
    """What the clause viewer needs of a document: its metadata and its whole cleaned text."""
    return {"id": document.id, "title": document.title, "title_translated": document.title_translated,
            "doc_number": document.cite_number, "issuer": document.issuer, "date": document.date,
            "region": document.region, "language": document.language, "source": document.source,
            "text": document.text, "build": build_id}


class FeedbackError(PolicyError):
    """A vote that is refused: ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def record_vote(store: FeedbackStore, signer: Signer, payload: object, *, limit: RateLimit | None = None,
                max_chars: int = 1000) -> dict:
    """Store (or change, or with rating 0 take back) the one vote on a signed answer record.

    ``payload`` is ``{"answer": record, "rating": 1 | -1 | 0, "comment": str, "lang": "zh" | "en"}``; a
    record not signed by this server, a bad rating, a comment over ``max_chars`` or more than the rate
    limit's changes to one answer are refused with a FeedbackError saying why.
    """
    if not isinstance(payload, dict):
        raise FeedbackError("the body must be a JSON object {answer, rating, comment}")
    lang = lang_of(payload.get("lang"))
    try:
        answer = signer.verify(payload.get("answer"))
    except PolicyError:
        raise FeedbackError(t(lang, "not_ours"), 403) from None
    rating = payload.get("rating")
    if type(rating) is not int or rating not in (-1, 0, 1):
        raise FeedbackError(t(lang, "bad_rating"))
    try:
        comment = check_text(payload.get("comment") or "", "the comment").strip()
    except InputError as e:
        raise FeedbackError(str(e)) from None
    if len(comment) > max_chars:
        raise FeedbackError(t(lang, "comment_too_long", length=len(comment), limit=max_chars))
    wait = limit.wait(answer["id"]) if limit else 0.0
    if wait:
        raise FeedbackError(t(lang, "too_fast", seconds=math.ceil(wait)), 429, math.ceil(wait))
    if rating == 0:
        store.retract(answer["id"])
    else:
        store.vote(answer["id"], answer["question"], answer["text"], answer["citations"], rating, comment)
    return {"rating": rating, "comment": comment}


def check_upload(settings: Settings, token: str, paths, upload_dir: str | None = None) -> list[Path]:
    """The uploaded files (one path or several), after the token, place, type and size checks; PolicyError says
    what is wrong.

    With ``upload_dir``, every file must lie inside it: a crafted request naming any other file on the
    server (the feedback database, /etc/passwd) is refused.
    """
    if not settings.admin_token:
        raise PolicyError("uploads are disabled: no admin token is configured (POLICY_ADMIN_TOKEN)")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode("utf-8", "replace"),
                                                              settings.admin_token.encode()):
        raise PolicyError("wrong admin token")
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths or [])
    if not paths:
        raise PolicyError("choose a policy file first")
    files = [Path(p) for p in paths]
    for file in files:
        if upload_dir and not file.resolve().is_relative_to(Path(upload_dir).resolve()):
            raise PolicyError("that file was not uploaded through this page")
        if file.suffix.lower() not in UPLOAD_TYPES:
            raise LoadError(f"{file.name}: unsupported file type; use one of {', '.join(UPLOAD_TYPES)}")
        if not file.is_file():
            raise LoadError(f"{file.name}: the upload is gone (cleaned up after an hour); upload it again")
        if file.stat().st_size > settings.max_file_mb * 1024 * 1024:
            raise LoadError(f"{file.name}: larger than {settings.max_file_mb} MB")
    return files


def upload_meta(files: list[Path], meta: dict) -> dict | None:
    """Metadata typed in the form describes one file; several files take theirs from their texts."""
    if meta and len(files) > 1:
        raise PolicyError("the title, 文号 and other fields describe one file: leave them empty when uploading "
                          "several files (each file's metadata is then read from its text)")
    return meta or None


def preview_upload(settings: Settings, token: str, paths, meta: dict, upload_dir: str | None = None) -> str:
    """Parse the uploads without writing anything; return each one's metadata and clause outline."""
    files = check_upload(settings, token, paths, upload_dir)
    upload_meta(files, meta)
    parts = []
    for file in files:
        document = load_document(file, {**meta, "id": meta.get("id") or "preview"}, settings.read_limits)
        clauses = parse(document)
        facts = " · ".join(escape(v) for v in (document.title, document.cite_number, document.issuer,
                                               document.date, document.region) if v)
        outline = outline_html(clauses) if clauses else ("<p class='error'>0 clauses: nothing in this file would "
                                                         "be searchable, so it will be skipped.</p>")
        parts.append(f"<h3>{escape(file.name)}</h3><p>{facts}</p><p>{len(clauses)} clauses · "
                     f"{escape(document.language)}</p>" + outline)
    return "".join(parts)


def import_report(items) -> str:
    """What an upload added and what it skipped, and why."""
    rows = []
    for i in items:
        if i.skipped:
            rows.append(f"<li>{escape(i.source.name)}: skipped — {escape(i.skipped)}</li>")
        else:
            rows.append(f"<li>{escape(i.document.title)}: {i.clauses} clauses indexed</li>")
    return f"<ul>{''.join(rows)}</ul>"
