"""Question → Query: language, what kind of answer it wants, places it names, glossary expansions."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.glossary import Glossary, load_glossary
from index.places import find_places, place_index, place_names
from index.lexical import stem, tokenize, words

# What a question asks for, and what a sentence must contain to answer it.
INTENTS = {
    "days": (r"几个工作日|多少个?工作日|多少天|几天|多久|多长时间|时限|期限|几日|截止|哪一天|几月几日|几号|什么时候|何时|"
             r"how many (?:working |business )?days|how long|how often|deadline|time limit|within how|^\s*when\b|"
             r"what date|by when|截止时间|截止日期|时间是",
             r"\d+\s*个?工作日|\d+\s*日[内前]|\d+月\d+日|\d+\s*(?:working |business )?days|\d+个月|\d+年|时限|"
             r"每(?:季度|年|月|周)|quarter|annual"),
    "percent": (r"比例|百分之|多少%|几成|税率|费率|报销比例|\bpercent|\bratio\b|what share|what proportion|"
                r"loss tolerance|\brate\b",
                r"\d+(?:\.\d+)?\s*%|百分之|percent"),
    "amount": (r"多少钱|补多少|奖多少|奖励多少|资助多少|补贴多少|支持多少|多少万|多少资金|多少经费|经费|安家费|补贴标准|"
               r"奖励标准|收费标准|费用是|最高|最多|上限|额度|能补|能拿到|能获得|能得到|how much|maximum|\bcap\b|\bamount|how many yuan|funding|"
               r"what money|how big|how large|what size|"
               r"\bfees?\b|compensation|allowance|what (?:\w+ ){0,2}(?:subsidy|reward|grant)",
               r"\d[\d,.]*\s*(?:万|亿)?元|yuan|\d+\s*%|百分之"),
    "unit": (r"哪个部门|哪些部门|哪个单位|哪些单位|谁负责|谁牵头|牵头单位|责任单位|配合单位|负责单位|"
             r"which (?:department|unit|agency|bureau|authority|office)|who (?:is responsible|leads|takes the lead)|"
             r"\bresponsible|lead agency|led by",
             r"牵头单位|责任单位|配合单位|省[\u4e00-\u9fff]{1,10}?(?:厅|局|委)|区[\u4e00-\u9fff]{1,8}?局|\bled by\b|"
             r"take the lead|"
             r"responsib|(?:Department|Bureau|Commission|Administration|Office) of|Provincial \w+ (?:Bureau|Commission)"),
    "count": (r"多少家|多少个|几个|几家|多少项|多少件|how many|what number|达到多少|是多少|多少",
              r"\d|[一二三四五六七八九十两]+[个家项件所]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|"
              r"thirty|dozen|hundred|thousand)\b"),
}
_INTENT_Q = {k: re.compile(q, re.I) for k, (q, _) in INTENTS.items()}
INTENT_EVIDENCE = {k: re.compile(e, re.I) for k, (_, e) in INTENTS.items()}
_COMPARE = re.compile(r"比较|对比|相比|区别|差别|分别|各自|各定|各是|和.{1,12}(?:哪个|谁)|compare|comparison|versus|"
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
    intent: str | None
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
    # the cues that say what kind of answer is wanted ("多久", "最高…多少钱") are not the subject
    intent = _intent(text)
    concepts = words(_INTENT_Q[intent].sub(" ", text) if intent else text)
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
                glossed.add(t)

    for group in g.synonyms:
        hit = _longest_in(low, group)
        if hit:
            add(hit, [a for a in group if a != hit])
    for zh, en in _term_index(g):
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
                 places=tuple(places), intent=intent, compare=bool(_COMPARE.search(text)),
                 english_terms=tuple(dict.fromkeys(english)))


def _intent(text: str) -> str | None:
    for name, pattern in _INTENT_Q.items():
        if pattern.search(text):
            return name
    return None


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
