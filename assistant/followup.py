"""Follow-up questions made standalone by rules: "那杭州呢？", "what about medical devices?".

The rewrite swaps a place for a place, or a subject for a subject of the same kind
(data/glossary/subjects.tsv), in the previous standalone question; otherwise it appends the new part.
"""
from __future__ import annotations

import re
from functools import lru_cache

from index.glossary import GLOSSARY_DIR, load_glossary

from index.places import find_places, place_names

from .query import language_of

_ZH = re.compile(r"^(?:那么?|那如果是?|如果是|换成|换作|还有|那对于|对于)?\s*(?P<slot>.{1,24}?)\s*(?:的话)?(?:呢|怎么样|如何|又如何)\s*[？?]?$")
_ZH_LEAD = re.compile(r"^(?:那么?|如果是|换成|换作)\s*(?P<slot>.{1,24}?)\s*[？?]?$")
_EN = re.compile(r"^(?:and|so|ok|okay|then)?[,\s]*(?:what|how) about\s+(?P<slot>.+?)\s*\??$|"
                 r"^and (?:for|in|with)\s+(?P<slot2>.+?)\s*\??$", re.I)


def rewrite(question: str, previous: str | None) -> str | None:
    """The standalone question ``question`` stands for after ``previous``, or None if it stands alone."""
    if not previous:
        return None
    slot = _slot(question.strip())
    if not slot:
        return None
    g = load_glossary()
    new_places = find_places(slot.lower(), g)
    if new_places:
        old = [a for p in find_places(previous.lower(), g) for a in place_names(g, p)]
        present = [a for a in old if a.lower() in previous.lower()]
        if present:
            target = max(present, key=len)
            return re.sub(re.escape(target), slot, previous, count=1, flags=re.I)
        return f"{slot}{previous}" if language_of(previous) == "zh" else f"{previous.rstrip('?？')} in {slot}?"
    for kind in _subjects():
        new = _longest(slot, kind)
        old = _longest(previous, kind)
        if new and old and new.lower() != old.lower():
            return re.sub(re.escape(old), new, previous, count=1, flags=re.I)
    return f"{previous.rstrip('?？')}（{slot}）？" if language_of(previous) == "zh" else \
        f"{previous.rstrip('?？')} — {slot}?"


def _slot(question: str) -> str | None:
    if language_of(question) == "zh":
        m = _ZH.match(question) or _ZH_LEAD.match(question)
        return m.group("slot").strip("，, ") if m and len(question) <= 30 else None
    m = _EN.match(question)
    return (m.group("slot") or m.group("slot2")).strip() if m else None


def _longest(text: str, kind: tuple[str, ...]) -> str | None:
    low = text.lower()
    found = [w for w in kind if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low)]
    return max(found, key=len) if found else None


@lru_cache(maxsize=1)
def _subjects() -> tuple[tuple[str, ...], ...]:
    path = GLOSSARY_DIR / "subjects.tsv"
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return tuple(tuple(a.strip().lower() for a in ln.split("|")) for ln in lines if ln and not ln.startswith("#"))
