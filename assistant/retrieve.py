"""Hybrid retrieval: BM25 over clauses fused with Chroma's dense ranking by reciprocal rank fusion.

The default embedding model is English-only and turns most Chinese into [UNK]; the dense ranking then
says nothing, so its weight follows how much of the question the model can actually read.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.embed import readable
from index.glossary import load_glossary
from index.lexical import LexicalIndex, tokenize, words
from index.sentences import windows
from index.store import Snapshot
from index.types import Clause

from index.places import covers, place_names

from .query import INTENT_EVIDENCE, Query, analyze
from .types import Hit

RRF_K = 60
EXPANSION_WEIGHT = 0.4
DENSE_WINDOWS = 40
POOL = 40             # candidates taken from each ranking
DENSE_WEIGHT = 0.3    # RRF weight of the dense ranking when the model can read the whole question
GLOSSARY_WEIGHT = 0.5 # RRF weight of the ranking by glossary expansions alone (synonyms, translations)
RRF_SHARE = 0.5       # weight of the fused rank against concept coverage (which ranges 0..1)
SPECIFIC_BONUS = 0.1  # a Nansha question prefers the Nansha text over the provincial plan
TRANSLATION = 0.8     # …and for one found only through a translation into the other language
SYNONYM = 0.6         # credit for a concept found through a synonym rather than the word asked
WINDOW = 400          # characters of a clause window judged for coverage
INTENT_BONUS = 0.1    # the window holds what the question asks for (a number of days, an amount, a unit)
NAMED_BONUS = 0.15    # the question names the document ("2024年行动方案", "the 2021-2025 plan")


def framed(clause: Clause, body: str | None = None) -> str:
    """A clause's text (or part of it) under its path and units: the headings carry the topic."""
    return "\n".join([clause.path_text, " ".join(clause.units), clause.text if body is None else body])


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over one index snapshot; ``search`` is the typed entry point."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    snapshot: Any
    vectorstore: Any = None
    embedder: Any = None
    k: int = 10
    glossary: Any = None   # the Glossary queries are analysed with (default: data/glossary)
    lexical: Any = None
    _windows: list = []
    _position: dict = {}
    _library: str = ""

    def model_post_init(self, _context) -> None:
        self.glossary = self.glossary or load_glossary()
        texts = [framed(c) for c in self.snapshot.clauses]
        self.lexical = LexicalIndex(texts)
        # coverage is judged on one window of a long clause, so a 3,000-character paragraph does not
        # "cover" a question by holding its words in unrelated sentences
        self._windows = [[framed(c, w).lower() for w in windows(c.text, WINDOW)] for c in self.snapshot.clauses]
        self._position = {c.id: i for i, c in enumerate(self.snapshot.clauses)}
        self._library = "\n".join(w for ws in self._windows for w in ws)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun
                                ) -> list[LCDocument]:
        return [LCDocument(page_content=h.clause.text, id=h.clause.id,
                           metadata={"clause_id": h.clause.id, "document_id": h.clause.document_id,
                                     "clause_path": h.clause.path_text, "score": h.score})
                for h in self.search(self.prepare(analyze(query, self.glossary)), self.k)]

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
            naming = set().union(*(_title_tokens(d) for d in candidates if d.id in named))
            kept = [i for i, h in enumerate(query.heads) if h not in naming]
            query = replace(query, heads=tuple(query.heads[i] for i in kept),
                            groups=tuple(query.groups[i] for i in kept), glossed=tuple(query.glossed[i] for i in kept))
        return query

    def search(self, query: Query, k: int = 10, documents: list[str] | None = None,
               regions: list[str] | None = None) -> list[Hit]:
        """Fuse BM25 and dense by RRF into a candidate pool, then rank it by concept coverage."""
        snap: Snapshot = self.snapshot
        allowed = self._allowed(query, documents, regions)
        mask = np.array([c.document_id in allowed for c in snap.clauses])
        lexical = np.where(mask, self.lexical.scores(list(query.core))
                           + EXPANSION_WEIGHT * self.lexical.scores(list(query.expansion)), 0.0)
        translated = np.where(mask, self.lexical.scores(list(query.expansion)), 0.0)
        weight, dense = self._dense(query, allowed)
        rankings = {"bm25": (1.0, _ranked(lexical)), "glossary": (GLOSSARY_WEIGHT, _ranked(translated)),
                    "dense": (weight, dense)}
        rrf: dict[int, float] = {}
        why: dict[int, dict] = {}
        for name, (w, ranked) in rankings.items():
            for rank, i in enumerate(ranked[:POOL]):
                rrf[i] = rrf.get(i, 0.0) + w / (RRF_K + rank + 1)
                why.setdefault(i, {})[name] = rank + 1
        if not rrf:
            return []
        top_rrf = max(rrf.values())
        weights = self.concept_weights(query)
        specific = self._most_specific(query, allowed)
        named = named_documents(query.text, [d for d in snap.documents if d.id in allowed])
        evidence = INTENT_EVIDENCE.get(query.intent) if query.intent else None
        final = {}
        for i, r in rrf.items():
            clause = snap.clauses[i]
            cov = max(coverage(query, w, weights) + (INTENT_BONUS if evidence and evidence.search(w) else 0.0)
                      for w in self._windows[i])
            final[i] = (cov + RRF_SHARE * r / top_rrf + (SPECIFIC_BONUS if clause.document_id in specific else 0.0)
                        + (NAMED_BONUS if clause.document_id in named else 0.0))
            why[i]["coverage"] = round(cov, 3)
        order = sorted(final, key=lambda i: -final[i])[:k]
        return [Hit(snap.clauses[i], final[i], r + 1, why[i]) for r, i in enumerate(order)]

    def absent_terms(self, query: Query) -> list[str]:
        """Question words the glossary knows as domain terms but no loaded policy mentions in any form:
        the library does not cover that topic. (Colloquial words are unknown to the glossary too, so
        they never count here.)"""
        return [head for head, group, known in zip(query.heads, query.groups, query.glossed)
                if known and _content(group) and not any(t in self._library for t in group)]

    def concept_weights(self, query: Query) -> list[float]:
        """IDF of each question concept: of the word as asked when the library uses it, else of its most
        common glossary form; concepts the library never uses get the median weight."""
        out: list[float | None] = []
        for head, group in zip(query.heads, query.groups):
            own = self.lexical.idf(head)
            forms = [v for v in (self.lexical.idf(t) for t in group) if v is not None]
            out.append(own if own is not None else (min(forms) if forms else None))
        known = [v for v in out if v is not None]
        default = float(np.median(known)) if known else 1.0
        return [default if v is None else v for v in out]

    # -- parts ---------------------------------------------------------------------------------
    def _dense(self, query: Query, allowed: set[str]) -> tuple[float, list[int]]:
        if self.vectorstore is None or self.embedder is None:
            return 0.0, []
        text = query.text
        unknown = 1.0 - readable(self.embedder, text)
        if unknown > 0.3 and query.english_terms:
            text = " ".join(query.english_terms)  # let the English model read the glossary's translation
            unknown = 1.0 - readable(self.embedder, text)
        weight = DENSE_WEIGHT * max(0.0, 1.0 - 1.5 * unknown)
        if weight == 0.0:
            return 0.0, []
        where = {"document_id": {"$in": sorted(allowed)}}
        results = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            self.embedder.embed_query(text), k=DENSE_WINDOWS, filter=where)
        # windows → their clauses, best window first
        ranked = [self._position[doc.metadata["clause_id"]] for doc, _ in results
                  if doc.metadata.get("clause_id") in self._position]
        return weight, list(dict.fromkeys(ranked))

    def _allowed(self, query: Query, documents: list[str] | None, regions: list[str] | None) -> set[str]:
        docs = self.snapshot.documents
        allowed = {d.id for d in docs if (not documents or d.id in documents)
                   and (not regions or d.region in regions)}
        if not query.places or not self._scoped(query):
            return allowed
        covering = {d.id for d in docs if covers(d.region, query.places)}
        return (allowed & covering) or allowed

    def _scoped(self, query: Query) -> bool:
        """Do the places name where the question applies? Not when some of them are covered by no loaded
        policy beside others that are: then they are listed as content ("北京、上海、浙江等省市")."""
        covered = [any(covers(d.region, (p,)) for d in self.snapshot.documents) for p in query.places]
        return all(covered) or not any(covered)

    def _most_specific(self, query: Query, allowed: set[str]) -> set[str]:
        if not self._scoped(query):
            return set()
        g = load_glossary()
        names = {a for p in query.places for a in place_names(g, p)}
        return {d.id for d in self.snapshot.documents if d.id in allowed and d.region in names}


def _ranked(scores: np.ndarray) -> list[int]:
    return [int(i) for i in np.argsort(-scores) if scores[i] > 0]


def coverage(query: Query, text: str, weights: list[float] | None = None) -> float:
    """Weighted share of the question's concepts found in ``text`` (lower-cased), in any of their forms."""
    groups = query.groups
    weights = weights or [1.0] * len(groups)
    total = sum(w for g, w in zip(groups, weights) if _content(g))
    if not total:
        return 0.0
    zh = query.language == "zh"
    found = 0.0
    for head, g, w in zip(query.heads, groups, weights):
        if not _content(g):
            continue
        if head in text:
            found += w
        elif any(t in text for t in g if t.isascii() != zh):
            found += SYNONYM * w  # a same-language synonym: a looser match than the word asked
        elif any(t in text for t in g):
            found += TRANSLATION * w
    return found / total


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
    for doc_id, (title_years, tokens, df) in _title_index(tuple(documents)).items():
        word_hits = sum(1 for t in q_tokens & tokens if df[t] <= distinctive and len(t) > 1)
        scores[doc_id] = 2 * len(years & title_years) + word_hits
    best = max(scores.values())
    return {i for i, v in scores.items() if v == best and v >= 2}


def _title(d) -> str:
    return f"{d.title} {d.title_translated or ''} {d.doc_number or ''} {d.date or ''}"


@lru_cache(maxsize=8)
def _title_index(documents: tuple) -> dict[str, tuple[set[str], set[str], dict[str, int]]]:
    """Per document: the years of its title and date, its title tokens, and how many titles hold each."""
    tokens = {d.id: set(tokenize(_title(d))) - set(_YEAR.findall(_title(d))) for d in documents}
    df: dict[str, int] = {}
    for toks in tokens.values():
        for t in toks:
            df[t] = df.get(t, 0) + 1
    return {d.id: (set(_YEAR.findall(_title(d))), tokens[d.id], df) for d in documents}


@lru_cache(maxsize=64)
def _title_tokens(d) -> set[str]:
    text = _title(d)
    return set(tokenize(text)) | set(words(text)) | set(_YEAR.findall(text))
