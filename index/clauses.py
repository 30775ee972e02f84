"""Cleaned document → clauses, the unit of citation, each a verbatim slice of the document.

Two forms of numbering, also mixed in one document:
- statutes (laws, regulations, rules, judicial interpretations, many local policies): 第X编/章/节 headings over
  第X条 articles; an article, with its paragraphs (款) and items (项 （一）, 目 1．), is one clause, and an
  article longer than ``MAX_CLAUSE`` is cited by its paragraphs instead;
- outlines (plans, opinions, notices): a numbered item (十、 / （四） / 10. / (II)), a paragraph under a heading,
  a table row, or the front matter of a part (the notice wrapping a document, a preamble, a news preface).
A header block (title, 文号, adoption and revision dates) is metadata, never a clause.
Ids are built from numbers, not text (``doc:art42``, ``doc:3.4.10``), so editing one clause never renames another.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbering import Article, Division, Label, parse_article, parse_division, parse_label, zh_numeral
from .table import parse_rows
from .types import Clause, Document

PARSER_VERSION = "2"
MAX_CLAUSE = 1500  # characters: a longer article is cited by its paragraphs (款)
MIN_ARTICLES = 3   # 第X条 paragraphs that make a document a statute

_TITLE_END = re.compile(r"(意见|方案|通知|要点|计划|台账|办法|规定|细则|文件|条例|解释|规范|决定)$")
_FULL_TEXT = re.compile(r"^the full text (is )?as follows:?$", re.I)
_TERMINAL = ("。", "；", "：", ".", ";", ":", "，", ",")
_UNITS = re.compile(r"[（(]((?:牵头单位|责任单位|配合单位)[:：][^）)]+)[）)]|\((Led by [^)]+)\)")


@dataclass
class _Part:
    """A titled part: the notice, the main text, an annex. Holds its heading stack while parsing."""

    key: str
    label: str
    title: str = ""
    stack: list[tuple[Label, str]] = field(default_factory=list)
    last: dict[int, int] = field(default_factory=dict)
    front: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _OpenArticle:
    """The article being read: its label, the 编/章/节 above it and its paragraphs so far."""

    article: Article
    divisions: tuple[Division, ...]
    paragraphs: list[tuple[int, int]]


def parse(doc: Document) -> list[Clause]:
    """Split ``doc`` into clauses in reading order."""
    return _Parser(doc).run()


def paragraphs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of every blank-line separated block of ``text``."""
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text)]


class _Parser:
    def __init__(self, doc: Document):
        self.doc = doc
        self.zh = doc.language == "zh"
        self.clauses: list[Clause] = []
        self.part = _Part("preamble", "前言" if self.zh else "Preamble")
        self.parts_seen = 0
        self.para_count: dict[str, int] = {}
        self.expect_title = False
        self.statute = False
        self.divisions: list[Division] = []
        self.article: _OpenArticle | None = None
        self.last_article: Article | None = None

    def run(self) -> list[Clause]:
        blocks = paragraphs(self.doc.text)
        self.statute = sum(1 for _, _, t in blocks if parse_article(t, self.doc.language)) >= MIN_ARTICLES
        i = 0
        while i < len(blocks):
            start, end, text = blocks[i]
            if "\t" in text:
                j = i
                while j < len(blocks) and "\t" in blocks[j][2]:
                    j += 1
                self._close_article()
                self._table(blocks[i:j])
                i = j
                continue
            self._block(start, end, text, first=i == 0)
            i += 1
        self._close_article()
        self._flush_front()
        return _unique(self.clauses)

    # -- statutes ------------------------------------------------------------------------------
    def _statute_block(self, start: int, end: int, text: str) -> bool:
        """Read one paragraph of a statute; False hands it to the outline reader (annexes, notices)."""
        lang = self.doc.language
        division = parse_division(text, lang)
        if division:
            self._close_article()
            self._flush_front()
            self.divisions = [d for d in self.divisions if d.rank < division.rank] + [division]
            return True
        article = parse_article(text, lang)
        if article and self._next_article(article):
            self._close_article()
            self._flush_front()
            self.article = _OpenArticle(article, tuple(self.divisions), [(start, end)])
            return True
        label = parse_label(text, lang)
        if label and label.level == 0:  # 附件: a part of its own, read as an outline
            self._close_article()
            return False
        if self.article:
            if not label and _fragment(text):
                return True  # the issuer and date signed under the last article
            self.article.paragraphs.append((start, end))
            return True
        if self.last_article is None and not self.divisions and not text.endswith(_TERMINAL):
            # before the body: the title, 文号, issuer and adoption/revision lines are metadata
            if self.zh and text.endswith("通知"):
                self.part.key, self.part.label = "notice", "通知"
            return True
        return False

    def _next_article(self, article: Article) -> bool:
        """第X条 opens an article when it continues the count ("第三条第一款规定的…" mid-count does not)."""
        last = self.last_article or (self.article.article if self.article else None)
        if self.article:
            last = self.article.article
        if last is None:
            return True
        if article.sub:
            return article.number == last.number and article.sub == last.sub + 1
        return last.number < article.number <= last.number + 3 or article.number == 1 and last.number > 1

    def _close_article(self) -> None:
        open_, self.article = self.article, None
        if not open_:
            return
        self.last_article = open_.article
        art = open_.article
        path = tuple(d.display for d in open_.divisions) + (art.label,)
        key = (f"{self.part.key}." if self.part.key.startswith("annex") else "") + art.key
        start, end = open_.paragraphs[0][0], open_.paragraphs[-1][1]
        if end - start <= MAX_CLAUSE or len(open_.paragraphs) == 1:
            self._emit(key, art.label, path, start, end)
            return
        for n, chunk, item in _paragraph_groups(self.doc.text, open_.paragraphs, self.doc.language):
            para = f"第{zh_numeral(n)}款" if self.zh else f"Paragraph {n}"
            tail = (para,) + ((item,) if item else ())
            self._emit(f"{key}.p{n}" + (f".{_slug(item)}" if item else ""), art.label + para, path + tail,
                       chunk[0], chunk[1])

    # -- one paragraph -------------------------------------------------------------------------
    def _block(self, start: int, end: int, text: str, first: bool) -> None:
        if self.statute and self._statute_block(start, end, text):
            return
        label = parse_label(text, self.doc.language)
        if label and label.level == 0:
            self._new_part(f"annex{label.number}", label.text)
            return
        if label and self._in_sequence(label):
            self._heading(label, start, end, text)
            return
        if not self.zh and _FULL_TEXT.match(text):
            self.part.key, self.part.label = "preface", "News preface"
            self._new_part("preamble", "Preamble")
            self.expect_title = True
            return
        if self._is_title(text, first or self.expect_title):
            self.expect_title = False
            if self.part.front or self.part.stack:
                self._new_part("preamble" if self.part.key == "notice" else f"part{self.parts_seen}",
                               "前言" if self.zh else "Preamble")
            self.part.title = (self.part.title + " " + text).strip() if not self.part.stack else text
            if self.zh and text.endswith("通知"):
                self.part.key, self.part.label = "notice", "通知"
            return
        if not self.part.stack:
            if not self.zh and not first and _heading_like(text) and (self.part.front or self.clauses):
                self._section(text)
                return
            self.part.front.append((start, end))
            return
        if _fragment(text):
            return  # a signature or date line after the body: not a clause of its own
        if not self.zh and _heading_like(text):
            self._section(text)
            return
        self._add(start, end)

    def _in_sequence(self, label: Label) -> bool:
        """Numbers run 1, 2, 3 at each level; a stray "2." inside a notice is not a heading.

        Under a parent heading one missing item is tolerated (a web copy lost the "(1)" of a list).
        """
        last = self.part.last.get(label.level, 0)
        has_parent = any(lb.level < label.level for lb, _ in self.part.stack)
        return label.number in (1, last + 1) or (has_parent and label.number == last + 2)

    def _is_title(self, text: str, first: bool) -> bool:
        if len(text) > 150 or text.endswith(_TERMINAL) or _fragment_date(text) or "：" in text:
            return False
        if parse_label(text, self.doc.language):
            return False  # a numbered list line ("2.…工作台账"), not a title
        if self.zh:
            return bool(_TITLE_END.search(text))
        return first

    # -- structure -----------------------------------------------------------------------------
    def _heading(self, label: Label, start: int, end: int, text: str) -> None:
        self._flush_front()
        self.part.last[label.level] = label.number
        # a new 一、 restarts （一）; arabic items may run on across （一）（二） (the Nansha text does), so their
        # count is kept, and "1." is accepted as a restart anyway (see _in_sequence)
        for lv in self.part.last:
            if label.level < lv < 3:
                self.part.last[lv] = 0
        rest = text[label.end:].strip()
        title, body = _split_title(rest, self.zh)
        stack = [(lb, t) for lb, t in self.part.stack if lb.level < label.level]
        self.part.stack = stack + [(label, title)]
        if body:
            self._add(start, end)

    def _section(self, text: str) -> None:
        """An unnumbered English heading (news articles): a section whose paragraphs are clauses."""
        self._flush_front()
        self.part.stack = [(Label(1, "", 0, 0), text)]

    def _new_part(self, key: str, label: str) -> None:
        self._close_article()
        self._flush_front()
        self.parts_seen += 1
        self.part = _Part(key, label)
        self.divisions, self.last_article = [], None

    def _flush_front(self) -> None:
        """Front matter of a part (before its first heading) is one clause: the notice, the preamble."""
        front, self.part.front = self.part.front, []
        if all(_fragment(self.doc.text[s:e]) for s, e in front):
            return  # only a 文号 or a date: metadata, not a clause
        start, end = front[0][0], front[-1][1]
        self._emit(self.part.key, self.part.label, (self.part.label,), start, end)

    def _add(self, start: int, end: int) -> None:
        labels = [lb for lb, _ in self.part.stack]
        path = tuple(f"{lb.display}{t}" if lb.text else t for lb, t in self.part.stack)
        numbers = [str(lb.number) if lb.text else _slug(t) for lb, t in self.part.stack]
        key = ".".join(numbers)
        if self.part.key.startswith("annex"):
            key = f"{self.part.key}.{key}"
        n = self.para_count[key] = self.para_count.get(key, 0) + 1
        if n > 1:
            key = f"{key}.p{n}"
        label = "".join(lb.text for lb in labels[-1:]) or path[-1][:40]
        self._emit(key, label, path, start, end)

    def _table(self, blocks: list[tuple[int, int, str]]) -> None:
        self._flush_front()
        head = self.part.title or self.part.label
        prefix = self.part.key if self.part.key.startswith("annex") else f"table{self.parts_seen}"
        for row in parse_rows(blocks):
            units = (f"责任单位：{row.unit}",) if row.unit else ()
            path = (f"{self.part.label} {head}".strip() if head != self.part.label else head,
                    row.unit, f"序号{row.number}")
            self._emit(f"{prefix}.row{row.number}", f"序号{row.number}", path, row.start, row.end, units)

    def _emit(self, key: str, label: str, path: tuple, start: int, end: int, units: tuple = ()) -> None:
        text = self.doc.text[start:end]
        if not units:
            units = tuple(a or b for a, b in _UNITS.findall(text))
        self.clauses.append(Clause(
            id=f"{self.doc.id}:{key}", document_id=self.doc.id, label=label, path=tuple(path),
            text=text, start=start, end=end, language=self.doc.language, units=units))


def _paragraph_groups(text: str, spans: list[tuple[int, int]], language: str):
    """A long article's paragraphs (款) as (number, (start, end), item label or ""): the items (项) stay with the
    paragraph that introduces them, and a paragraph still too long is cut between its items."""
    groups: list[list[tuple[int, int]]] = []
    for s, e in spans:
        if groups and parse_label(text[s:e], language):
            groups[-1].append((s, e))
        else:
            groups.append([(s, e)])
    for n, group in enumerate(groups, 1):
        chunk_start, chunk_item = group[0][0], ""
        for i, (s, e) in enumerate(group):
            if i and e - chunk_start > MAX_CLAUSE:
                yield n, (chunk_start, group[i - 1][1]), chunk_item
                label = parse_label(text[s:e], language)
                chunk_start, chunk_item = s, label.text if label else ""
        yield n, (chunk_start, group[-1][1]), chunk_item


def _split_title(rest: str, zh: bool) -> tuple[str, str]:
    """'完善产业发展协同机制。在…' → (title, body); a heading alone on its line has no body."""
    stop = "。" if zh else ". "
    cut = rest.find(stop)
    limit = 40 if zh else 160
    if cut == -1 or cut > limit:
        if len(rest) <= (60 if zh else 160) and not rest.endswith(_TERMINAL):
            return rest, ""
        return _short(rest, zh), rest
    title = rest[:cut]
    return title, rest[cut + len(stop):].strip()


def _short(text: str, zh: bool) -> str:
    limit = 30 if zh else 80
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _heading_like(text: str) -> bool:
    return len(text) <= 120 and not text.endswith(_TERMINAL) and not _fragment_date(text)


def _fragment(text: str) -> bool:
    return len(text) <= 25 and not text.endswith(_TERMINAL)


def _fragment_date(text: str) -> bool:
    return bool(re.fullmatch(r"[\d\-/年月日. ]+|.*〔\d{4}〕\d+号", text))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "section"


def _unique(clauses: list[Clause]) -> list[Clause]:
    seen: dict[str, int] = {}
    out = []
    for c in clauses:
        n = seen[c.id] = seen.get(c.id, 0) + 1
        out.append(c if n == 1 else Clause(**{**c.__dict__, "id": f"{c.id}~{n}"}))
    return out
