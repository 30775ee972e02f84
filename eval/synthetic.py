"""A synthetic library at scale for benchmarks: varied copies of corpus-dev, never part of any evaluation.

Each copy of a corpus-dev text is moved to another place of ``data/glossary/places.tsv`` (its own place names
replaced; a national text becomes that place's implementing rules), gets its amounts, periods and dates changed
and a new title, and keeps its structure (chapters, articles, items), so it parses into as many clauses as its
original. Copies are made until the library holds the requested number of clauses. The output is deterministic
for a seed and written once, atomically, to a folder with a ``library.json``; it is read in place like any
extra library (``Settings.extra_libraries``).
"""
from __future__ import annotations

import json
import math
import os
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from index.clauses import parse
from index.glossary import Place, load_glossary
from index.library import load_library, read_listing
from index.numbering import to_int, zh_numeral

VERSION = 1          # bump when the copies change: a cached library of another version is made again
STAMP = "synthetic.json"

_ZH_NUM = "〇零一二三四五六七八九十百千两"
_UNIT = r"(?=\s*(?:%|％|个工作日|个月|个|日|天|周岁|周|年|小时|倍|人|次|名|张|项|家|元|万元|亿元|万|亿|平方米|米|公里|千克|克|毫升))"
# one pass, so a changed number is never changed again: a date, an Arabic number before a unit, a Chinese
# numeral before a unit; never a number after 第/之 (article and item numbers)
_FIGURE = re.compile(
    r"(?P<date>(?P<y>(?:19|20)\d{2})年(?:\d{1,2}月(?:\d{1,2}日)?)?)"
    rf"|(?<![第之\d.])(?P<arabic>\d+(?:\.\d+)?){_UNIT}"
    rf"|(?<![第之{_ZH_NUM}])(?P<zh>[{_ZH_NUM}]+){_UNIT}")
_FACTORS = (0.5, 1.5, 2, 3, 4)


@dataclass(frozen=True)
class SyntheticLibrary:
    folder: Path
    documents: int
    clauses: int      # parsed clauses of all copies (each copy parses like its original)
    created: bool     # False: an existing library of the same version and size was reused


def ensure(source: Path, folder: Path, min_clauses: int, seed: int = 0) -> SyntheticLibrary:
    """The synthetic library in ``folder`` with at least ``min_clauses`` clauses, generated unless a complete
    one made from the same source with the same version, size and seed is already there."""
    wanted = {"version": VERSION, "source": str(source.resolve()), "min_clauses": min_clauses, "seed": seed}
    stamp = _read_stamp(folder)
    if stamp and all(stamp.get(k) == v for k, v in wanted.items()):
        return SyntheticLibrary(folder, stamp["documents"], stamp["clauses"], False)
    originals = load_library(source)
    counts = {d.id: len(parse(d)) for d in originals}
    per_round = sum(counts.values())
    if not per_round:
        raise ValueError(f"{source}: no clauses to copy")
    rounds = math.ceil(min_clauses / per_round)
    files = {e["id"]: source / e["file"] for e in read_listing(source)}
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    places = _places()
    rng = random.Random(seed)
    listing = []
    for k in range(1, rounds + 1):
        for doc in originals:
            entry, text = copy(doc, files[doc.id].read_text(encoding="utf-8"), k, places, rng)
            (partial / entry["file"]).write_text(text, encoding="utf-8")
            listing.append(entry)
    (partial / "library.json").write_text(json.dumps(listing, ensure_ascii=False, indent=1), encoding="utf-8")
    made = {**wanted, "documents": len(listing), "clauses": rounds * per_round}
    (partial / STAMP).write_text(json.dumps(made), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(partial, folder)
    return SyntheticLibrary(folder, made["documents"], made["clauses"], True)


def copy(doc, raw: str, k: int, places: list[Place], rng: random.Random) -> tuple[dict, str]:
    """Copy ``k`` of a document (``raw``: its file as written): a listing entry and the new file text."""
    own = _own_names(doc.region)
    target = rng.choice([p for p in places if p.name not in own])
    full = official_name(target)
    factor = rng.choice(_FACTORS)
    years = rng.randint(1, 6)
    text = vary_figures(replace_places(raw, own, target), factor, years)
    old_title = doc.title
    if own:
        title = replace_places(old_title, own, target)
    else:  # a national text: the place's own rules implementing it
        title = f"{full}实施《{old_title}》办法"
    title = f"{title}（第{zh_numeral(k)}版）"
    lines = text.split("\n", 1)
    text = f"# {title}\n{lines[1] if len(lines) > 1 else ''}" if lines[0].startswith("# ") else text
    date = _shift_date(doc.date, years) if doc.date else None
    number = f"{full}人民政府令第{rng.randint(1, 400)}号" if doc.doc_number else None
    ident = f"{doc.id[:56]}-s{k:02d}"
    entry = {"id": ident, "file": f"{ident}.md", "title": title, "issuer": f"{full}人民政府", "date": date,
             "region": full, "language": doc.language, "doc_number": number,
             "source": f"synthetic copy {k} of {doc.id} (eval/synthetic.py)"}
    return entry, text


def replace_places(text: str, own: list[str], target: Place) -> str:
    """The document's own place names (longest first, so 北京市 goes whole) → the target's."""
    full = official_name(target)
    for name in own:
        text = text.replace(name, full if name != own[-1] else target.name)
    return text


def vary_figures(text: str, factor: float, years: int) -> str:
    """Amounts and periods times ``factor``, dates ``years`` later."""
    def change(m: re.Match) -> str:
        if m.group("date"):
            return str(int(m.group("y")) + years) + m.group("date")[4:]
        if m.group("arabic"):
            value = float(m.group("arabic")) * factor
            return f"{value:g}" if "." in m.group("arabic") else str(max(1, round(value)))
        written = m.group("zh")
        n = to_int(written)
        # 一 is mostly part of a word (一次性, 统一); 二〇二一 is a year written digit by digit
        if n is None or n < 2 or ("〇" in written and not set(written) & set("十百千")):
            return written
        value = max(1, round(n * factor))
        return zh_numeral(value) if value < 1000 else str(value)

    return _FIGURE.sub(change, text)


def official_name(place: Place) -> str:
    """The place as an official text writes it (四川省, 成都市, 内蒙古自治区), else its short name."""
    for alias in place.aliases:
        if alias.startswith(place.name) and re.fullmatch(r".+(?:省|市|自治区|特别行政区|盟|州|地区|县|区)", alias):
            return alias
    return place.name


def _places() -> list[Place]:
    """Provinces and cities: the places with an official name (no macro-regions, no country)."""
    return [p for p in load_glossary().places if p.name != "全国" and official_name(p) != p.name]


def _own_names(region: str | None) -> list[str]:
    """A document's own place names, longest first ending with the short name; [] for a national text."""
    if not region or region == "全国":
        return []
    for p in load_glossary().places:
        if region == p.name or region in p.aliases:
            names = [a for a in p.aliases if not a.isascii() and a.startswith(p.name) and a != p.name]
            return sorted(names, key=len, reverse=True) + [p.name]
    return [region]


def _shift_date(date: str, years: int) -> str:
    y, *rest = date.split("-")
    return "-".join([str(int(y) + years), *rest]) if y.isdigit() else date


def _read_stamp(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
