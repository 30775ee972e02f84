"""Clause labels of Chinese and English policy texts: 一、 （一） 1. （1） and I. (1) (II) (Four)."""
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
        (2, re.compile(rf"^(（({ZH_NUM})）)")),
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
    if all(c in _ZH_DIGITS or c in "十百" for c in token):
        return _zh_to_int(token)
    return None


def _zh_to_int(token: str) -> int:
    total, current = 0, 0
    for c in token:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _ZH_DIGITS[c]
    return total + current
