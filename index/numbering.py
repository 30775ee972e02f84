"""Clause labels of Chinese and English policy texts.

Outline numbering: 一、 （一） 1. （1） and I. (1) (II) (Four). Statute numbering: 第X编 / 第X章 / 第X节 headings
("divisions") over 第X条 articles, and English "Part/Chapter/Section N" over "Article N". Inside an article,
outline labels are its items (项 （一）/(一), 目 1．), not headings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_ZH_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}

ZH_NUM = "[一二三四五六七八九十百零]+"
# (level, pattern); the label is group 1, the number group 2. Level 0 is an annex, a part of its own.
_PATTERNS = {
    "zh": [
        (0, re.compile(r"^(附件\s*(\d+))\s*$")),
        (1, re.compile(rf"^(({ZH_NUM})、)")),
        (2, re.compile(rf"^([（(]({ZH_NUM})[）)])")),
        (3, re.compile(r"^((\d{1,3})[.．、](?!\d))\s*")),
        (4, re.compile(r"^(（(\d{1,3})）)")),
    ],
    "en": [
        (1, re.compile(r"^(([IVX]{1,5})\.)\s+(?=\S)")),
        (2, re.compile(r"^(\((\d{1,2}|[IVX]{1,5}|[A-Z][a-z]{2,5})\))\s+")),
    ],
}


@dataclass(frozen=True)
class Label:
    level: int
    text: str      # as written: "十、", "（四）", "10.", "(II)"
    number: int
    end: int       # offset in the paragraph where the label (and its spacing) ends

    @property
    def display(self) -> str:
        """Label as shown in a clause path: arabic and English labels get a space before the title."""
        return self.text if self.text[-1] in "、）" else self.text + " "


def parse_label(paragraph: str, language: str) -> Label | None:
    for level, pattern in _PATTERNS["zh" if language == "zh" else "en"]:
        m = pattern.match(paragraph)
        if m:
            number = to_int(m.group(2))
            if number is not None:
                return Label(level, m.group(1).replace(" ", ""), number, m.end())
    return None


def to_int(token: str) -> int | None:
    """'十二' → 12, '12' → 12, 'IV' → 4, 'Four' → 4; None when it is not a number."""
    if token.isdigit():
        return int(token)
    low = token.lower()
    if low in _EN_WORDS:
        return _EN_WORDS[low]
    if set(low) <= set(_ROMAN):
        values = [_ROMAN[c] for c in low]
        return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    if token and all(c in _ZH_DIGITS or c in "十百千〇两" for c in token):
        return _zh_to_int(token)
    return None


def zh_numeral(n: int) -> str:
    """12 → 十二, 105 → 一百零五: how a 款 or 项 number is written in a citation (n < 1000)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if not rest else ("零" + digits[rest] if rest < 10 else
                                ("一" + zh_numeral(rest) if rest < 20 else zh_numeral(rest)))
    return digits[n // 100] + "百" + tail


def _zh_to_int(token: str) -> int:
    total, current = 0, 0
    for c in token:
        if c == "千":
            total += (current or 1) * 1000
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        elif c in "〇零":
            current = 0
        elif c == "两":
            current = 2
        else:
            current = _ZH_DIGITS[c]
    return total + current


# 第X编 / 第X分编 / 第X章 / 第X节: (kind → rank). A division heading is short and has no sentence punctuation.
DIVISIONS = {"编": 1, "分编": 2, "章": 3, "节": 4, "part": 1, "chapter": 3, "section": 4}
_NUMBER = rf"(?:{ZH_NUM}|[千〇两]|\d{{1,4}})+"
_ZH_DIVISION = re.compile(rf"^(第\s*({_NUMBER})\s*(分编|编|章|节))[\s\u3000]*(.*)$")
_EN_DIVISION = re.compile(r"^((Part|Chapter|Section)\s+([IVXLC]{1,7}|\d{1,3}|[A-Z][a-z]{2,9}))\b[.:]?\s*(.*)$")
_ZH_ARTICLE = re.compile(rf"^(第\s*({_NUMBER})\s*条(?:之({ZH_NUM}))?)(?![之款项])[\s\u3000]*")
_EN_ARTICLE = re.compile(r"^(Article\s+(\d{1,4}))\b[.:]?\s*")
_TERMINAL = ("。", "；", ";", "：", ":", "，", ",")


@dataclass(frozen=True)
class Division:
    """A 编/章/节 heading: its rank (编 1 … 节 4), number, label ("第四章") and title ("医疗器械注册")."""

    rank: int
    number: int
    label: str
    title: str

    @property
    def display(self) -> str:
        return f"{self.label} {self.title}".strip()


@dataclass(frozen=True)
class Article:
    """A 第X条 / Article N label: its number (之一 as a sub-number), the label as written and where it ends."""

    number: int
    sub: int
    label: str
    end: int

    @property
    def key(self) -> str:
        return f"art{self.number}" + (f"-{self.sub}" if self.sub else "")


def parse_division(paragraph: str, language: str) -> Division | None:
    """A chapter-like heading line, or None (a sentence that merely starts with 第X章 is not one)."""
    if "\n" in paragraph.strip() or len(paragraph) > 60 or paragraph.endswith(_TERMINAL):
        return None
    if language == "zh":
        m = _ZH_DIVISION.match(paragraph.strip())
        if not m:
            return None
        number, kind, title = to_int(m.group(2)), m.group(3), m.group(4)
    else:
        m = _EN_DIVISION.match(paragraph.strip())
        if not m:
            return None
        number, kind, title = to_int(m.group(3)), m.group(2).lower(), m.group(4)
    if number is None:
        return None
    label = re.sub(r"[\s\u3000]+", "" if language == "zh" else " ", m.group(1))
    # "第一章　总　　则": spaces set inside a short Chinese title are typography, not words
    title = re.sub(r"(?<=[\u4e00-\u9fff])[\s\u3000]+(?=[\u4e00-\u9fff])", "", title.strip()) if language == "zh" \
        else title.strip()
    return Division(DIVISIONS[kind], number, label, title)


def parse_article(paragraph: str, language: str) -> Article | None:
    m = (_ZH_ARTICLE if language == "zh" else _EN_ARTICLE).match(paragraph)
    if not m:
        return None
    number = to_int(m.group(2))
    if number is None or number == 0:
        return None
    sub = to_int(m.group(3)) if language == "zh" and m.group(3) else 0
    label = re.sub(r"[\s\u3000]+", "" if language == "zh" else " ", m.group(1))
    return Article(number, sub or 0, label, m.end())
