"""Every ranking, composing and abstention constant, in one typed and documented place.

Calibrated on the calibration questions only (eval/questions.jsonl on the built-in texts and the calibrate half of
the corpus-dev set): the ranking weights with ``scripts/calibrate.py``, the composing and abstention constants with
``python -m assistant eval --suite builtin --suite corpus-dev-calibrate``. The reported half of the corpus-dev set
and the held-out set were never used to choose them. Change a value here, re-run both, and say so.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ranking:
    """Hybrid retrieval: BM25 over jieba words, BM25 over glossary expansions and dense cosine, fused."""

    rrf_k: int = 60                 # reciprocal rank fusion constant
    pool: int = 40                  # candidates each ranking contributes
    dense_pool: int = 100           # clause windows asked of Chroma; the rest get the last one's cosine
    expansion_weight: float = 0.4   # BM25 weight of glossary expansion tokens beside the question's own
    glossary_rank_weight: float = 0.5  # RRF weight of the ranking by expansion tokens alone
    dense_rank_weight: float = 1.0  # RRF weight of the dense ranking when the model reads the whole question
    # final score of a candidate = the weighted sum of these features (each 0..1)
    coverage: float = 1.0           # IDF-weighted share of the question's concepts in the clause's best window
    dense: float = 0.45             # dense cosine, scaled between the pool's floor and its best
    coverage_cross: float = 1.0     # coverage when question and clause differ in language (through translations)
    dense_cross: float = 1.0        # …and the dense cosine then: it reads both languages, so it counts more
    fused: float = 0.5              # fused rank (RRF), scaled by the best
    evidence: float = 0.5           # the window states what the question asks for (a duration, an amount…)
    place: float = 0.1              # the document is of the place the question names (南沙 over 广东)
    named: float = 0.5              # the question names the document ("2024年行动方案", "药品进口管理办法")
    synonym: float = 0.6            # credit for a concept found through a same-language synonym
    translation: float = 0.8        # …and through a translation into the other language
    window: int = 400               # characters of a clause window judged for coverage


@dataclass(frozen=True)
class Composing:
    """The extractive composer: which sentences of the best clauses are quoted."""

    candidates: int = 3             # clauses whose sentences compete for the answer
    rank_weight: float = 2.0        # weight of a clause's retrieval score when choosing among their sentences
    sentence_coverage: float = 0.5  # weight of the sentence's own concept coverage
    clause_coverage: float = 0.3    # weight of its clause's coverage
    evidence: float = 0.4           # bonus of a sentence stating what is asked
    same_clause_ratio: float = 0.9  # a second sentence of the best clause is quoted when it scores this close
    second_ratio: float = 0.6       # a two-part question quotes a second document when it scores this close
    min_gain: float = 0.15          # …or a second clause covering this much of what the first left open
    lead_max: int = 160             # characters: an item's lead sentence ("有下列情形之一的，处…：") is quoted with it


@dataclass(frozen=True)
class Abstention:
    """When the evidence is too weak to answer (each rule a named check in ``assistant.checks``)."""

    min_coverage: float = 0.3       # share of the question's concepts the best clause must hold…
    min_cosine: float = 0.95        # …unless the dense cosine of question and clause is at least this
    min_cosine_cross: float = 0.78  # …or this, when they differ in language (cross-lingual cosines run lower)
    min_fact_coverage: float = 0.35 # for a number question, the quoted sentence with its headings
    max_unknown: float = 0.5        # share of the question no loaded text mentions, beyond which…
    unknown_cosine: float = 0.85    # …the best clause must be at least this close in meaning (same language)


@dataclass(frozen=True)
class Tuning:
    ranking: Ranking = field(default_factory=Ranking)
    composing: Composing = field(default_factory=Composing)
    abstention: Abstention = field(default_factory=Abstention)


DEFAULT = Tuning()
