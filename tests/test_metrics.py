"""Metrics on hand-computed cases."""
import math

import pytest

from eval import metrics as m

TEXTS = ["甲条款 无关", "乙条款：须在3个工作日内反馈", "丙 条款 含 Evidence Two", "丁"]


def test_matching_ignores_whitespace_and_case():
    assert m.contains("须在 3 个\n工作日内", "须在3个工作日内")
    assert m.contains("Evidence TWO here", "evidence two")
    assert not m.contains("须在5个工作日内", "3个工作日")


def test_recall_mrr_ndcg_by_hand():
    ev = ["3个工作日"]
    assert m.recall_at(TEXTS, ev, 1) == 0.0 and m.recall_at(TEXTS, ev, 2) == 1.0
    assert m.mrr_at(TEXTS, ev) == 0.5
    assert m.ndcg_at(TEXTS, ev) == pytest.approx(1 / math.log2(3))


def test_all_evidence_recall_is_the_share_found():
    ev = ["3个工作日", "evidence two", "not anywhere"]
    assert m.recall_at(TEXTS, ev, 5, all_evidence=True) == pytest.approx(2 / 3)
    assert m.recall_at(TEXTS, ev, 2, all_evidence=True) == pytest.approx(1 / 3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert m.ndcg_at(TEXTS, ev) == pytest.approx((1 / math.log2(3) + 1 / math.log2(4)) / ideal)


def test_citation_recall_and_precision():
    assert m.citation_recall([TEXTS[0], TEXTS[1]], ["3个工作日"]) == 1.0
    assert m.citation_precision([TEXTS[0], TEXTS[1]], ["3个工作日"]) == 0.5
    assert m.citation_precision([], ["x"]) is None


def test_fact_accuracy_needs_every_fact_list():
    answer = "最高 1500 万元，比例不超过30%"
    assert m.fact_accuracy(answer, [["1500万元"], ["30%", "三成"]]) == 1.0
    assert m.fact_accuracy(answer, [["1500万元"], ["20%"]]) == 0.0


def test_verbatim_percentile_mean():
    assert m.verbatim([("abc", "xxabcxx"), ("abd", "abc")]) == 0.5
    assert m.percentile([1, 2, 3, 4], 50) == 2.5 and m.percentile([5], 95) == 5
    assert m.mean([1.0, None, 0.0]) == 0.5 and m.mean([None]) is None
