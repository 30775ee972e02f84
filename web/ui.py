"""Web handlers and renderers, kept apart from the gradio layout so they can be tested directly.

Everything shown is escaped: questions and documents are text, never markup.
"""
from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from html import escape
from pathlib import Path

from index.clauses import parse
from index.errors import LoadError, PolicyError
from index.library import load_document

from assistant.config import Settings
from assistant.feedback import FeedbackStore, RateLimit
from assistant.types import Answer

UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")

CARD_JS = """
element.addEventListener('click', (event) => {
  const card = event.target.closest('[data-cite]');
  if (!card) return;
  const n = card.getAttribute('data-cite');
  element.querySelectorAll('[data-viewer]').forEach((v) => { v.hidden = v.getAttribute('data-viewer') !== n; });
  const viewer = element.querySelector('[data-viewer="' + n + '"]');
  if (viewer) {
    const hit = viewer.querySelector('mark') || viewer;
    hit.scrollIntoView({block: 'center'});
  }
});
"""

CSS = """
.cite-card {border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; margin: 6px 0; cursor: pointer;}
.cite-card:hover {border-color: #0969da;}
.cite-card .meta {font-size: 0.85em; color: #57606a;}
.cite-card .clause {font-size: 0.9em; max-height: 9em; overflow: auto;}
.viewer {border: 2px solid #0969da; border-radius: 8px; padding: 10px; max-height: 420px; overflow: auto;
         white-space: pre-wrap; font-size: 0.9em; margin-top: 8px;}
.viewer .in-clause {background: #fff8c5;}
mark {background: #ffd33d; padding: 0 1px;}
.see-also {opacity: 0.85;}
"""


@dataclass
class Turn:
    """What the chat remembers of one answer: the standalone question and the answer itself."""

    question: str
    answer: Answer
    rewritten: str | None


def ask(assistant, message: str, previous: str | None, regions=None, documents=None, extractive: bool = False,
        on_token=None) -> Turn:
    """Answer ``message``, first making it standalone when it is a follow-up of ``previous``; ``extractive``
    and ``on_token`` as in ``Assistant.ask``."""
    standalone = assistant.followup(message, previous, extractive)
    answer = assistant.ask(standalone or message, regions=regions or None, documents=documents or None,
                           extractive=extractive, on_token=on_token)
    return Turn(standalone or message.strip(), answer, standalone)


def answer_markdown(turn: Turn) -> str:
    """The chat bubble: escaped answer text, marked when it abstains, with the rewritten question."""
    a = turn.answer
    zh = a.language == "zh"
    text = escape(a.text).replace("\n", "  \n")
    if a.abstained:
        text = ("**未能回答** · " if zh else "**Not answered** · ") + text
    if turn.rewritten:
        text += f"\n\n*{'按上文理解为' if zh else 'Understood as'}：{escape(turn.rewritten)}*"
    if a.note:  # LLM mode: what the verifier did, or why the extractive answer is shown
        text += f"\n\n*{'✓' if a.mode == 'llm' else '⚠'} {escape(a.note)}*"
        text += "".join(f"  \n– {escape(s.reason)}" for s in (a.verification.removed if a.verification else []))
    return text


def draft_markdown(draft: str, zh: bool) -> str:
    """The model's answer while it is written: marked as not yet verified."""
    return ("*草稿，正在核对引用……*" if zh else "*Draft, citations being checked…*") + "\n\n" + escape(draft)


def citations_html(answer: Answer, documents: dict) -> str:
    """Numbered citation cards; clicking one opens its clause in the full document (see CARD_JS)."""
    parts = []
    if answer.citations:
        for c in answer.citations:
            doc = documents[c.document.id]
            number = f" · {escape(doc.cite_number)}" if doc.cite_number else ""
            clause = c.clause
            quoted = (escape(clause.text[:c.quote_start]) + "<mark>" + escape(c.quote) + "</mark>"
                      + escape(clause.text[c.quote_end:]))
            parts.append(
                f'<div class="cite-card" data-cite="{c.n}"><b>[{c.n}] {escape(doc.title)}</b>{number}'
                f'<div class="meta">{escape(clause.path_text)}</div><div class="clause">{quoted}</div></div>')
            parts.append(_viewer(c.n, doc.text, clause.start, clause.end,
                                 clause.start + c.quote_start, clause.start + c.quote_end))
    elif answer.see_also:
        parts.append(f"<p>{'相关条款（仅供参考）' if answer.language == 'zh' else 'See also'}</p>")
        for i, h in enumerate(answer.see_also, 1):
            doc = documents[h.clause.document_id]
            parts.append(f'<div class="cite-card see-also" data-cite="s{i}"><b>{escape(doc.title)}</b>'
                         f'<div class="meta">{escape(h.clause.path_text)}</div>'
                         f'<div class="clause">{escape(h.clause.text)}</div></div>')
            parts.append(_viewer(f"s{i}", doc.text, h.clause.start, h.clause.end, None, None))
    return "\n".join(parts)


def _viewer(n, text: str, start: int, end: int, q_start: int | None, q_end: int | None) -> str:
    """The whole document, the clause shaded and the quote marked; hidden until its card is clicked."""
    if q_start is None:
        inner = "<mark>" + escape(text[start:end]) + "</mark>"
    else:
        inner = escape(text[start:q_start]) + "<mark>" + escape(text[q_start:q_end]) + "</mark>" + escape(text[q_end:end])
    body = escape(text[:start]) + f'<span class="in-clause">{inner}</span>' + escape(text[end:])
    return f'<div class="viewer" data-viewer="{n}" hidden>{body}</div>'


def record_feedback(store: FeedbackStore, turn: Turn | None, rating: int, comment: str, *,
                    limit: RateLimit | None = None, session: str = "", max_chars: int = 1000) -> str:
    """Store one rating; refuse (saying why) a comment over ``max_chars`` or a session over its rate."""
    if turn is None:
        return "请先提问 · Ask a question first."
    comment = comment or ""
    if len(comment) > max_chars:
        return (f"意见过长（{len(comment)}字），请控制在{max_chars}字以内 · "
                f"Comment too long ({len(comment)} characters; at most {max_chars}). Not saved.")
    wait = limit.wait(session) if limit else 0.0
    if wait:
        return (f"反馈过于频繁，请{math.ceil(wait)}秒后再试 · "
                f"Too much feedback at once: try again in {math.ceil(wait)} s. Not saved.")
    store.add(turn.question, turn.answer.text, [c.to_dict() for c in turn.answer.citations], rating, comment)
    return "已记录，谢谢！ · Thanks, feedback saved."


def library_rows(documents: dict, clauses: list) -> list[list]:
    counts: dict[str, int] = {}
    for c in clauses:
        counts[c.document_id] = counts.get(c.document_id, 0) + 1
    return [[d.id, d.title, d.cite_number or "", d.issuer or "", d.date or "", d.region or "", d.language,
             counts.get(d.id, 0)] for d in documents.values()]


def outline_html(clauses) -> str:
    """The clause outline of a document: its paths, as a civil servant reads them."""
    items = "".join(f"<li><code>{escape(c.label)}</code> {escape(c.path_text)}</li>" for c in clauses)
    return f"<ol>{items}</ol>" if items else "<p>(no clauses)</p>"


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
        parts.append(f"<h4>{escape(file.name)}</h4><p>{facts}</p><p>{len(clauses)} clauses · "
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
