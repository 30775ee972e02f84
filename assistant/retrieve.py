"""Hybrid retrieval: BM25 over clauses and Chroma's dense ranking, fused, then scored feature by feature.

Candidates come from three rankings fused by reciprocal rank: BM25 on the question's words, BM25 on their
glossary equivalents, and the dense cosine of multilingual-e5 (which reads Chinese and English alike). Each
candidate is then scored by a weighted sum of: how much of the question's concepts its best window holds
(IDF-weighted, counted only over concepts that have a form in the clause's language), its dense cosine, its
fused rank, whether it states what the question asks for, and whether it is the document or place the
question names. Every weight is in ``assistant.tuning``.
"""
from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.embed import readable
from index.glossary import load_glossary
from index.lexical import LexicalIndex, tokenize, tokenizer_signature, words
from index.sentences import windows
from index.places import covers, place_names
from index.store import Snapshot

from .asks import answers
from .query import Query, analyze
from .tuning import DEFAULT, Ranking
from .types import Hit

OVERFETCH = 4  # dense search: nearest windows fetched unfiltered, at most this many times those wanted
# The vector store's search runs here while the lexical side is scored. The question is embedded before either:
# the model then has every free core to itself (index.embed.E5Embeddings), and halves its time.
_DENSE = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dense")


@dataclass(frozen=True)
class Candidate:
    """One clause of the pool and its features, each 0..1 (``coverage`` None when the question has no concept)."""

    index: int              # position in the snapshot's clauses
    coverage: float | None  # IDF-weighted share of the question's concepts in the clause's best window
    cosine: float | None    # dense cosine of question and clause (None: not among the nearest windows)
    dense: float            # the cosine scaled between the pool's floor and its best, times the dense weight
    fused: float            # reciprocal-rank fusion of the rankings, scaled by the best
    evidence: bool          # the window states what the question asks for
    place: bool             # the document is of the place the question names
    named: bool             # the question names the document
    same_language: bool     # clause and question are in the same language
    ranks: dict             # rank in each ranking that found it

    def why(self) -> dict:
        return {**self.ranks, "coverage": None if self.coverage is None else round(self.coverage, 3),
                "cosine": None if self.cosine is None else round(self.cosine, 4), "evidence": self.evidence}


def score(c: Candidate, t: Ranking) -> float:
    """A candidate's final score: the weighted sum of its features. Across languages, word coverage rests on the
    glossary's translations and is trusted less; the dense model reads both languages."""
    cov = c.dense if c.coverage is None else c.coverage
    w_cov, w_dense = (t.coverage, t.dense) if c.same_language else (t.coverage_cross, t.dense_cross)
    return (w_cov * cov + w_dense * c.dense + t.fused * c.fused + t.evidence * c.evidence
            + t.place * c.place + t.named * c.named)


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over one index snapshot; ``search`` is the typed entry point."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    snapshot: Any
    collection: Any = None  # the build's Chroma collection of clause windows
    embedder: Any = None
    k: int = 10
    glossary: Any = None   # the Glossary queries are analysed with (default: data/glossary)
    tuning: Any = None     # assistant.tuning.Ranking
    lexical: Any = None
    _windows: dict = {}
    _position: dict = {}
    _library: str = ""
    _mentioned: dict = {}
    _regions: dict = {}
    _covering_cache: dict = {}
    _doc_ids: list = []
    _clause_doc: Any = None

    def model_post_init(self, _context) -> None:
        self.glossary = self.glossary or load_glossary()
        self.tuning = self.tuning or DEFAULT.ranking
        snap = self.snapshot
        saved = snap.folder / "lexical" if snap.folder else None
        if saved and saved.is_dir() and snap.tokenizer == tokenizer_signature():
            self.lexical = LexicalIndex.load(saved)  # built with the index: no re-tokenising at start
        else:
            self.lexical = LexicalIndex.build([c.framed() for c in snap.clauses])
        self._windows = {}   # clause position → its windows, made when the clause first becomes a candidate
        self._position = {c.id: i for i, c in enumerate(snap.clauses)}
        self._library = "\n".join(c.framed().lower() for c in snap.clauses)
        self._mentioned = {}  # form → does any loaded text hold it
        self._regions = {d.id: d.region for d in snap.documents}
        self._covering_cache = {}  # places → the documents that apply there
        # each clause's document as a position, so a question's document filter is one array look-up
        self._doc_ids = [d.id for d in snap.documents]
        position = {d: k for k, d in enumerate(self._doc_ids)}
        self._clause_doc = np.array([position[c.document_id] for c in snap.clauses], dtype=np.int32)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None) -> list[LCDocument]:
        """LangChain's entry point: ``invoke(question)`` or ``invoke(question, k=3)``."""
        return [LCDocument(page_content=h.clause.text, id=h.clause.id,
                           metadata={"clause_id": h.clause.id, "document_id": h.clause.document_id,
                                     "clause_path": h.clause.path_text, "score": h.score})
                for h in self.search(self.prepare(analyze(query, self.glossary)), k or self.k)]

    def prepare(self, query: Query, documents: list[str] | None = None, regions: list[str] | None = None) -> Query:
        """The query to search with: fully translated when only documents in the other language can answer."""
        allowed = self._allowed(query, documents, regions)
        candidates = [d for d in self.snapshot.documents if d.id in allowed]
        named = named_documents(query.text, candidates)
        languages = {d.language for d in candidates if not named or d.id in named}
        if query.language == "zh" and languages == {"en"}:
            query = analyze(query.text, self.glossary, translate=True)
        if named:
            # "2021-2025年行动计划" picks the document; those words are not what the clause must say
            naming = set().union(*(_title_tokens(_title(d)) for d in candidates if d.id in named))
            kept = [i for i, h in enumerate(query.heads) if h not in naming]
            query = replace(query, heads=tuple(query.heads[i] for i in kept),
                            groups=tuple(query.groups[i] for i in kept), glossed=tuple(query.glossed[i] for i in kept))
        return query

    def search(self, query: Query, k: int = 10, documents: list[str] | None = None,
               regions: list[str] | None = None) -> list[Hit]:
        """The ``k`` best clauses: candidates from the fused rankings, each scored by its features."""
        found = self.candidates(query, documents, regions)
        scored = sorted(((score(c, self.tuning), c) for c in found), key=lambda x: -x[0])[:k]
        return [Hit(self.snapshot.clauses[c.index], s, r + 1, c.why()) for r, (s, c) in enumerate(scored)]

    def candidates(self, query: Query, documents: list[str] | None = None,
                   regions: list[str] | None = None) -> list["Candidate"]:
        """The candidate pool (the top of each ranking, fused by reciprocal rank) with every feature scored."""
        t: Ranking = self.tuning
        snap: Snapshot = self.snapshot
        allowed = self._allowed(query, documents, regions)
        weight, vector = self._embed(query)
        dense = _DENSE.submit(self._cosines, vector, allowed)
        mask = self._held(allowed)
        expansion = self.lexical.scores(list(query.expansion))
        lexical = np.where(mask, self.lexical.scores(list(query.core)) + t.expansion_weight * expansion, 0.0)
        bm25, glossary = _ranked(lexical, t.pool), _ranked(np.where(mask, expansion, 0.0), t.pool)
        covered = Coverage(query, self.concept_weights(query), t.synonym, t.translation)
        # what does not need the dense ranking is worked out while the vector store searches
        features = {i: self._features(query, i, covered) for i in (*bm25, *glossary)}
        specific = self._most_specific(query, allowed)
        named = named_documents(query.text, [d for d in snap.documents if d.id in allowed])
        cosines = dense.result()
        dense_ranked = sorted(cosines, key=lambda i: -cosines[i])
        rankings = {"bm25": (1.0, bm25), "glossary": (t.glossary_rank_weight, glossary),
                    "dense": (weight * t.dense_rank_weight, dense_ranked)}
        rrf: dict[int, float] = {}
        ranks: dict[int, dict] = {}
        for name, (w, ranked) in rankings.items():
            for rank, i in enumerate(ranked[:t.pool]):
                rrf[i] = rrf.get(i, 0.0) + w / (t.rrf_k + rank + 1)
                ranks.setdefault(i, {})[name] = rank + 1
        if not rrf:
            return []
        top_rrf = max(rrf.values())
        floor = min(cosines.values()) if cosines else 0.0
        top_cos = max(cosines.values()) if cosines else 0.0
        out = []
        for i, r in rrf.items():
            clause = snap.clauses[i]
            cov, evidence = features[i] if i in features else self._features(query, i, covered)
            cos = cosines.get(i, floor)
            out.append(Candidate(
                index=i, coverage=cov, cosine=cos if i in cosines else None,
                dense=weight * ((cos - floor) / (top_cos - floor) if top_cos > floor else 0.0),
                fused=r / top_rrf, evidence=evidence, place=clause.document_id in specific,
                named=clause.document_id in named, same_language=clause.language == query.language,
                ranks=ranks[i]))
        return out

    def _features(self, query: Query, i: int, covered: "Coverage") -> tuple[float | None, float]:
        """Coverage of the question and evidence of what it asks for, in clause ``i``'s best window."""
        return max(((covered(w), answers(query.intent, w, query.paid_as)) for w in self.windows(i)),
                   key=lambda x: (x[0] or 0.0, x[1]))

    def windows(self, i: int) -> list[str]:
        """The lower-cased windows of clause ``i`` under its headings. Coverage is judged window by window, so
        a 3,000-character paragraph does not "cover" a question by holding its words in unrelated sentences."""
        found = self._windows.get(i)
        if found is None:
            c = self.snapshot.clauses[i]
            found = self._windows[i] = [c.framed(w).lower() for w in windows(c.text, self.tuning.window)]
        return found

    def mentioned(self, form: str) -> bool:
        """Does any loaded text hold ``form`` (lower-cased), as a word or inside one? Remembered per form."""
        found = self._mentioned.get(form)
        if found is None:
            if len(self._mentioned) > 100_000:
                self._mentioned.clear()
            found = self._mentioned[form] = form in self._library
        return found

    def absent_terms(self, query: Query) -> list[str]:
        """Question words the glossary knows as domain terms but no loaded policy mentions in any form:
        the library does not cover that topic. (Colloquial words are unknown to the glossary too, so
        they never count here.)"""
        return [head for head, group, known in zip(query.heads, query.groups, query.glossed)
                if known and _content(group) and not any(self.mentioned(t) for t in group)]

    def concept_weights(self, query: Query, absent: bool = False) -> list[float]:
        """IDF of each question concept: of the word as asked when the library uses it, else of its most
        common glossary form, else the median. A concept no loaded text holds in any form cannot tell clauses
        apart ("我开了家…" is how the asker talks): it weighs nothing for ranking, and the median when
        ``absent`` is set, for judging how much of the question a clause answers (火星基地 is not covered)."""
        out: list[float | None] = []
        for head, group in zip(query.heads, query.groups):
            if not any(self.mentioned(t) for t in group):
                out.append(None if absent else 0.0)
                continue
            own = self.lexical.idf(head)
            forms = [v for v in (self.lexical.idf(t) for t in group) if v is not None]
            out.append(own if own is not None else (min(forms) if forms else None))
        known = [v for v in out if v]
        default = float(np.median(known)) if known else 1.0
        return [default if v is None else v for v in out]

    # -- parts ---------------------------------------------------------------------------------
    def _dense(self, query: Query, allowed: set[str]) -> tuple[float, dict[int, float]]:
        """The dense ranking's weight and each clause's best window cosine (``_embed`` then ``_cosines``)."""
        weight, vector = self._embed(query)
        return weight, self._cosines(vector, allowed)

    def _embed(self, query: Query) -> tuple[float, list[float] | None]:
        """The dense ranking's weight (how much of the question the model reads) and the question's vector."""
        if self.collection is None or self.embedder is None:
            return 0.0, None
        text = query.text
        unknown = 1.0 - readable(self.embedder, text)
        if unknown > 0.3 and query.english_terms:
            text = " ".join(query.english_terms)  # let an English-only model read the glossary's translation
            unknown = 1.0 - readable(self.embedder, text)
        weight = max(0.0, 1.0 - 1.5 * unknown)
        return (weight, self.embedder.embed_query(text)) if weight > 0.0 else (0.0, None)

    def _cosines(self, vector: list[float] | None, allowed: set[str]) -> dict[int, float]:
        """Each clause's best window cosine among the ``dense_pool`` windows nearest ``vector``."""
        cosines: dict[int, float] = {}
        if vector is None:
            return cosines
        for i, distance in self._nearest(vector, allowed, self.tuning.dense_pool):
            if i not in cosines:  # a clause keeps its best window
                cosines[i] = 1.0 - distance
        return cosines

    def _nearest(self, vector: list[float], allowed: set[str], n: int) -> list[tuple[int, float]]:
        """The ``n`` windows of the allowed documents nearest ``vector``: (clause position, cosine distance),
        nearest first.

        A filter costs the vector store a scan of the rows it matches (16 ms on 3,000 windows, 40 ms on 54,000,
        against 4 ms without), so when the allowed documents hold a fair share of the library, the nearest
        windows of all of them are fetched (at most ``OVERFETCH`` times ``n``) and the others dropped; the
        filter is asked for only when that leaves fewer than ``n``."""
        def query(count: int, where=None) -> list[tuple[int, float]]:
            # ids and distances only: a window's id names its clause ("doc:art42#w0"), and fetching metadata
            # would cost more than the search itself
            found = self.collection.query(query_embeddings=[vector], n_results=count, where=where,
                                          include=["distances"])
            out = []
            for wid, distance in zip(found["ids"][0], found["distances"][0]):
                i = self._position.get(wid.rsplit("#w", 1)[0])
                if i is not None:
                    out.append((i, float(distance)))
            return out

        if len(allowed) == len(self._doc_ids):
            return query(n)
        held = self._held(allowed)
        share = held.mean() if len(held) else 0.0
        if share * OVERFETCH > 1.0:
            near = [(i, d) for i, d in query(min(OVERFETCH * n, math.ceil(1.2 * n / share))) if held[i]]
            if len(near) >= n:
                return near[:n]
        return query(n, {"document_id": {"$in": sorted(allowed)}})

    def _held(self, allowed: set[str]) -> np.ndarray:
        """For each clause, whether its document is allowed: one look-up per document, not per clause."""
        return np.fromiter((d in allowed for d in self._doc_ids), bool, len(self._doc_ids))[self._clause_doc]

    def _allowed(self, query: Query, documents: list[str] | None, regions: list[str] | None) -> set[str]:
        allowed = {d for d, region in self._regions.items() if (not documents or d in documents)
                   and (not regions or region in regions)}
        if not query.places or not self._scoped(query):
            return allowed
        return (allowed & self._covering(query.places)) or allowed

    def _covering(self, places: tuple[str, ...]) -> frozenset[str]:
        """The documents whose region applies to any of ``places`` (remembered per set of places)."""
        found = self._covering_cache.get(places)
        if found is None:
            found = self._covering_cache[places] = frozenset(d for d, region in self._regions.items()
                                                             if covers(region, places))
        return found

    def _scoped(self, query: Query) -> bool:
        """Do the places name where the question applies? Not when some of them are covered by no loaded
        policy beside others that are: then they are listed as content ("北京、上海、浙江等省市")."""
        covered = [bool(self._covering((p,))) for p in query.places]
        return all(covered) or not any(covered)

    def _most_specific(self, query: Query, allowed: set[str]) -> set[str]:
        if not self._scoped(query):
            return set()
        g = load_glossary()
        names = {a for p in query.places for a in place_names(g, p)}
        return {d.id for d in self.snapshot.documents if d.id in allowed and d.region in names}


def _ranked(scores: np.ndarray, n: int) -> list[int]:
    """Positions of the ``n`` best positive scores, best first: a partial sort, as only the top is used."""
    top = np.argpartition(-scores, n)[:n] if n < len(scores) else np.arange(len(scores))
    top = top[scores[top] > 0]
    return [int(i) for i in top[np.argsort(-scores[top], kind="stable")]]


def coverage(query: Query, text: str, weights: list[float] | None = None,
             synonym: float = DEFAULT.ranking.synonym, translation: float = DEFAULT.ranking.translation
             ) -> float | None:
    """Weighted share of the question's concepts found in ``text`` (lower-cased), in any of their forms
    (across languages only through the glossary's translations); None when the question has no concept."""
    return Coverage(query, weights, synonym, translation)(text)


class Coverage:
    """``coverage`` of one question, prepared once for the many windows it is measured on: each concept's
    weight, the word asked, its same-language synonyms and its translations."""

    def __init__(self, query: Query, weights: list[float] | None = None,
                 synonym: float = DEFAULT.ranking.synonym, translation: float = DEFAULT.ranking.translation):
        zh = query.language == "zh"
        weights = weights or [1.0] * len(query.groups)
        self._concepts = [(w, head, tuple(t for t in g if t.isascii() != zh),
                           tuple(t for t in g if t.isascii() == zh))
                          for head, g, w in zip(query.heads, query.groups, weights) if _content(g)]
        self._total = sum(w for w, *_ in self._concepts)
        self._synonym, self._translation = synonym, translation

    def __call__(self, text: str) -> float | None:
        if not self._total:
            return None
        found = 0.0
        for w, head, same, other in self._concepts:
            if head in text:
                found += w
            elif any(t in text for t in same):
                found += self._synonym * w  # a same-language synonym: a looser match than the word asked
            elif any(t in text for t in other):
                found += self._translation * w
        return found / self._total


def _content(group: frozenset[str]) -> bool:
    return any(len(t) > 1 or t.isdigit() for t in group)


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def named_documents(question: str, documents) -> set[str]:
    """Documents the question points at by a year of their title or date, or a word only their title has."""
    if not documents:
        return set()
    years = set(_YEAR.findall(question))
    q_tokens = set(tokenize(question))
    distinctive = max(1, len(documents) // 3)  # a title word shared by more titles names none of them
    scores = {}
    for doc_id, (title_years, tokens, df) in _title_index(tuple((d.id, _title(d)) for d in documents)).items():
        word_hits = sum(1 for t in q_tokens & tokens if df[t] <= distinctive and len(t) > 1)
        scores[doc_id] = 2 * len(years & title_years) + word_hits
    best = max(scores.values())
    return {i for i, v in scores.items() if v == best and v >= 2}


def _title(d) -> str:
    return f"{d.title} {d.title_translated or ''} {d.doc_number or ''} {d.date or ''}"


@lru_cache(maxsize=8)
def _title_index(titles: tuple[tuple[str, str], ...]) -> dict[str, tuple[set[str], set[str], dict[str, int]]]:
    """Per (document id, title): the years of its title and date, its title tokens, how many titles hold each."""
    tokens = {i: set(tokenize(title)) - set(_YEAR.findall(title)) for i, title in titles}
    df: dict[str, int] = {}
    for toks in tokens.values():
        for t in toks:
            df[t] = df.get(t, 0) + 1
    return {i: (set(_YEAR.findall(title)), tokens[i], df) for i, title in titles}


@lru_cache(maxsize=256)
def _title_tokens(title: str) -> set[str]:
    return set(tokenize(title)) | set(words(title)) | set(_YEAR.findall(title))
