"""The extractive composer: pick the clause sentences that answer, quote them, or abstain.

It never writes a fact of its own: every claim is a verbatim sentence of a cited clause, and when the
evidence is weak (a place no loaded policy covers, little of the question found, no number of the
kind asked for) it abstains and lists the closest clauses instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.sentences import sentence_spans
from index.types import Clause, Document

from .cite import cite, unsupported_numbers
from .prompts import phrase
from .query import INTENT_EVIDENCE, Query
from index.places import covers

from .retrieve import coverage, framed
from .types import Citation, Hit

# How much evidence an answer needs. Calibrated on eval/questions.jsonl (see README "Quality").
CANDIDATES = 3            # clauses whose sentences compete for the answer
RANK_WEIGHT = 2.0         # weight of a clause's retrieval score when choosing among their sentences
MIN_COVERAGE = 0.3        # weighted share of the question's concepts the best clause must contain
MIN_FACT_COVERAGE = 0.35  # …and, for a number/date question, the quoted sentence with its headings
SAME_CLAUSE_RATIO = 0.9   # a second sentence of the best clause is quoted when it scores this close
SECOND_RATIO = 0.6        # a two-part question quotes a second document when it scores this close
MIN_GAIN = 0.15           # …or a second clause covering this much of what the first left open
NUMERIC = ("days", "percent", "amount")

# Money roles (support, rewards, payments): asking how much of one is paid needs a sentence about one.
SUPPORT = re.compile(r"补贴|补助|奖励|奖补|资助|扶持|支持|补多少|能补|补偿|报酬|费用|收费|租金|安家费|经费|资金|subsid|reward|"
                     r"grant|funding|support|incentive|bonus|compensat|\bfees?\b|\brent\b|allowance|\bcosts?\b|\bpaid\b|"
                     r"\bpay|\benjoy|\bgranted\b", re.I)
# A per-item amount ("单个项目最多…", "each", "per") is not answered by a sentence stating a total.
PER_ITEM = re.compile(r"单个|单项|每个|每家|每项|每年|每一|\bper\b|\beach\b|\ba single\b", re.I)
_UNITS_ONLY = re.compile(r"[（(](?:牵头单位|责任单位|配合单位|Led by)[^）)]*[）)]。?")


@dataclass(frozen=True)
class Pick:
    hit: Hit
    start: int
    end: int
    score: float
    clause_coverage: float
    has_evidence: bool
    lead_start: int  # where the sentence this one continues begins ("For example, for X …" / "the applicant …")


@dataclass(frozen=True)
class Composed:
    text: str
    abstained: bool
    citations: list[Citation]
    see_also: list[Hit]


def compose(query: Query, hits: list[Hit], documents: dict[str, Document],
            weights: list[float] | None = None, absent: list[str] | None = None) -> Composed:
    lang = query.language
    if absent:
        return _abstain(lang, hits, phrase(lang, "reason_absent", terms="、".join(absent)))
    uncovered = [p for p in query.places if not any(covers(d.region, (p,)) for d in documents.values())]
    if query.places and len(uncovered) == len(query.places):  # asked only about places nobody covers
        return _abstain(lang, hits, phrase(lang, "reason_place", places="、".join(uncovered),
                                           regions=_regions(documents)))
    picks = sorted(_picks(query, hits, weights), key=lambda p: -p.score)
    if not picks or picks[0].clause_coverage < MIN_COVERAGE:
        return _abstain(lang, hits, phrase(lang, "reason_weak"))
    best = picks[0]
    if query.intent in NUMERIC and not _states_the_number(query, best, weights):
        return _abstain(lang, hits, phrase(lang, f"reason_{query.intent}"))
    chosen = [best]
    runner = next((p for p in picks[1:] if p.hit.clause.id == best.hit.clause.id and p.start != best.start), None)
    if runner and runner.score >= SAME_CLAUSE_RATIO * best.score \
            and (query.intent not in NUMERIC or runner.has_evidence):
        chosen = sorted([best, runner], key=lambda p: p.start)  # two sentences of one clause, in its order
    if query.compare or len(query.places) > 1:
        other = _second(query, best, picks, weights)
        if other:
            chosen.append(other)
    citations = [cite(n, p.hit.clause, documents[p.hit.clause.document_id], p.start, p.end)
                 for n, p in enumerate(chosen, 1)]
    text = _render(lang, query, citations)
    if unsupported_numbers(text, citations):  # by construction impossible; refuse rather than mislead
        return _abstain(lang, hits, phrase(lang, "reason_weak"))
    return Composed(text, False, citations, [])


def _picks(query: Query, hits: list[Hit], weights: list[float] | None = None) -> list[Pick]:
    evidence = INTENT_EVIDENCE.get(query.intent) if query.intent else None
    top = hits[0].score if hits else 1.0
    picks = []
    for hit in hits[:CANDIDATES * (2 if query.compare else 1)]:
        clause = hit.clause
        clause_cov = hit.why.get("coverage", 0.0)
        spans = _quotable(clause, query.intent == "unit")
        for k, (start, end) in enumerate(spans):
            sentence = clause.text[start:end]
            has = bool(evidence and evidence.search(sentence + (" " + " ".join(clause.units)
                                                               if query.intent == "unit" else "")))
            score = (0.5 * coverage(query, sentence.lower(), weights) + 0.3 * clause_cov
                     + RANK_WEIGHT * hit.score / top + (0.4 if has else 0.0))
            picks.append(Pick(hit, start, end, score, clause_cov, has, spans[k - 1][0] if k else start))
    return picks


def _second(query: Query, best: Pick, picks: list[Pick], weights: list[float] | None) -> Pick | None:
    """For a two-part question: the sentence of another clause that covers what the first left open,
    or, when both parts ask the same of two places or documents, the best sentence of another document."""
    eligible = [p for p in picks if p.hit.clause.id != best.hit.clause.id and p.clause_coverage >= MIN_COVERAGE
                and (p.has_evidence or query.intent not in NUMERIC)]
    weights = weights or [1.0] * len(query.groups)
    first = _context(best)
    open_groups = [(g, w) for g, w in zip(query.groups, weights) if not any(t in first for t in g)]
    total = sum(weights) or 1.0

    def gain(p: Pick) -> float:
        text = _context(p)
        return sum(w for g, w in open_groups if any(t in text for t in g)) / total

    complementary = max(eligible, key=lambda p: (gain(p), p.score), default=None)
    if complementary and gain(complementary) >= MIN_GAIN:
        return complementary
    return next((p for p in eligible if p.hit.clause.document_id != best.hit.clause.document_id
                 and p.score >= SECOND_RATIO * best.score), None)


def _context(pick: Pick) -> str:
    """The quoted sentence with what frames it, lower-cased: the headings, the units, and the sentence
    before it, which often holds its subject."""
    return framed(pick.hit.clause, pick.hit.clause.text[pick.lead_start:pick.end]).lower()


def _states_the_number(query: Query, pick: Pick, weights: list[float] | None) -> bool:
    """A number question is answered only by a sentence that holds a number of the kind asked, is about
    the question's own subject, and, when support is asked about, speaks of support."""
    context = _context(pick)
    return (pick.has_evidence and coverage(query, context, weights) >= MIN_FACT_COVERAGE
            and (not SUPPORT.search(query.text) or bool(SUPPORT.search(context)))
            and (not PER_ITEM.search(query.text) or bool(PER_ITEM.search(context))))


def _quotable(clause: Clause, units_asked: bool = False) -> list[tuple[int, int]]:
    """Sentences worth quoting: not the bare heading of a numbered clause, not a table's cell number."""
    spans = []
    for start, end in sentence_spans(clause.text):
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
        if start == 0 and clause.label and piece.startswith(clause.label) and len(piece) < 40 \
                and len(sentence_spans(clause.text)) > 1:
            continue  # "十、建立临床研究伦理审查结果互认。" names the topic, answers nothing
        spans.append((start, end))
    return spans or [(0, len(clause.text))]


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
    units = "；".join(c.clause.units) if query.intent == "unit" and c.clause.units else ""
    return phrase(lang, "lead", title=doc.title, number=number, where=where, quote=c.quote.strip(),
                  n=c.n, units=(phrase(lang, "units", units=units) if units else ""))


def _abstain(lang: str, hits: list[Hit], reason: str) -> Composed:
    see = hits[:3]
    lines = [phrase(lang, "abstain", reason=reason)]
    if see:
        lines.append(phrase(lang, "see_also"))
        lines += [f"- {h.clause.path_text}（{h.clause.document_id}）" if lang == "zh"
                  else f"- {h.clause.path_text} ({h.clause.document_id})" for h in see]
    return Composed("\n".join(lines), True, [], see)


def _regions(documents: dict[str, Document]) -> str:
    return "、".join(dict.fromkeys(d.region for d in documents.values() if d.region))

