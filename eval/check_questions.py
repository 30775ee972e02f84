#!/usr/bin/env python3
"""Check the evaluation question set eval/questions.jsonl against the policy corpus.

Standalone, standard library only.  Usage:

    python3 eval/check_questions.py [path/to/questions.jsonl]

Verifies, for every line of the question file:

* the line is valid JSON holding an object with the required keys and types
  (id, question, lang in {zh, en}, persona in {enterprise, hospital},
  answerable, evidence, facts; optional booleans paraphrase, cross_lingual,
  all_evidence) and no unknown keys;
* ids are unique;
* every evidence string occurs, after removing ALL whitespace and case folding
  (the scorer's normalisation), in exactly one of the five policy texts in
  data/policies/;
* answerable questions have at least one evidence string and one fact list;
  unanswerable questions have "evidence": [] and "facts": [];
* every fact list is a non-empty list of strings, and at least one of its
  alternatives occurs (same normalisation) in the text of the document(s)
  holding the question's evidence, so the fact is attainable by quoting;
* "cross_lingual" is set exactly when an evidence document's language differs
  from the question's language, and "all_evidence" is only used with two or
  more evidence strings.

Warnings (not violations) are printed for evidence strings that occur more than
once inside their document (the retrieved clause is then ambiguous).

Prints counts per slice and the violations; exits 1 if there is any violation.
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "data" / "policies"
DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"

DOCUMENTS = [
    "guangdong-biomedicine-high-quality-action-plan-2024.zh.txt",
    "guangdong-biomedicine-cluster-work-points-2021-2022.zh.txt",
    "nansha-biomedicine-opinions.zh.txt",
    "guangdong-biomedicine-cluster-action-plan-2021-2025.en.txt",
    "hangzhou-biomedicine-several-opinions.en.txt",
]

REQUIRED = {
    "id": str,
    "question": str,
    "lang": str,
    "persona": str,
    "answerable": bool,
    "evidence": list,
    "facts": list,
}
OPTIONAL_FLAGS = ("paraphrase", "cross_lingual", "all_evidence")
LANGS = {"zh", "en"}
PERSONAS = {"enterprise", "hospital"}
_WS = re.compile(r"\s+")


def norm(text):
    """The scorer's normalisation: drop all whitespace, fold case."""
    return _WS.sub("", text).casefold()


def doc_lang(name):
    return name.rsplit(".", 2)[-2]


def load_documents():
    docs = {}
    for name in DOCUMENTS:
        path = POLICY_DIR / name
        docs[name] = norm(path.read_text(encoding="utf-8"))
    return docs


def check_record(rec, docs, problems, warnings):
    qid = rec.get("id", "?")

    def bad(msg):
        problems.append(f"{qid}: {msg}")

    for key, typ in REQUIRED.items():
        if key not in rec:
            bad(f"missing key {key!r}")
        elif not isinstance(rec[key], typ):
            bad(f"key {key!r} should be {typ.__name__}")
    for key in OPTIONAL_FLAGS:
        if key in rec and not isinstance(rec[key], bool):
            bad(f"key {key!r} should be bool")
    unknown = set(rec) - set(REQUIRED) - set(OPTIONAL_FLAGS)
    if unknown:
        bad(f"unknown keys {sorted(unknown)}")
    if any(k not in rec or not isinstance(rec[k], t) for k, t in REQUIRED.items()):
        return
    if not rec["id"].strip() or not rec["question"].strip():
        bad("empty id or question")
    if rec["lang"] not in LANGS:
        bad(f"lang {rec['lang']!r} not in {sorted(LANGS)}")
    if rec["persona"] not in PERSONAS:
        bad(f"persona {rec['persona']!r} not in {sorted(PERSONAS)}")

    evidence, facts = rec["evidence"], rec["facts"]
    if rec["answerable"]:
        if not evidence:
            bad("answerable question without evidence")
        if not facts:
            bad("answerable question without facts")
    else:
        if evidence or facts:
            bad("unanswerable question must have empty evidence and facts")
        for key in OPTIONAL_FLAGS:
            if rec.get(key):
                bad(f"unanswerable question flagged {key}")

    evidence_docs = []
    for ev in evidence:
        if not isinstance(ev, str) or not norm(ev):
            bad(f"evidence item {ev!r} is not a non-empty string")
            continue
        hits = [name for name, text in docs.items() if norm(ev) in text]
        if len(hits) != 1:
            bad(f"evidence {ev!r} occurs in {len(hits)} documents {hits}")
            continue
        evidence_docs.append(hits[0])
        n = docs[hits[0]].count(norm(ev))
        if n > 1:
            warnings.append(f"{qid}: evidence {ev!r} occurs {n} times in {hits[0]}")
    if len(set(map(norm, (e for e in evidence if isinstance(e, str))))) != len(evidence):
        bad("duplicate evidence strings")

    pool = [docs[name] for name in set(evidence_docs)]
    for fact in facts:
        if not isinstance(fact, list) or not fact or not all(
            isinstance(alt, str) and norm(alt) for alt in fact
        ):
            bad(f"fact {fact!r} must be a non-empty list of non-empty strings")
            continue
        if pool and not any(norm(alt) in text for alt in fact for text in pool):
            bad(f"no alternative of fact {fact!r} occurs in the evidence documents")

    if rec["answerable"] and evidence_docs:
        mixed = any(doc_lang(name) != rec["lang"] for name in evidence_docs)
        if mixed != bool(rec.get("cross_lingual")):
            bad(
                "cross_lingual flag does not match the question/evidence languages"
                f" (lang={rec['lang']}, docs={sorted(set(evidence_docs))})"
            )
    if rec.get("all_evidence") and len(evidence) < 2:
        bad("all_evidence needs at least two evidence strings")


def main(argv):
    qpath = Path(argv[1]) if len(argv) > 1 else DEFAULT_QUESTIONS
    docs = load_documents()
    problems, warnings, records = [], [], []
    with qpath.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                problems.append(f"line {lineno}: blank line")
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            if not isinstance(rec, dict):
                problems.append(f"line {lineno}: not a JSON object")
                continue
            records.append(rec)
            check_record(rec, docs, problems, warnings)

    ids = Counter(r.get("id") for r in records)
    for qid, n in ids.items():
        if n > 1:
            problems.append(f"{qid}: id used {n} times")

    slices = Counter()
    for rec in records:
        slices["total"] += 1
        slices[f"lang={rec.get('lang')}"] += 1
        slices[f"persona={rec.get('persona')}"] += 1
        for key in OPTIONAL_FLAGS:
            if rec.get(key):
                slices[key] += 1
        if rec.get("answerable") is False:
            slices["unanswerable"] += 1
    doc_counts = Counter()
    for rec in records:
        hit = {
            name
            for ev in rec.get("evidence", [])
            if isinstance(ev, str)
            for name, text in docs.items()
            if norm(ev) and norm(ev) in text
        }
        for name in hit:
            doc_counts[name] += 1

    print("Slices:")
    for key in ["total", "lang=zh", "lang=en", "persona=enterprise",
                "persona=hospital", *OPTIONAL_FLAGS, "unanswerable"]:
        print(f"  {key:20s} {slices.get(key, 0)}")
    print("Questions per evidence document:")
    for name in DOCUMENTS:
        print(f"  {name:62s} {doc_counts.get(name, 0)}")
    for msg in warnings:
        print(f"WARNING {msg}")
    for msg in problems:
        print(f"VIOLATION {msg}")
    print(f"{len(problems)} violation(s), {len(warnings)} warning(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
