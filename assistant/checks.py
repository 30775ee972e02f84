"""Abstention rules, each a named check: it returns the reason to abstain (a phrase key and its values), or None.

The composer runs them in order and abstains at the first that fires, so a user learns why, e.g. "the loaded
policies never mention 签证" or "the related clauses set no time limit". Thresholds are in ``assistant.tuning``.
"""
from __future__ import annotations

from dataclasses import dataclass

from index.places import covers
from index.types import Document

from .types import Hit

from .asks import NUMERIC, answers
from .query import Query
from .tuning import Abstention


@dataclass(frozen=True)
class Reason:
    check: str      # the check that fired
    key: str        # phrase key in prompts/phrases.toml
    values: dict


@dataclass(frozen=True)
class Signals:
    """How well a clause (or the quoted sentence with its headings) matches the question: by its words
    (coverage of the question's concepts) and by its meaning (dense cosine)."""

    coverage: float | None
    cosine: float | None
    same_language: bool
    unknown: float = 0.0          # share of the question's concepts (by weight) that no loaded text holds

    @classmethod
    def of(cls, hit: Hit, query: Query, coverage: float | None = None, unknown: float = 0.0) -> "Signals":
        """The hit's own signals; ``coverage`` replaces its clause coverage (e.g. by the quoted sentence's)."""
        return cls(hit.why.get("coverage") if coverage is None else coverage, hit.why.get("cosine"),
                   hit.clause.language == query.language, unknown)

    def strong(self, min_coverage: float, t: Abstention) -> bool:
        lexical = self.coverage is not None and self.coverage >= min_coverage
        min_cosine = t.min_cosine if self.same_language else t.min_cosine_cross
        return lexical or (self.cosine is not None and self.cosine >= min_cosine)


def absent_terms(absent: list[str]) -> Reason | None:
    """The question uses a domain term (one the glossary knows) that no loaded document mentions in any form."""
    return Reason("absent_terms", "reason_absent", {"terms": "、".join(absent)}) if absent else None


def place_not_covered(query: Query, documents: dict[str, Document]) -> Reason | None:
    """Every place the question names lies outside every loaded document's region (上海 with only Guangdong
    policies loaded)."""
    uncovered = [p for p in query.places if not any(covers(d.region, (p,)) for d in documents.values())]
    if query.places and len(uncovered) == len(query.places):
        regions = "、".join(dict.fromkeys(d.region for d in documents.values() if d.region))
        return Reason("place_not_covered", "reason_place", {"places": "、".join(uncovered), "regions": regions})
    return None


def weak_match(best: Signals, t: Abstention) -> Reason | None:
    """The best clause holds too little of the question, by its words and by its meaning."""
    return None if best.strong(t.min_coverage, t) else Reason("weak_match", "reason_weak", {})


def answer_kind_missing(query: Query, context: str) -> Reason | None:
    """A question asking how long / how much / which authority, answered by text that states no such thing."""
    if query.intent is None or answers(query.intent, context, query.paid_as):
        return None
    return Reason("answer_kind_missing", f"reason_{query.intent}", {})


def off_subject(query: Query, quoted: Signals, t: Abstention) -> Reason | None:
    """A number question whose quoted sentence (with its headings) is about something else, by its words and
    by its clause's meaning: the number it states is not the one asked for."""
    if query.intent not in NUMERIC or quoted.coverage is None or quoted.strong(t.min_fact_coverage, t):
        return None
    return Reason("off_subject", "reason_weak", {})


def out_of_library(best: Signals, t: Abstention) -> Reason | None:
    """Much of the question is about things no loaded text mentions (火星基地, 宇航员), and the best clause
    is not close in meaning either: the library does not cover the topic."""
    floor = t.unknown_cosine if best.same_language else t.min_cosine_cross
    if best.unknown >= t.max_unknown and (best.cosine is None or best.cosine < floor):
        return Reason("out_of_library", "reason_weak", {})
    return None
