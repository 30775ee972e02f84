"""Sentence spans of a clause: the units a quote is made of, and the pieces of a retrieval window."""
from __future__ import annotations

import re

# Chinese: a sentence ends at 。！？ or a list item at ；. English: at . ! ? ; before a new sentence.
_ZH_END = re.compile(r"[。！？；]+[”’」』]?|\n+")
_EN_END = re.compile(r"(?<!\bNo)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)[.!?;]+[\"”’)]?(?=\s+[A-Z(\"“‘0-9])|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, whitespace trimmed, none empty."""
    pattern = _ZH_END if re.search(r"[\u4e00-\u9fff]", text[:200]) else _EN_END
    spans, start = [], 0
    for m in pattern.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def windows(text: str, size: int = 500) -> list[str]:
    """Consecutive sentence groups of about ``size`` characters, overlapping by one sentence."""
    spans = sentence_spans(text)
    if len(text) <= size or len(spans) <= 1:
        return [text]
    out, i = [], 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= size:
            j += 1
        out.append(text[spans[i][0]:spans[j][1]])
        if j + 1 >= len(spans):
            break
        i = j if j > i else j + 1
    return out
