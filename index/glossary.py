"""Domain knowledge as data: Chinese synonym groups, EN↔ZH policy terms and places (data/glossary/)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_DIR = Path(__file__).resolve().parent.parent / "data" / "glossary"

# Cells of alternatives per row; the cell after them is the row's source (data/glossary/README.md).
SIDES = {"synonyms.tsv": 1, "terms.tsv": 2, "words.tsv": 2}

# Interrogatives and question shapes. An alternative holding one was lifted from a question ("审批要多久",
# "能拿多少") instead of naming a thing, and would pull every question of that shape to one clause.
_ZH_QUESTION = re.compile(r"多少|多久|多长|多大|多快|多远|几|吗|呢|怎|如何|哪|谁|啥|什么|为何|是否|能否|有没有|可不可"
                          r"|(.)不\1"                        # 能不能, 是不是, 会不会
                          r"|(?:能|可以|能够)[拿领]"          # 能拿, 可以领
                          r"|(?:最多|最高|最少|至少)(?:能|可以)")
_NOT_QUESTION = re.compile(r"几乎|几何|几率|几丁|茶几|吗啡|呢绒")  # words that merely contain 几/吗/呢
_EN_QUESTION = frozenset("what how which who whom whose when where why".split())


@dataclass(frozen=True)
class Place:
    name: str
    region: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: caches keyed on it stay cheap
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


def is_question_fragment(text: str) -> bool:
    """Whether a glossary alternative is (part of) a question rather than the name of a thing."""
    if _ZH_QUESTION.search(_NOT_QUESTION.sub("", text)):
        return True
    return any(w.strip("?,.!;:") in _EN_QUESTION for w in text.lower().split())


@dataclass(frozen=True)
class Entry:
    """One row of synonyms.tsv, terms.tsv or words.tsv as written."""
    line: int
    cells: tuple[str, ...]  # TAB-separated, unstripped
    sides: int              # how many cells hold alternatives; the next one is the source

    @property
    def alternatives(self) -> tuple[tuple[str, ...], ...]:
        return tuple(_alts(c) for c in self.cells[:self.sides])

    @property
    def source(self) -> str:
        return self.cells[self.sides].strip() if len(self.cells) > self.sides else ""


def read_entries(path: Path) -> list[Entry]:
    """The rows of one of the SIDES files with their sources (missing file: none)."""
    if not path.exists():
        return []
    return [Entry(no, tuple(line.split("\t")), SIDES[path.name])
            for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]


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
    # rows are read with their source column, which matching leaves out
    syn, ter, wor = (read_entries(folder / name) for name in ("synonyms.tsv", "terms.tsv", "words.tsv"))
    synonyms = tuple(_alts(e.cells[0]) for e in syn if len(_alts(e.cells[0])) > 1)
    terms = tuple((_alts(e.cells[0]), tuple(a.lower() for a in _alts(e.cells[1]))) for e in ter if len(e.cells) >= 2)
    places = tuple(Place(r[0], r[1] if len(r) > 1 else "", _alts(r[2]) if len(r) > 2 else ())
                   for r in _rows(folder / "places.tsv"))
    lexicon = tuple((e.cells[0].strip().lower(), _alts(e.cells[1])) for e in wor if len(e.cells) >= 2)
    return Glossary(synonyms, terms, places, lexicon)
