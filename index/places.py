"""Places: names and aliases from the glossary (data/glossary/places.tsv) and the regions above them.

汕头 → 粤东 → 粤东粤西粤北 → 广东 → 全国: a document of a region applies to every place inside it, so a national
regulation answers a question about 汕头 and the Guangdong plan answers one about 汕头, but not one about 上海.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .glossary import Glossary, load_glossary

# A place name directly followed by one of these names an institution (中山大学, 广州实验室), not a place.
_INSTITUTION = re.compile(r"大学|学院|医院|实验室|研究院|研究所")


def find_places(low: str, g: Glossary | None = None) -> list[str]:
    """Canonical names of places the (lower-cased) text names, in order, institutions' names excluded."""
    g = g or load_glossary()
    spans: list[tuple[int, int, str]] = []
    for p in g.places:
        for alias in (p.name, *p.aliases):
            if not alias or (alias.isascii() and len(alias) < 4) or alias.lower() not in low:
                continue
            pattern = rf"(?<![a-z]){re.escape(alias.lower())}(?![a-z])" if alias.isascii() else re.escape(alias)
            for m in re.finditer(pattern, low):
                if not alias.isascii() and _INSTITUTION.match(low, m.end()):
                    continue
                spans.append((m.start(), m.end(), p.name))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out, covered_to = [], -1
    for start, end, name in spans:
        if start >= covered_to:
            out.append(name)
            covered_to = end
    return list(dict.fromkeys(out))


def place_names(g: Glossary, name: str) -> tuple[str, ...]:
    """A place's canonical name followed by its aliases."""
    row = place_index(g).get(name)
    return (name, *row.aliases) if row else (name,)


def canonical_place(g: Glossary, name: str) -> str:
    """The canonical name of a place written as its name or any alias (广东省 → 广东)."""
    row = place_index(g).get(name)
    return row.name if row else name


@lru_cache(maxsize=4)
def place_index(g: Glossary) -> dict:
    """Every place by its canonical name and by each alias (a canonical name wins over an alias)."""
    index = {a: p for p in g.places for a in p.aliases}
    index.update({p.name: p for p in g.places})
    return index


def place_chain(g: Glossary, name: str) -> set[str]:
    """The place, its aliases and every region above it (汕头 → 粤东 → 粤东粤西粤北 → 广东)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        cur = todo.pop()
        if cur in seen:
            continue
        seen.add(cur)
        row = place_index(g).get(cur)
        if row and row.name == cur:
            seen.update(row.aliases)
            todo.extend(r for r in row.region.split("|") if r and r != cur)
    return seen


def covers(region: str | None, places: tuple[str, ...]) -> bool:
    """Does a document of ``region`` apply to (or lie inside) any of ``places``?"""
    if not region:
        return False
    g = load_glossary()
    region_chain = place_chain(g, canonical_place(g, region))
    return any(region in place_chain(g, p) or p in region_chain for p in places)

