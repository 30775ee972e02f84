"""The evaluation set itself: unique ids, evidence verbatim in exactly one policy, sane slices."""
import pytest

from eval.metrics import norm
from eval.run import QUESTIONS, load_questions, slice_of
from index.library import load_library

HOLDOUT = QUESTIONS.with_name("holdout.jsonl")


@pytest.mark.parametrize("path, at_least", [(QUESTIONS, 100), (HOLDOUT, 50)])
def test_ids_unique_and_evidence_in_exactly_one_document(path, at_least):
    questions = load_questions(path)
    assert len({q["id"] for q in questions}) == len(questions) >= at_least
    docs = {d.id: norm(d.text) for d in load_library()}
    for q in questions:
        for ev in q["evidence"]:
            holders = [d for d, text in docs.items() if norm(ev) in text]
            assert len(holders) == 1, (q["id"], ev, holders)


def test_slices_are_covered():
    questions = load_questions()
    count = {s: sum(1 for q in questions if slice_of(q) == s) for s in
             ("plain", "paraphrase", "cross_lingual", "multi", "unanswerable")}
    assert sum(1 for q in questions if q.get("paraphrase")) >= 20
    assert sum(1 for q in questions if q.get("cross_lingual")) >= 10
    assert count["multi"] >= 6 and count["unanswerable"] >= 12
    assert {q["lang"] for q in questions} == {"zh", "en"} and {q["persona"] for q in questions} == {
        "enterprise", "hospital"}
    for q in questions:
        assert bool(q["evidence"]) == q["answerable"] == bool(q["facts"])
