"""Domain knowledge as data: Chinese synonym groups, EN↔ZH policy terms and places (data/glossary/)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_DIR = Path(__file__).resolve().parent.parent / "data" / "glossary"


@dataclass(frozen=True)
class Place:
    name: str
    region: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Glossary:
    synonyms: tuple[tuple[str, ...], ...]                       # Chinese groups, canonical first
    terms: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (zh alternatives, en alternatives)
    places: tuple[Place, ...]
    lexicon: tuple[tuple[str, tuple[str, ...]], ...] = ()      # English word → Chinese words

    def places_only(self) -> "Glossary":
        """The same geography without query expansion (no synonyms, terms or words): for measuring what the
        expansion adds."""
        return Glossary((), (), self.places, ())

    def words(self) -> set[str]:
        """Chinese terms of art and place names, which the tokenizer keeps whole. Colloquial synonyms
        are left out on purpose: as dictionary words they would re-segment the policies themselves."""
        zh = {w for z, _ in self.terms for w in z}
        zh |= {p.name for p in self.places} | {a for p in self.places for a in p.aliases}
        return {w for w in zh if w and not w.isascii()}


def _rows(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def _alts(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split("|") if a.strip())


@lru_cache(maxsize=4)
def load_glossary(folder: Path = GLOSSARY_DIR) -> Glossary:
    synonyms = tuple(_alts(r[0]) for r in _rows(folder / "synonyms.tsv") if len(_alts(r[0])) > 1)
    terms = tuple((_alts(r[0]), tuple(a.lower() for a in _alts(r[1])))
                  for r in _rows(folder / "terms.tsv") if len(r) >= 2)
    places = tuple(Place(r[0], r[1] if len(r) > 1 else "", _alts(r[2]) if len(r) > 2 else ())
                   for r in _rows(folder / "places.tsv"))
    lexicon = tuple((r[0].lower(), _alts(r[1])) for r in _rows(folder / "words.tsv") if len(r) >= 2)
    return Glossary(synonyms, terms, places, lexicon)
