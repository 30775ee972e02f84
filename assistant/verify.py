"""The verifier: every sentence a language model writes is checked against the clauses it cites.

Rules, per sentence; the first that fails is the reason the sentence is removed:

1. it cites at least one clause ``[n]``, and every ``[n]`` is a clause the model was given;
2. every quotation (“…”, "…", 「…」) is verbatim in a cited clause (whitespace, the quote's own closing
   punctuation and "…" joining pieces aside); a quotation marked as the model's translation is exempt;
3. every figure (number, percentage, amount, date, deadline; see numbers.py) is a figure of a cited
   clause, its headings or its document's title, 文号 and date, in the same unit;
4. a document it names (《…》, a 文号, a library title) is a cited document or named in a cited clause;
5. an article or item it names (第三条, Article 3) is on the path of a cited clause;
6. a place it names is covered by a cited document (汕头 by a Guangdong policy) or named in a cited clause;
7. written in the language of its clauses, it shares enough of their words: a sentence that cites the
   wrong clause says something else.

What it cannot check: that a sentence without figures, quotes or names follows from its clause (rule 7
is lexical), nor claims in a language other than the clause's beyond rules 1–6.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from index.glossary import load_glossary
from index.lexical import tokenize
from index.places import canonical_place, find_places, place_chain, place_names
from index.types import Clause, Document

from .numbers import DOC_NUMBER, MARKER, Figure, figures, label_number, references, supported
from .prompts import load
from .query import language_of

MIN_SHARED_WORDS = 0.3   # rule 7: share of a sentence's words found in the clauses it cites…
MIN_WORDS = 4            # …judged only when it has this many distinct words
MIN_TITLE_MATCH = 0.8    # a 《name》 is a document when this share of it matches the title in order

_END = re.compile(r"(?:[。！？!?]+|(?<!\bNo)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)\.(?!\d))[”’」』\"')）*]*")
_TRAILING_MARKERS = re.compile(rf"(?:\s*{MARKER.pattern})+")
_BULLET = re.compile(r"\s*(?:[-*•]\s+|\d{1,2}[.)]\s+|\d{1,2}、|#+\s+)?")  # list markup before a sentence
_WORDY = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")
_QUOTES = re.compile(r"“([^”]{1,400})”|\"([^\"]{1,400})\"|「([^」]{1,400})」|『([^』]{1,400})』")
_ELLIPSIS = re.compile(r"…+|\.{3,}|⋯+")
_EDGE = "。，,.;；:：!！?？、 \n\t*…"
_SPACE = re.compile(r"\s+")
_TITLE = re.compile(r"《([^》]{2,120})》")
_BRACKETS = str.maketrans("［[(（【〔", "〔〔〔〔〔〔") | str.maketrans("］])）】〕", "〕〕〕〕〕〕")


@dataclass(frozen=True)
class Source:
    """A retrieved clause as the model saw it: its number in the prompt, the clause and its document."""

    n: int
    clause: Clause
    document: Document


@dataclass(frozen=True)
class Sentence:
    """One sentence of the model's answer: its span, the clauses it cites, and why it was removed."""

    text: str
    start: int
    end: int
    cites: tuple[int, ...]
    reason: str | None = None


@dataclass(frozen=True)
class Verification:
    answer: str
    sentences: tuple[Sentence, ...]

    @property
    def kept(self) -> list[Sentence]:
        return [s for s in self.sentences if s.reason is None]

    @property
    def removed(self) -> list[Sentence]:
        return [s for s in self.sentences if s.reason is not None]

    def core_failure(self) -> str | None:
        """Why the answer as a whole cannot stand (the reason key), or None: nothing verified, the first
        sentence (the direct answer) removed, or most of it removed."""
        if not self.kept:
            return "nothing_kept"
        if self.sentences[0].reason is not None:
            return "first_removed"
        if len(self.removed) * 2 > len(self.sentences):
            return "most_removed"
        return None

    def text(self) -> str:
        """The answer with the removed sentences cut out, its lines and layout otherwise kept."""
        out, pos = [], 0
        for s in self.removed:
            out.append(self.answer[pos:s.start])
            pos = s.end
        out.append(self.answer[pos:])
        lines = [re.sub(r"[ \t]{2,}", " ", ln).rstrip() for ln in "".join(out).split("\n")]
        kept = [ln for ln in lines if _WORDY.search(ln) or not ln.strip()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()

    def to_dict(self) -> dict:
        return {"sentences": len(self.sentences), "kept": len(self.kept),
                "removed": [{"sentence": s.text, "reason": s.reason} for s in self.removed]}


def verify(answer: str, sources: list[Source], library: dict[str, Document], lang: str) -> Verification:
    """Check every sentence of ``answer`` against ``sources``; ``library`` holds every loaded document
    (to tell a document named but not cited); reasons are worded in ``lang``."""
    by_n = {s.n: s for s in sources}
    checked = []
    for start, end in split(answer):
        text = answer[start:end]
        cites = cited(text)
        reason = _check(text, cites, by_n, library, lang)
        checked.append(Sentence(text, start, end, cites, reason))
    return Verification(answer, tuple(checked))


def split(text: str) -> list[tuple[int, int]]:
    """Sentence spans: a sentence ends at 。！？!? or a full stop (not a decimal point or "e.g."),
    with the citation markers right after it; a line break ends one too. Pure markup is skipped."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        line_end = pos + len(line)
        i = start
        while i < line_end:
            m = _END.search(text, i, line_end)
            end = m.end() if m else line_end
            tail = _TRAILING_MARKERS.match(text, end, line_end)
            if tail:
                end = tail.end()
            spans.append((start, end))
            start = i = end
        pos = line_end + 1
    out = []
    for s, e in spans:
        bullet = _BULLET.match(text, s, e)
        s = bullet.end() if bullet else s
        while e > s and text[e - 1].isspace():
            e -= 1
        if _WORDY.search(MARKER.sub("", text[s:e])):
            out.append((s, e))
    return out


def cited(sentence: str) -> tuple[int, ...]:
    """The clause numbers a sentence cites: [1], [1][3], [1, 3], [1-3], 【2】."""
    numbers: list[int] = []
    for m in MARKER.finditer(sentence):
        for part in re.split(r"[,，、;；]", m.group()[1:-1]):
            bounds = [int(x) for x in re.findall(r"\d+", part)]
            if len(bounds) == 2 and re.search(r"[-–—~～]", part) and bounds[0] <= bounds[1] <= bounds[0] + 20:
                numbers.extend(range(bounds[0], bounds[1] + 1))
            else:
                numbers.extend(bounds)
    return tuple(dict.fromkeys(numbers))


def reason_text(lang: str, key: str, **values) -> str:
    return load("llm")["zh" if lang == "zh" else "en"]["reasons"][key].format(**values)


def _check(text: str, cites: tuple[int, ...], by_n: dict[int, Source], library: dict[str, Document],
           lang: str) -> str | None:
    if not cites:
        return reason_text(lang, "no_citation")
    missing = [n for n in cites if n not in by_n]
    if missing:
        return reason_text(lang, "bad_citation", n=missing[0])
    for segment, own in segments(text):
        reason = _check_claim(segment, [by_n[n] for n in own], library, lang)
        if reason:
            return reason
    return None


def segments(sentence: str) -> list[tuple[str, tuple[int, ...]]]:
    """The claims of a sentence, each with the clauses it cites: "南沙…[3]；杭州…[4]。" is two, so a
    figure of [4] does not pass in the part that cites [3]."""
    out: list[tuple[str, tuple[int, ...]]] = []
    start = 0
    for m in _TRAILING_MARKERS.finditer(sentence):
        out.append((sentence[start:m.end()], cited(m.group())))
        start = m.end()
    if out and not _WORDY.search(sentence[start:]):
        out[-1] = (out[-1][0] + sentence[start:], out[-1][1])  # the closing "。" of the last claim
    elif sentence[start:].strip():  # words after the last marker ("…分别为500万元和1000万元。"): all its clauses
        out.append((sentence[start:], cited(sentence)))
    return out


def _check_claim(text: str, sources: list[Source], library: dict[str, Document], lang: str) -> str | None:
    numbers = ",".join(str(s.n) for s in sources)
    body = MARKER.sub(" ", text)
    for quote in quotations(body):
        if not any(_verbatim(quote, s) for s in sources):
            return reason_text(lang, "quote", quote=_short(quote))
    pool = [f for s in sources for f in _figures_of(s)]
    for figure in figures(body):
        if not supported(figure, pool):
            return reason_text(lang, "figure", figure=figure.text, cites=numbers)
    name = _uncited_document(body, sources, library)
    if name:
        return reason_text(lang, "document", name=name)
    article = _uncited_article(body, sources)
    if article:
        return reason_text(lang, "article", article=article)
    place = _uncovered_place(body, sources)
    if place:
        return reason_text(lang, "place", place=place)
    if not _shares_words(body, sources):
        return reason_text(lang, "unrelated", cites=numbers)
    return None


# ------------------------------------------------------------------------------------------- quotes
def quotations(text: str) -> list[str]:
    """The quoted spans of a sentence that claim to be a clause's words (not marked translations)."""
    markers = load("llm")["markers"]["translation"]
    out = []
    for m in _QUOTES.finditer(text):
        before = text[max(0, m.start() - 16):m.start()].lower()
        if re.search(r"(?:" + "|".join(map(re.escape, markers)) + r")\s*[:：]?\s*$", before):
            continue
        out.append(next(g for g in m.groups() if g is not None))
    return out


def _norm(text: str) -> str:
    return _SPACE.sub("", text).casefold().translate(str.maketrans("０１２３４５６７８９％", "0123456789%"))


def _verbatim(quote: str, source: Source) -> bool:
    haystack = _norm(_haystack(source))
    pieces = [_norm(p.strip(_EDGE)) for p in _ELLIPSIS.split(quote)]
    pieces = [p for p in pieces if p]
    return bool(pieces) and all(p in haystack for p in pieces)


def _haystack(source: Source) -> str:
    c, d = source.clause, source.document
    return "\n".join([c.text, *c.path, *c.units, d.title, d.title_translated or "", d.doc_number or ""])


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# ------------------------------------------------------------------------------------------ figures
@lru_cache(maxsize=512)
def _figures_of(source: Source) -> tuple[Figure, ...]:
    """Every figure a sentence citing ``source`` may state: the clause's, its headings' (and their
    numbers), its units', and its document's title, 文号 and date."""
    c, d = source.clause, source.document
    found = figures(_haystack(source) + "\n" + (d.date or ""))
    headings = [label_number(h) for h in (*c.path, c.label)]
    return tuple(found) + tuple(Figure(n, "", str(n), n) for n in headings if n is not None)


# ---------------------------------------------------------------------------------- names in a sentence
def _uncited_document(text: str, sources: list[Source], library: dict[str, Document]) -> str | None:
    cited_docs = {s.document.id: s.document for s in sources}
    clause_text = _norm("\n".join(s.clause.text for s in sources))
    for m in _TITLE.finditer(text):
        name = m.group(1)
        if _norm(name) in clause_text:
            continue  # a law or plan the cited clause itself names
        best = max((_title_match(name, d) for d in library.values()), default=0.0)
        mine = max((_title_match(name, d) for d in cited_docs.values()), default=0.0)
        if mine < MIN_TITLE_MATCH or mine < best:
            return f"《{name}》"
    numbers = {_doc_number(d.doc_number) for d in cited_docs.values() if d.doc_number}
    for m in DOC_NUMBER.finditer(text):
        if _doc_number(m.group()) not in numbers and _doc_number(m.group()) not in _doc_number(clause_text):
            return m.group()
    low = _norm(text)
    for d in library.values():
        if d.id not in cited_docs:
            for title in (d.title, d.title_translated):
                if title and len(title) >= 12 and _norm(title) in low:
                    return title
    return None


def _title_match(name: str, document: Document) -> float:
    """How much of ``name`` is found, in order, in the document's title (or its translation)."""
    a = _norm(name)
    best = 0.0
    for title in (document.title, document.title_translated):
        if title and a:
            blocks = SequenceMatcher(None, a, _norm(title), autojunk=False).get_matching_blocks()
            best = max(best, sum(b.size for b in blocks) / len(a))
    return best


def _doc_number(text: str) -> str:
    return _norm(text).translate(_BRACKETS)


def _uncited_article(text: str, sources: list[Source]) -> str | None:
    allowed = {label_number(h) for s in sources for h in (*s.clause.path, s.clause.label)}
    allowed |= {n for s in sources for _, n in references(s.clause.text)}
    for written, number in references(text):
        if number not in allowed:
            return written
    return None


def _uncovered_place(text: str, sources: list[Source]) -> str | None:
    g = load_glossary()
    for place in find_places(text.lower(), g):
        chain = place_chain(g, place)
        if any(s.document.region and canonical_place(g, s.document.region) in chain for s in sources):
            continue  # a policy of Guangdong applies to 汕头
        names = [n.lower() for n in place_names(g, place) if len(n) >= 2]
        if any(n in _haystack(s).lower() for s in sources for n in names):
            continue  # the cited clause (or its document's title) names the place itself
        return place
    return None


def _shares_words(text: str, sources: list[Source]) -> bool:
    lang = language_of(text)
    same = [s for s in sources if s.clause.language == lang]
    if not same:
        return True  # across languages only rules 1-6 apply
    words = {t for t in tokenize(text) if not t[0].isdigit()}
    if len(words) < MIN_WORDS:
        return True
    theirs = set().union(*(_words_of(s) for s in same))
    return len(words & theirs) >= MIN_SHARED_WORDS * len(words)


@lru_cache(maxsize=512)
def _words_of(source: Source) -> frozenset[str]:
    return frozenset(tokenize(_haystack(source)))
