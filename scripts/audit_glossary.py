"""Audit the query-expansion glossary (synonyms.tsv, terms.tsv, words.tsv) for rows fitted to evaluation questions.

For every alternative of every row it reports whether it is a question fragment (index.glossary.is_question_fragment,
the same detector tests/test_glossary.py uses), in how many policy texts it occurs (the built-in data/policies/*.txt
and the ../shared/corpus-dev/*.md texts, read in place) and in how many evaluation questions (eval/questions.jsonl,
eval/holdout.jsonl, eval/corpus_dev/*.jsonl). An alternative that no policy text contains and exactly one question
does is *suspect*: it was probably written for that question (data/glossary/README.md says what to do with it).

    python scripts/audit_glossary.py                      # summary and the flagged alternatives
    python scripts/audit_glossary.py --show all --tsv audit.tsv
    python scripts/audit_glossary.py --check              # exit 1 on a question fragment or a row without source

Development tool, not a run-time dependency. Matching is on NFKC-normalised, lower-cased text: Chinese by substring,
ASCII alternatives as whole words.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a file from any checkout: audit that checkout's glossary and detector

from index.glossary import GLOSSARY_DIR, SIDES, read_entries, is_question_fragment  # noqa: E402

CORPUS_DEV = Path(os.environ.get("POLICY_CORPUS_DEV") or ROOT.parent / "shared" / "corpus-dev")
QUESTION_FILES = ("eval/questions.jsonl", "eval/holdout.jsonl", "eval/corpus_dev")
SIDE_NAMES = {"synonyms.tsv": ("zh",), "terms.tsv": ("zh", "en"), "words.tsv": ("en", "zh")}


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    side: str
    alternative: str
    canonical: str            # first alternative of the same side
    source: str
    question: bool            # is_question_fragment
    builtin: int              # built-in policy texts containing it
    corpus: int               # corpus-dev texts containing it
    questions: tuple[str, ...]  # ids of evaluation questions containing it

    @property
    def flag(self) -> str:
        if self.question:
            return "question-fragment"
        if self.builtin + self.corpus == 0:
            return "one-question" if len(self.questions) == 1 else "no-policy-text"
        return ""


class Occurrences:
    """Occurrences of a string in a set of texts (cached: words.tsv repeats many alternatives)."""

    def __init__(self, texts: dict[str, str]):
        self.texts = {k: norm(v) for k, v in texts.items()}
        self.cache: dict[str, tuple[str, ...]] = {}

    def where(self, alternative: str) -> tuple[str, ...]:
        a = norm(alternative)
        if a not in self.cache:
            if a.isascii():
                pattern = re.compile(r"(?<![a-z0-9])" + re.escape(a) + r"(?![a-z0-9])")
                self.cache[a] = tuple(k for k, t in self.texts.items() if pattern.search(t))
            else:
                self.cache[a] = tuple(k for k, t in self.texts.items() if a in t)
        return self.cache[a]


def load_questions(paths: list[Path]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in paths:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for f in files:
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    q = json.loads(line)
                    out[f"{f.stem}:{q['id']}"] = q["question"]
    return out


def audit(glossary: Path, builtin: Occurrences, corpus: Occurrences, questions: Occurrences) -> list[Finding]:
    findings = []
    for name in SIDES:
        for e in read_entries(glossary / name):
            for side, alts in zip(SIDE_NAMES[name], e.alternatives):
                for a in alts:
                    findings.append(Finding(name, e.line, side, a, alts[0], e.source, is_question_fragment(a),
                                            len(builtin.where(a)), len(corpus.where(a)), questions.where(a)))
    return findings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--glossary", type=Path, default=GLOSSARY_DIR)
    ap.add_argument("--corpus", type=Path, default=CORPUS_DEV, help="corpus-dev folder (default: %(default)s)")
    ap.add_argument("--questions", type=Path, action="append", default=[],
                    help="more question files or folders of *.jsonl (besides eval/questions.jsonl, eval/holdout.jsonl,"
                         " eval/corpus_dev/)")
    ap.add_argument("--show", choices=("flagged", "all", "none"), default="flagged")
    ap.add_argument("--tsv", type=Path, help="write every alternative with its counts to this file")
    ap.add_argument("--check", action="store_true", help="exit 1 on a question fragment or a row without source")
    args = ap.parse_args(argv)

    if not args.corpus.is_dir():
        print(f"corpus-dev not found at {args.corpus} (set POLICY_CORPUS_DEV or pass --corpus)", file=sys.stderr)
        return 2
    absent = [str(p) for p in [args.glossary, *args.questions] if not p.exists()]
    if absent:
        print(f"not found: {', '.join(absent)}", file=sys.stderr)
        return 2
    question_paths = [p for p in (ROOT / q for q in QUESTION_FILES) if p.exists()] + args.questions
    missing = [q for q in QUESTION_FILES if not (ROOT / q).exists()]
    if missing:
        print(f"note: not found, not counted: {', '.join(missing)}", file=sys.stderr)
    policies = sorted((ROOT / "data" / "policies").glob("*.txt"))
    builtin = Occurrences({p.name: p.read_text(encoding="utf-8") for p in policies})
    corpus = Occurrences({p.name: p.read_text(encoding="utf-8") for p in sorted(args.corpus.glob("*.md"))
                          if p.name != "README.md"})
    questions = Occurrences(load_questions(question_paths))
    findings = audit(args.glossary, builtin, corpus, questions)

    print(f"policy texts: {len(builtin.texts)} built-in, {len(corpus.texts)} corpus-dev; "
          f"evaluation questions: {len(questions.texts)}")
    print(f"{'file':14} {'rows':>5} {'no src':>6} {'alts':>6} {'question':>8} {'1-quest.':>8} {'no text':>7}")
    for name in SIDES:
        fs = [f for f in findings if f.file == name]
        rows = {f.line: f.source for f in fs}
        print(f"{name:14} {len(rows):5} {sum(not s for s in rows.values()):6} {len(fs):6} "
              f"{sum(f.flag == 'question-fragment' for f in fs):8} {sum(f.flag == 'one-question' for f in fs):8} "
              f"{sum(f.flag == 'no-policy-text' for f in fs):7}")

    shown = [f for f in findings if args.show == "all" or (args.show == "flagged" and f.flag in
                                                            ("question-fragment", "one-question"))]
    for f in shown:
        print(f"{f.file}:{f.line}\t{f.side}\t{f.alternative}\t[{f.canonical}]\t{f.flag or '-'}\t"
              f"texts={f.builtin}+{f.corpus}\tquestions={len(f.questions)} {' '.join(f.questions[:3])}")
    if args.tsv:
        with args.tsv.open("w", encoding="utf-8", newline="") as out:
            w = csv.writer(out, delimiter="\t", lineterminator="\n")
            w.writerow(["file", "line", "side", "alternative", "canonical", "flag", "builtin_texts", "corpus_texts",
                        "questions", "question_ids", "source"])
            for f in findings:
                w.writerow([f.file, f.line, f.side, f.alternative, f.canonical, f.flag, f.builtin, f.corpus,
                            len(f.questions), " ".join(f.questions), f.source])
    if args.check:
        bad = [f for f in findings if f.question] + [f for f in findings if not f.source]
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
