"""Citations are spans of a clause, checked when made; numbers in an answer must come from them."""
from __future__ import annotations

import re

from index.types import Clause, Document

from .types import Citation

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class CitationError(AssertionError):
    """A quote that is not a span of its clause: a bug, never shown to a user as an answer."""


def cite(n: int, clause: Clause, document: Document, start: int, end: int) -> Citation:
    quote = clause.text[start:end]
    if not quote.strip() or clause.text.find(quote) < 0:
        raise CitationError(f"quote [{n}] is not a span of {clause.id}")
    return Citation(n, clause, document, quote, start, end)


def numbers(text: str) -> set[str]:
    return {m.group().replace(",", "") for m in _NUMBER.finditer(text)}


def unsupported_numbers(answer: str, citations: list[Citation]) -> set[str]:
    """Numbers the answer states that no cited clause contains (citation metadata excluded)."""
    stripped = re.sub(r"\[\d+\]", "", answer)
    for c in citations:
        for meta in (c.document.title, c.document.cite_number or "", *c.clause.path, c.clause.label,
                     *c.clause.units):
            if meta:
                stripped = stripped.replace(meta, "")
    cited = set().union(*(numbers(c.clause.text) for c in citations)) if citations else set()
    return numbers(stripped) - cited
