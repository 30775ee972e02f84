"""LLM mode: a chat model writes the answer from the retrieved clauses; the verifier decides what is shown.

The extractive answer is always composed first. The user gets it instead, with a note saying why, when
the endpoint fails, when the model finds no answer in the clauses, when the answer's core claim does not
survive verification (verify.py), or when the clauses it cites do not apply to the places asked about.
Otherwise the answer is the model's verified sentences only, its citations renumbered in order, each
with the sentence of its clause that supports it as the quote.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace

from index.glossary import load_glossary
from index.places import covers
from index.sentences import sentence_spans
from index.types import Clause, Document

from .cite import cite
from .config import Settings
from .followup import rewrite
from .llm import ChatModel, ModelError
from .numbers import MARKER, figures, supported
from .prompts import load
from .query import Query, language_of
from .types import Answer, Citation, Hit
from .verify import Source, Verification, cited, quotations, reason_text, verify

_TAG = re.compile(r"<\s*/?\s*sources?\b", re.I)  # a document cannot open or close a source block


class Writer:
    def __init__(self, settings: Settings, model: ChatModel | None = None):
        self.settings = settings
        self.model = model or ChatModel(settings)

    def write(self, extractive: Answer, query: Query, hits: list[Hit], library: dict[str, Document],
              on_token: Callable[[str], None] | None = None) -> Answer:
        """The model's verified answer to ``query``, or ``extractive`` with a note saying why not."""
        t0 = time.perf_counter()
        lang = extractive.language
        sources = self.sources(hits, library)
        if not sources:
            return extractive
        try:
            reply = self.model.complete(self.messages(query, sources, lang), on_token)
        except ModelError as e:
            return _fallback(extractive, t0, _note(lang, "unavailable", reason=str(e)))
        if reply.text.strip().startswith(_markers()["no_answer"]):
            return _fallback(extractive, t0, _note(lang, "no_answer"))
        verification = verify(reply.text, sources, library, lang)
        failure = verification.core_failure()
        if failure:
            return _fallback(extractive, t0, _note(lang, "core_failed", reason=reason_text(lang, failure)),
                             verification)
        text, citations = _renumbered(verification, {s.n: s for s in sources})
        if query.places and not any(covers(c.document.region, query.places) for c in citations):
            return _fallback(extractive, t0, _note(lang, "not_covered", places="、".join(query.places)),
                             verification)
        note = _note(lang, "removed", kept=len(verification.kept), removed=len(verification.removed)) \
            if verification.removed else _note(lang, "verified", kept=len(verification.kept))
        return replace(extractive, text=text, abstained=False, citations=citations, see_also=[], mode="llm",
                       note=note, verification=verification, timings_ms=_timed(extractive, t0))

    def standalone(self, message: str, previous: str | None) -> str | None:
        """A follow-up made standalone by the model; by the rules when the model fails or rambles."""
        if not previous:
            return None
        p = _wording(language_of(message))
        try:
            reply = self.model.complete([("system", p["rewrite_system"]),
                                         ("user", p["rewrite_user"].format(previous=previous, message=message))])
        except ModelError:
            return rewrite(message, previous)
        line = reply.text.strip().splitlines()[0].strip().strip("\"“”'")
        if not line or len(line) > self.settings.max_question_chars or reply.truncated:
            return rewrite(message, previous)
        return None if line == message.strip() else line

    def sources(self, hits: list[Hit], library: dict[str, Document]) -> list[Source]:
        """The clauses shown to the model, in rank order, within the clause and character budgets."""
        out, budget = [], self.settings.llm_context_chars
        for hit in hits[:self.settings.llm_clauses]:
            if budget <= 0:
                break
            out.append(Source(len(out) + 1, hit.clause, library[hit.clause.document_id]))
            budget -= len(hit.clause.text)
        return out

    def messages(self, query: Query, sources: list[Source], lang: str) -> list[tuple[str, str]]:
        p = _wording(lang)
        budget = self.settings.llm_context_chars
        blocks = []
        for s in sources:
            text = s.clause.text if len(s.clause.text) <= budget else s.clause.text[:max(budget, 0)] + "…"
            budget -= len(text)
            d = s.document
            number = (f"（{d.cite_number}）" if lang == "zh" else f" ({d.cite_number})") if d.cite_number else ""
            title = d.title if lang == "zh" or d.language == "en" or not d.title_translated \
                else f"{d.title} ({d.title_translated})"
            blocks.append(p["source"].format(n=s.n, title=_inert(title), number=_inert(number),
                                             region=d.region or p["no_region"], path=_inert(s.clause.path_text),
                                             text=_inert(text)))
        places = "; ".join(" → ".join(_lineage(place)) for place in query.places)
        user = p["user"].format(sources="\n".join(blocks), question=query.text,
                                background=p["background"].format(places=places) if places else "")
        return [("system", p["system"].format(no_answer=_markers()["no_answer"])), ("user", user)]


def _renumbered(verification: Verification, by_n: dict[int, Source]) -> tuple[str, list[Citation]]:
    """The kept text with its clauses numbered 1, 2, … in order of first citation, and their citations."""
    order: dict[int, int] = {}
    claims: dict[int, list[str]] = {}
    for s in verification.kept:
        for n in s.cites:
            order.setdefault(n, len(order) + 1)
            claims.setdefault(n, []).append(s.text)
    text = MARKER.sub(lambda m: "".join(f"[{order[n]}]" for n in cited(m.group()) if n in order),
                      verification.text())
    citations = []
    for old, new in order.items():
        source = by_n[old]
        start, end = _best_span(source.clause, claims[old])
        citations.append(cite(new, source.clause, source.document, start, end))
    return text, citations


def _best_span(clause: Clause, claims: list[str]) -> tuple[int, int]:
    """The sentence of the clause that supports the claims citing it: the one holding their quotations
    and figures, else the one sharing most of their characters."""
    wanted_quotes = [q for c in claims for q in quotations(c)]
    wanted_figures = [f for c in claims for f in figures(MARKER.sub(" ", c))]
    chars = set("".join(claims))

    def score(span: tuple[int, int]) -> tuple[int, int, float]:
        piece = clause.text[span[0]:span[1]]
        pool = figures(piece)
        return (sum(1 for q in wanted_quotes if q.strip("。.，, ") in piece),
                sum(1 for f in wanted_figures if supported(f, pool)),
                len(chars & set(piece)) / (len(set(piece)) or 1))

    spans = sentence_spans(clause.text) or [(0, len(clause.text))]
    return max(spans, key=score)


def _fallback(extractive: Answer, t0: float, note: str, verification: Verification | None = None) -> Answer:
    return replace(extractive, mode="extractive", note=note, verification=verification,
                   timings_ms=_timed(extractive, t0))


def _timed(answer: Answer, t0: float) -> dict:
    llm = (time.perf_counter() - t0) * 1000
    return {**answer.timings_ms, "llm": llm, "total": answer.timings_ms.get("total", 0.0) + llm}


def _lineage(place: str) -> list[str]:
    """汕头 → 粤东 → 粤东粤西粤北 → 广东: a place and the regions above it, from the gazetteer."""
    rows = {p.name: p for p in load_glossary().places}
    chain = [place]
    while place in rows:
        parent = next((r for r in rows[place].region.split("|") if r and r not in chain), None)
        if parent is None:
            break
        chain.append(parent)
        place = parent
    return chain


def _inert(text: str) -> str:
    return _TAG.sub(lambda m: m.group().replace("<", "‹"), text)


def _wording(lang: str) -> dict:
    return load("llm")["zh" if lang == "zh" else "en"]


def _markers() -> dict:
    return load("llm")["markers"]


def _note(lang: str, key: str, **values) -> str:
    return _wording(lang)["notes"][key].format(**values)
