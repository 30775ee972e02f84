"""Metrics over (question, answer) pairs; every function is plain and unit-tested on hand cases.

Matching rule: a clause contains an evidence string when, whitespace removed and case folded, the
string is a substring of the clause text; facts match the answer text the same way.
"""
from __future__ import annotations

import math
import re

_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    return _WS.sub("", text).casefold()


def contains(text: str, evidence: str) -> bool:
    return norm(evidence) in norm(text)


def relevant(texts: list[str], evidence: list[str]) -> list[set[int]]:
    """For each retrieved text, the indexes of the evidence strings it holds."""
    return [{j for j, e in enumerate(evidence) if contains(t, e)} for t in texts]


def recall_at(texts: list[str], evidence: list[str], k: int, all_evidence: bool = False) -> float:
    """1 if any evidence is in the top k; with ``all_evidence`` the share of evidence found there."""
    if not evidence:
        return 0.0
    found = set().union(*relevant(texts[:k], evidence)) if texts[:k] else set()
    return len(found) / len(evidence) if all_evidence else float(bool(found))


def mrr_at(texts: list[str], evidence: list[str], k: int = 10) -> float:
    for rank, hit in enumerate(relevant(texts[:k], evidence), 1):
        if hit:
            return 1.0 / rank
    return 0.0


def ndcg_at(texts: list[str], evidence: list[str], k: int = 10) -> float:
    """Binary gain: a retrieved clause counts once per evidence string not seen higher up."""
    seen: set[int] = set()
    dcg = 0.0
    for rank, hit in enumerate(relevant(texts[:k], evidence), 1):
        new = hit - seen
        if new:
            dcg += 1.0 / math.log2(rank + 1)
            seen |= new
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(len(evidence), k) + 1))
    return dcg / ideal if ideal else 0.0


def citation_recall(cited: list[str], evidence: list[str]) -> float:
    return float(any(contains(t, e) for t in cited for e in evidence))


def citation_precision(cited: list[str], evidence: list[str]) -> float | None:
    if not cited:
        return None
    return sum(1 for t in cited if any(contains(t, e) for e in evidence)) / len(cited)


def fact_accuracy(answer: str, facts: list[list[str]]) -> float:
    """1 when every fact list has at least one alternative in the answer."""
    return float(all(any(contains(answer, alt) for alt in alts) for alts in facts))


def verbatim(quotes_and_texts: list[tuple[str, str]]) -> float | None:
    if not quotes_and_texts:
        return None
    return sum(1 for q, t in quotes_and_texts if q and q in t) / len(quotes_and_texts)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
