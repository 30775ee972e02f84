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
