"""Fusion and coverage on small hand-made cases: each feature moves the score the way it should."""
from dataclasses import replace

from assistant.query import analyze
from assistant.retrieve import Candidate, coverage, score
from assistant.tuning import DEFAULT

T = DEFAULT.ranking


def candidate(**features) -> Candidate:
    base = dict(index=0, coverage=0.5, cosine=0.9, dense=0.5, fused=0.5, evidence=False, place=False,
                named=False, same_language=True, ranks={})
    return Candidate(**{**base, **features})


def test_every_feature_raises_the_score():
    base = candidate()
    for feature, better in [("coverage", 0.9), ("dense", 0.9), ("fused", 0.9), ("evidence", True),
                            ("place", True), ("named", True)]:
        assert score(replace(base, **{feature: better}), T) > score(base, T), feature


def test_across_languages_the_cross_weights_apply():
    same, cross = candidate(dense=1.0, coverage=0.0), candidate(dense=1.0, coverage=0.0, same_language=False)
    assert score(cross, T) - score(same, T) == T.dense_cross - T.dense


def test_no_concept_means_the_dense_score_stands_in():
    assert score(candidate(coverage=None, dense=0.8), T) == score(candidate(coverage=0.8, dense=0.8), T)


def test_coverage_weighs_concepts_and_gives_less_credit_to_synonyms():
    q = analyze("医疗机构制剂的审批时限")
    exact = coverage(q, "医疗机构制剂注册与备案的审批时限")
    partial = coverage(q, "医疗机构制剂注册与备案")
    assert exact == 1.0 and 0 < partial < 1
    assert q.heads == ("医疗机构制剂", "审批时限")
    weights = [1.0, 10.0]  # the rarer concept counts for more
    assert coverage(q, "审批时限", weights) > coverage(q, "医疗机构制剂", weights)


def test_an_english_question_covers_a_chinese_clause_only_through_translations():
    q = analyze("What fine applies to a medical institution?")
    assert coverage(q, "医疗机构 处罚款") > coverage(q, "药品 注册")


def test_the_glossary_shortlist_misses_no_row_a_question_matches():
    """Analysis checks only the glossary rows a question shares a character pair or word with; every row the
    full scan would match must be among them, for Chinese, English and mixed questions."""
    import json
    from pathlib import Path

    from assistant.query import _longest_en, _longest_in, _shortlists, _term_index
    from index.glossary import load_glossary

    g = load_glossary()
    synonyms, terms = _shortlists(g)
    root = Path(__file__).resolve().parent.parent / "eval"
    questions = [json.loads(line)["question"] for name in ("questions.jsonl", "holdout.jsonl")
                 for line in (root / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    questions += ["CAR-T细胞治疗 and class III medical devices: what GMP rules apply?", "第二类医疗器械备案"]
    matched = 0
    for q in questions:
        low = q.lower()
        listed = set(synonyms.rows(low))
        for group in g.synonyms:
            if _longest_in(low, group):
                matched += 1
                assert group in listed, (q, group)
        listed = set(terms.rows(low))
        for zh, en in _term_index(g):
            if _longest_in(low, zh) or _longest_en(low, en):
                matched += 1
                assert (zh, en) in listed, (q, zh, en)
    assert matched > len(questions)  # the check is not vacuous
