"""List frequent multi-character legal terms of the corpus-dev health-law texts: where the glossary's legal vocabulary
comes from.

Development tool, not a run-time dependency. It reads the texts of ``../shared/corpus-dev/*.md`` in place (never
copy them into the repository), cuts their bodies with jieba's part-of-speech tagger and counts

* single words tagged as nouns, verbal nouns or other content words (罚款, 血站, 传染病), and
* phrases of two or three adjacent content words (药品 经营 许可证 → 药品经营许可证, 没收 违法所得).

A term is a candidate when it occurs in at least ``--min-docs`` texts: a word that many different laws and
regulations use is general health-law vocabulary, not the subject of one text. Each line says whether the glossary
already knows the term (``syn`` = an alternative of synonyms.tsv, ``term`` = a Chinese item of terms.tsv).

    python scripts/legal_terms.py                     # candidates in >= 5 texts, most widespread first
    python scripts/legal_terms.py --min-docs 8 --new  # only the ones the glossary does not know yet
    python scripts/legal_terms.py --tsv terms.tsv     # write them all (term, texts, occurrences, kind, known)

The glossary rows themselves are chosen by hand from this list (data/glossary/README.md: general domain knowledge,
each row with its source); the script only shows which terms the laws share.
"""
from __future__ import annotations

import argparse
import csv
import logging
import os
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import jieba
import jieba.posseg as posseg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a file from any checkout: compare with that checkout's glossary

from index.glossary import GLOSSARY_DIR, read_entries  # noqa: E402

CORPUS_DEV = Path(os.environ.get("POLICY_CORPUS_DEV") or ROOT.parent / "shared" / "corpus-dev")

# jieba tags kept as content words: nouns (n, nz, nt, nrt…), verbal nouns (vn), verbs (v: 罚款, 吊销, 责令)
# and idioms/fixed expressions (l, i). Place and person names are left out: they name one text's region.
_CONTENT = re.compile(r"^(?:n|nz|nt|ng|vn|v|l|i|j)$")
_NOUNISH = re.compile(r"^(?:n|nz|nt|ng|vn|j)$")
# The header block (title, dates of adoption) precedes this marker; article numbers are structure, not terms.
_MARKER = "<!-- INFO END -->"
_STRUCTURE = re.compile(r"第[一二三四五六七八九十百零〇\d]+[编章节条款项]|[（(][一二三四五六七八九十\d]+[)）]")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class Candidate:
    term: str
    texts: int        # corpus texts containing it
    occurrences: int  # times it was cut out of them
    kind: str         # "word" or "phrase"
    known: str        # "syn", "term", "syn+term" or ""


def bodies(corpus: Path) -> dict[str, str]:
    """Body text of every corpus-dev document (the header block and markdown heading marks removed)."""
    out = {}
    for path in sorted(corpus.glob("*.md")):
        if path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        text = text.split(_MARKER, 1)[1] if _MARKER in text else text
        text = re.sub(r"^#+\s*", "", text, flags=re.M)
        out[path.stem] = _STRUCTURE.sub("，", text)
    return out


def cut(text: str) -> tuple[Counter, Counter]:
    """Content words and phrases of two or three adjacent content words (the last one a noun) of one text."""
    wordc: Counter = Counter()
    phrasec: Counter = Counter()
    run: list[tuple[str, str]] = []

    def flush() -> None:
        for i in range(len(run)):
            for n in (2, 3):
                part = run[i:i + n]
                if len(part) == n and _NOUNISH.match(part[-1][1]):
                    phrase = "".join(w for w, _ in part)
                    if len(phrase) <= 10:
                        phrasec[phrase] += 1
        run.clear()

    for tok in posseg.cut(text):
        w, flag = tok.word, tok.flag
        if _CJK.match(w) and _CONTENT.match(flag):
            if len(w) >= 2:
                wordc[w] += 1
            run.append((w, flag))
        else:
            flush()
    flush()
    return wordc, phrasec


def known_terms(glossary: Path) -> dict[str, str]:
    known: dict[str, set[str]] = defaultdict(set)
    for name, tag in (("synonyms.tsv", "syn"), ("terms.tsv", "term")):
        for e in read_entries(glossary / name):
            for a in e.alternatives[0]:
                known[a].add(tag)
    return {a: "+".join(sorted(tags, reverse=True)) for a, tags in known.items()}


def candidates(texts: dict[str, str], glossary: Path, min_docs: int) -> list[Candidate]:
    docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    total: Counter = Counter()
    for name, text in texts.items():
        for kind, counts in zip(("word", "phrase"), cut(text)):
            for term, n in counts.items():
                docs[(term, kind)].add(name)
                total[(term, kind)] += n
    known = known_terms(glossary)
    found = [Candidate(t, len(d), total[(t, k)], k, known.get(t, "")) for (t, k), d in docs.items()
             if len(d) >= min_docs]
    return sorted(found, key=lambda c: (-c.texts, -c.occurrences, c.term))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS_DEV, help="corpus-dev folder (default: %(default)s)")
    ap.add_argument("--glossary", type=Path, default=GLOSSARY_DIR)
    ap.add_argument("--min-docs", type=int, default=5, help="least number of texts a term occurs in")
    ap.add_argument("--new", action="store_true", help="only terms the glossary does not know")
    ap.add_argument("--kind", choices=("word", "phrase", "all"), default="all")
    ap.add_argument("--tsv", type=Path, help="write the candidates to this file instead of printing them")
    args = ap.parse_args(argv)

    if not args.corpus.is_dir():
        print(f"corpus-dev not found at {args.corpus} (set POLICY_CORPUS_DEV or pass --corpus)", file=sys.stderr)
        return 2
    if args.min_docs < 1:
        print("--min-docs must be at least 1", file=sys.stderr)
        return 2
    jieba.setLogLevel(logging.WARNING)
    texts = bodies(args.corpus)
    if not texts:
        print(f"no *.md texts in {args.corpus}", file=sys.stderr)
        return 2
    found = [c for c in candidates(texts, args.glossary, args.min_docs)
             if (args.kind == "all" or c.kind == args.kind) and not (args.new and c.known)]
    print(f"{len(texts)} texts, {len(found)} candidates in >= {args.min_docs} texts", file=sys.stderr)
    rows = [(c.term, c.texts, c.occurrences, c.kind, c.known or "-") for c in found]
    if args.tsv:
        with args.tsv.open("w", encoding="utf-8", newline="") as out:
            w = csv.writer(out, delimiter="\t", lineterminator="\n")
            w.writerow(["term", "texts", "occurrences", "kind", "known"])
            w.writerows(rows)
    else:
        for row in rows:
            print("\t".join(map(str, row)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
