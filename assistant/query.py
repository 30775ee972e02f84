"""Question → Query: language, the kind of answer it wants, the places it names, its concepts and their
glossary equivalents (synonyms, EN↔ZH terms)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.glossary import Glossary, load_glossary
from index.places import find_places, place_index, place_names
from index.lexical import stem, tokenize, words

from .asks import asks, cue_spans, role

# A question comparing two things or places wants one quote for each.
_COMPARE = re.compile(r"比较|对比|相比|区别|差别|分别|各自|和.{1,12}(?:哪个|谁)|compare|comparison|versus|"
                      r"\bvs\.?\b|difference|differ|\bboth\b|\beach\b|,\s*and (?:how|what|which|when|who)", re.I)


@dataclass(frozen=True)
class Query:
    text: str
    language: str
    core: tuple[str, ...]                     # tokens of the question itself
    expansion: tuple[str, ...]                # tokens added from the glossary
    groups: tuple[frozenset[str], ...]        # per question word: it and its glossary equivalents
    heads: tuple[str, ...]                    # the question word each group stands for
    glossed: tuple[bool, ...]                 # …and whether the glossary knows that word
    places: tuple[str, ...]                   # canonical names of the places it names
    intent: str | None                        # the kind of answer asked for (assistant.asks)
    paid_as: str | None                       # for an amount: paid as a reward, fine, compensation or fee
    compare: bool
    english_terms: tuple[str, ...]            # English glossary terms (lets dense search read Chinese)


def language_of(text: str) -> str:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk and cjk * 3 >= latin * 0.5 else "en"


def analyze(text: str, glossary: Glossary | None = None, translate: bool = False) -> Query:
    """Analyse a question; ``translate`` also renders a Chinese question word by word in English (for
    when only English documents can answer it)."""
    g = glossary or load_glossary()
    lang = language_of(text)
    low = text.lower()
    core = tokenize(text)
    # the words that say what kind of answer is wanted ("多久", "哪个部门") are not the subject
    intent = asks(text)
    subject = text
    for start, end in reversed(cue_spans(text, intent)):
        subject = subject[:start] + " " + subject[end:]
    concepts = words(subject)
    # coverage matches by substring: an English stem ending in y must also match its plural (county/counties)
    equivalents: dict[str, set[str]] = {t: {t, t[:-1] + "ies"} if t.isascii() and t.endswith("y") else {t}
                                        for t in concepts}
    expansion: list[str] = []
    english: list[str] = []
    glossed: set[str] = set()  # question words the glossary recognised

    def add(matched: str, alternatives: list[str]) -> None:
        toks = [t for alt in alternatives for t in tokenize(alt)]
        expansion.extend(toks)
        # every question word inside the matched phrase (or holding it) may appear as any alternative
        for t in concepts:
            if t in matched or matched in t:
                # whole alternatives only: tokens of "class 2 medical device" ("2", "class") would let
                # any text with a 2 in it "cover" 二类医疗器械 (the tokens still feed BM25 above)
                equivalents[t].update(a.lower() for a in alternatives)
                if t in matched:  # the word is (part of) a term the glossary knows, not merely holds one
                    glossed.add(t)

    synonyms, terms = _shortlists(g)
    for group in synonyms.rows(low):
        hit = _longest_in(low, group)
        if hit:
            add(hit, [a for a in group if a != hit])
    for zh, en in terms.rows(low):
        hit_zh, hit_en = _longest_in(low, zh), _longest_en(low, en)
        if hit_zh:
            add(hit_zh, list(en))
            english.extend(en[:1])
        elif hit_en:
            add(hit_en, list(zh) + [e for e in en if e != hit_en])
    # single English words get their Chinese renderings. The reverse only on request: measured on the
    # question set, giving every Chinese question all English renderings pulls it to English documents.
    by_stem, by_zh = _lexicon_index(g)
    if lang == "en":
        for t in concepts:
            if t in by_stem:
                add(t, list(by_stem[t]))
    elif translate:
        for zh_word, en_words in by_zh.items():
            if zh_word in text:
                add(zh_word, list(en_words))
                english.extend(en_words[:1])
    places = find_places(low, g)
    for name in places:
        row = place_index(g).get(name)
        add(name, [r for r in row.region.split("|") if r] if row else [])
    # A named place is a filter on documents (see retrieve), not a concept a clause must repeat.
    place_words = {w.lower() for p in places for w in place_names(g, p)}
    place_tokens = {t for w in place_words for t in tokenize(w)} | place_words
    kept = [t for t in dict.fromkeys(concepts) if t not in place_tokens]
    groups: dict[frozenset[str], str] = {}  # one group per distinct concept, with the word that stands for it
    for t in kept:
        groups.setdefault(frozenset(equivalents[t]), t)
    return Query(text=text, language=lang, core=tuple(core), expansion=tuple(expansion),
                 groups=tuple(groups), heads=tuple(groups.values()),
                 glossed=tuple(h in glossed for h in groups.values()),
                 places=tuple(places), intent=intent, paid_as=role(text, intent),
                 compare=bool(_COMPARE.search(text)),
                 english_terms=tuple(dict.fromkeys(english)))


class _Shortlist:
    """The glossary rows that can match a text, in their order: each row is filed under the first two characters
    of its Chinese forms and the first word of its English ones, so a question is checked against the few rows
    it shares a character pair or a word with, not against all of them."""

    def __init__(self, rows, forms=lambda row: row):
        self._rows = rows
        by_key: dict[str, list[int]] = {}
        for n, row in enumerate(rows):
            for key in {_key(f) for f in forms(row)}:
                by_key.setdefault(key, []).append(n)
        self._by_key = by_key

    def rows(self, low: str) -> list:
        keys = {low[i:i + 2] for i in range(len(low) - 1)} | {"w:" + w for w in _WORD.findall(low)} | {"*"}
        found = sorted({n for k in keys for n in self._by_key.get(k, ())})
        return [self._rows[n] for n in found]


_WORD = re.compile(r"[a-z0-9]+")


def _key(form: str) -> str:
    """A Chinese form is found only where its first two characters are; an English one only where its first
    word is (it matches whole words); anything else is always checked."""
    if not form.isascii():
        return form[:2]
    first = _WORD.match(form.lower())
    return "w:" + first.group() if first else "*"


@lru_cache(maxsize=4)
def _shortlists(g: Glossary) -> tuple[_Shortlist, _Shortlist]:
    """The synonym groups' shortlist and the EN↔ZH terms' (rows of ``_term_index``)."""
    return _Shortlist(g.synonyms), _Shortlist(_term_index(g), lambda row: (*row[0], *row[1]))


@lru_cache(maxsize=4)
def _term_index(g: Glossary):
    return tuple((tuple(z for z in zh if len(z) >= 2), tuple(e for e in en if len(e) >= 3)) for zh, en in g.terms)


@lru_cache(maxsize=4)
def _lexicon_index(g: Glossary) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """English stem → its Chinese renderings (inflections merge); Chinese word → its English words."""
    by_stem: dict[str, list[str]] = {}
    by_zh: dict[str, list[str]] = {}
    for en, zh in g.lexicon:
        known = by_stem.setdefault(stem(en), [])
        known.extend(z for z in zh if z not in known)
        for z in zh:
            if len(z) >= 2:
                by_zh.setdefault(z, []).append(en)
    return ({k: tuple(v) for k, v in by_stem.items()}, {k: tuple(v) for k, v in by_zh.items()})


def _longest_in(text: str, alternatives) -> str | None:
    found = [a for a in alternatives if len(a) >= 2 and not a.isascii() and a in text]
    found += [a for a in alternatives if a.isascii() and len(a) >= 3 and _word_in(a.lower(), text)]
    return max(found, key=len) if found else None


def _longest_en(text: str, alternatives) -> str | None:
    found = [a for a in alternatives if _word_in(a, text)]
    return max(found, key=len) if found else None


def _word_in(phrase: str, text: str) -> bool:
    if phrase not in text:  # cheap test first: the regex only confirms word boundaries
        return False
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None
