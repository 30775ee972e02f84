"""The extractive composer: pick the clause sentences that answer, quote them, or abstain.

It never writes a fact of its own: every claim is a verbatim sentence of a cited clause. An item of a statute
("（三）未按规定…的；") is quoted with the sentence that introduces it ("有下列情形之一的，处一万元以上…罚款："),
which holds its consequence. When the evidence is weak it abstains, says why (``assistant.checks``) and lists
the closest clauses instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.numbering import parse_article, parse_label
from index.sentences import sentence_spans
from index.types import Clause, Document

from . import checks
from .asks import NUMERIC, answers
from .cite import cite, unsupported_numbers
from .prompts import phrase
from .query import Query
from .retrieve import Coverage, coverage
from .tuning import DEFAULT, Tuning
from .types import Citation, Hit

_UNITS_ONLY = re.compile(r"[（(](?:牵头单位|责任单位|配合单位|Led by)[^）)]*[）)]。?")
_INTRODUCES = ("：", ":")


@dataclass(frozen=True)
class Pick:
    hit: Hit
    start: int
    end: int
    lead: tuple[int, int] | None   # the sentence introducing this item, quoted before it
    score: float
    has_evidence: bool
    context_start: int             # where the text framing this sentence begins (its lead or the sentence before)


@dataclass(frozen=True)
class Composed:
    text: str
    abstained: bool
    citations: list[Citation]
    see_also: list[Hit]
    reason: str | None = None      # the check that made it abstain
    signals: dict | None = None    # checks.Signals of the best clause ("top") and of the quoted sentence


def compose(query: Query, hits: list[Hit], documents: dict[str, Document],
            weights: list[float] | None = None, absent: list[str] | None = None,
            tuning: Tuning = DEFAULT, judge_weights: list[float] | None = None) -> Composed:
    """``weights`` rank and judge sentences (concepts no loaded text holds weigh nothing); ``judge_weights``
    (those concepts weighed too) tell how much of the question the library does not know at all."""
    judge_weights = judge_weights or weights
    lang = query.language
    t, c = tuning.abstention, tuning.composing
    reason = checks.absent_terms(absent or []) or checks.place_not_covered(query, documents)
    if reason:
        return _abstain(lang, hits, reason, documents)
    picks = sorted(_picks(query, hits, weights, tuning), key=lambda p: -p.score)
    if not picks:
        return _abstain(lang, hits, checks.Reason("weak_match", "reason_weak", {}), documents)
    best = picks[0]
    if query.intent:  # the best sentence stating what is asked, if the best clause (or any, for a number) has one
        with_evidence = next((p for p in picks if p.has_evidence), None)
        if with_evidence is not None and (with_evidence.hit.clause.id == best.hit.clause.id
                                          or query.intent in NUMERIC):
            best = with_evidence
    unknown = _unknown_share(query, weights, judge_weights)
    signals = {"top": checks.Signals.of(picks[0].hit, query, unknown=unknown),
               "quoted": checks.Signals.of(best.hit, query, coverage(query, _context(best, documents), weights),
                                           unknown)}
    reason = (checks.out_of_library(signals["top"], t)
              or checks.weak_match(signals["top"], t)
              or checks.answer_kind_missing(query, _evidence_text(query, best))
              or checks.off_subject(query, signals["quoted"], t))
    if reason:
        return _abstain(lang, hits, reason, documents, signals)
    chosen = [best]
    runner = next((p for p in picks[1:] if p.hit.clause.id == best.hit.clause.id and p.start != best.start
                   and not _overlaps(p, best)), None)
    if runner and runner.score >= c.same_clause_ratio * best.score \
            and (query.intent not in NUMERIC or runner.has_evidence):
        chosen = sorted([best, runner], key=lambda p: p.start)  # two sentences of one clause, in its order
    if query.compare or len(query.places) > 1:
        other = _second(query, best, picks, weights, tuning)
        if other:
            chosen.append(other)
    citations = _citations(chosen, documents)
    text = _render(lang, query, citations)
    if unsupported_numbers(text, citations):  # by construction impossible; refuse rather than mislead
        return _abstain(lang, hits, checks.Reason("unsupported_number", "reason_weak", {}), documents)
    return Composed(text, False, citations, [], signals=signals)


def _unknown_share(query: Query, weights: list[float] | None, judge_weights: list[float] | None) -> float:
    """The share (by weight) of the question's concepts that no loaded text holds in any form."""
    if not weights or not judge_weights:
        return 0.0
    content = [i for i, g in enumerate(query.groups) if any(len(t) > 1 for t in g)]
    total = sum(judge_weights[i] for i in content)
    return sum(judge_weights[i] for i in content if not weights[i]) / total if total else 0.0


def _citations(chosen: list[Pick], documents: dict[str, Document]) -> list[Citation]:
    """One citation per quoted span: an item's lead first, then the item; a lead shared by two items once."""
    spans: list[tuple[Pick, int, int]] = []
    for p in chosen:
        for start, end in ([p.lead] if p.lead else []) + [(p.start, p.end)]:
            if not any(q.hit.clause.id == p.hit.clause.id and s == start for q, s, _ in spans):
                spans.append((p, start, end))
    return [cite(n, p.hit.clause, documents[p.hit.clause.document_id], s, e) for n, (p, s, e) in enumerate(spans, 1)]


def _picks(query: Query, hits: list[Hit], weights: list[float] | None, tuning: Tuning) -> list[Pick]:
    c = tuning.composing
    top = hits[0].score if hits else 1.0
    covered = Coverage(query, weights)
    picks = []
    for hit in hits[:c.candidates * (2 if query.compare else 1)]:
        clause = hit.clause
        clause_cov = hit.why.get("coverage", 0.0) or 0.0
        spans = _quotable(clause, query.intent == "authority")
        for k, (start, end) in enumerate(spans):
            lead = _lead(clause, spans, k, c.lead_max)
            context_start = lead[0] if lead else (spans[k - 1][0] if k else start)
            pick = Pick(hit, start, end, lead, 0.0, False, context_start)
            has = answers(query.intent, _evidence_text(query, pick), query.paid_as) if query.intent else False
            sentence_cov = covered(_context(pick)) or 0.0
            score = (c.sentence_coverage * sentence_cov + c.clause_coverage * clause_cov
                     + c.rank_weight * hit.score / top + c.evidence * has)
            picks.append(Pick(hit, start, end, lead, score, has, context_start))
    return picks


def _lead(clause: Clause, spans: list[tuple[int, int]], k: int, limit: int) -> tuple[int, int] | None:
    """The sentence introducing item ``k`` ("有下列情形之一的，…：" before "（三）…"), if it is short enough."""
    start, _ = spans[k]
    if not parse_label(clause.text[start:], clause.language):
        return None
    for s, e in reversed(spans[:k]):
        piece = clause.text[s:e].rstrip()
        if piece.endswith(_INTRODUCES) and not parse_label(piece, clause.language):
            return (s, e) if e - s <= limit else None
    return None


def _second(query: Query, best: Pick, picks: list[Pick], weights: list[float] | None,
            tuning: Tuning) -> Pick | None:
    """For a two-part question: the sentence of another clause that covers what the first left open,
    or, when both parts ask the same of two places or documents, the best sentence of another document."""
    c = tuning.composing
    eligible = [p for p in picks if p.hit.clause.id != best.hit.clause.id
                and (p.hit.why.get("coverage") or 0.0) >= tuning.abstention.min_coverage
                and (p.has_evidence or query.intent not in NUMERIC)]
    weights = weights or [1.0] * len(query.groups)
    first = _context(best)
    open_groups = [(g, w) for g, w in zip(query.groups, weights) if not any(t in first for t in g)]
    total = sum(weights) or 1.0

    def gain(p: Pick) -> float:
        text = _context(p)
        return sum(w for g, w in open_groups if any(t in text for t in g)) / total

    complementary = max(eligible, key=lambda p: (gain(p), p.score), default=None)
    if complementary and gain(complementary) >= c.min_gain:
        return complementary
    return next((p for p in eligible if p.hit.clause.document_id != best.hit.clause.document_id
                 and p.score >= c.second_ratio * best.score), None)


def _overlaps(a: Pick, b: Pick) -> bool:
    spans_a = [a.lead, (a.start, a.end)] if a.lead else [(a.start, a.end)]
    spans_b = [b.lead, (b.start, b.end)] if b.lead else [(b.start, b.end)]
    return any(s1 < e2 and s2 < e1 for s1, e1 in spans_a for s2, e2 in spans_b)


def _context(pick: Pick, documents: dict[str, Document] | None = None) -> str:
    """The quoted sentence with what frames it, lower-cased: the headings, the units, and the sentence
    before it (or the item's lead), which often holds its subject; given ``documents``, also its document's
    title, which names the subject of every article of a statute (…质量管理规范 › 第十二条 相关记录应当…)."""
    clause = pick.hit.clause
    document = (documents or {}).get(clause.document_id)
    title = document.title + "\n" if document and document.title else ""
    return (title + clause.framed(clause.text[pick.context_start:pick.end])).lower()


def _evidence_text(query: Query, pick: Pick) -> str:
    """What is quoted (lead and sentence) under its headings, plus the clause's units when who is responsible is
    asked. (Headings tell what an amount is paid as: "二十八、支持数智化改造…".)"""
    clause = pick.hit.clause
    text = (clause.text[pick.lead[0]:pick.lead[1]] + " " if pick.lead else "") + clause.text[pick.start:pick.end]
    return " ".join([clause.path_text, text] + (list(clause.units) if query.intent == "authority" else []))


def _quotable(clause: Clause, units_asked: bool = False) -> list[tuple[int, int]]:
    """Sentences worth quoting: not the bare heading of a numbered clause, not a table's cell number."""
    spans = []
    all_spans = sentence_spans(clause.text)
    for start, end in all_spans:
        piece = clause.text[start:end]
        if "\t" in piece:  # a table row: quote the content cell, not the unit and number cells
            cells = piece.split("\t")
            longest = max(cells, key=len)
            start = start + piece.index(longest)
            end = start + len(longest)
            piece = longest
        if len(piece.strip("。.；; ")) < 4:
            continue
        if _UNITS_ONLY.fullmatch(piece.strip()) and not units_asked:
            continue  # "（牵头单位：…）" answers only who is responsible
        if start == 0 and len(all_spans) > 1 and clause.path and _heading_only(piece, clause.path[-1]):
            continue  # "十、建立临床研究伦理审查结果互认。" names the topic, answers nothing
        article = parse_article(piece, clause.language) if start == 0 else None
        if article and article.end < len(piece):
            start += article.end  # the lead-in names the article already: quote from its first word
        spans.append((start, end))
    return spans or [(0, len(clause.text))]


def _heading_only(sentence: str, heading: str) -> bool:
    """Is the sentence just the clause's own heading as its path shows it (label and title)?"""
    def bare(text: str) -> str:
        return re.sub(r"[\s。．.；;]", "", text)

    return bare(sentence) == bare(heading)


def _render(lang: str, query: Query, citations: list[Citation]) -> str:
    """One line per cited clause: its lead-in once, then each of its quotes with its number."""
    lines: list[str] = []
    for i, c in enumerate(citations):
        if i and c.clause.id == citations[i - 1].clause.id:
            lines[-1] += phrase(lang, "more", quote=c.quote.strip(), n=c.n)
        else:
            lines.append(_sentence(lang, query, c))
    return "\n".join(lines)


def _sentence(lang: str, query: Query, c: Citation) -> str:
    doc = c.document
    number = f"（{doc.cite_number}）" if lang == "zh" and doc.cite_number else \
        f" ({doc.cite_number})" if doc.cite_number else ""
    where = c.clause.path[-1] if c.clause.path else c.clause.label
    units = "；".join(c.clause.units) if query.intent == "authority" and c.clause.units else ""
    return phrase(lang, "lead", title=doc.title, number=number, where=where, quote=c.quote.strip(),
                  n=c.n, units=(phrase(lang, "units", units=units) if units else ""))


def _abstain(lang: str, hits: list[Hit], reason: checks.Reason, documents: dict[str, Document],
             signals: dict | None = None) -> Composed:
    see = hits[:3]
    lines = [phrase(lang, "abstain", reason=phrase(lang, reason.key, **reason.values))]
    if see:
        lines.append(phrase(lang, "see_also"))
        for h in see:
            doc = documents.get(h.clause.document_id)
            title = doc.title if doc else h.clause.document_id
            lines.append(f"- 《{title}》{h.clause.path_text}" if lang == "zh" else f"- {title}, {h.clause.path_text}")
    return Composed("\n".join(lines), True, [], see, reason.check, signals)
