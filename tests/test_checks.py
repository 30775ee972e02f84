"""Each abstention rule on its own (assistant.checks), without an index."""
from dataclasses import replace

from assistant import checks
from assistant.query import analyze
from assistant.tuning import DEFAULT
from index.types import Document

T = DEFAULT.abstention


def signals(coverage=0.0, cosine=0.0, same_language=True, unknown=0.0):
    return checks.Signals(coverage, cosine, same_language, unknown)


def test_absent_terms_names_them():
    reason = checks.absent_terms(["签证"])
    assert reason.check == "absent_terms" and reason.values == {"terms": "签证"}
    assert checks.absent_terms([]) is None


def test_place_not_covered_only_when_every_place_is_outside_every_document():
    guangdong = {"a": Document("a", "甲", "zh", "x", region="广东省")}
    national = {**guangdong, "n": Document("n", "法", "zh", "x", region="全国")}
    assert checks.place_not_covered(analyze("上海的企业补多少？"), guangdong).check == "place_not_covered"
    assert checks.place_not_covered(analyze("上海的企业补多少？"), national) is None  # a national law applies
    assert checks.place_not_covered(analyze("汕头的企业补多少？"), guangdong) is None  # 汕头 lies in 广东
    assert checks.place_not_covered(analyze("企业补多少？"), guangdong) is None


def test_weak_match_needs_words_or_meaning():
    assert checks.weak_match(signals(coverage=T.min_coverage), T) is None
    assert checks.weak_match(signals(coverage=T.min_coverage - 0.01, cosine=T.min_cosine), T) is None
    assert checks.weak_match(signals(coverage=0.1, cosine=T.min_cosine - 0.01), T).check == "weak_match"
    # across languages the cosine runs lower and has its own floor
    assert checks.weak_match(signals(coverage=0.1, cosine=T.min_cosine_cross, same_language=False), T) is None


def test_answer_kind_missing_names_the_kind():
    q = analyze("处方要保存多久？")
    assert checks.answer_kind_missing(q, "处方应当妥善保存。").key == "reason_duration"
    assert checks.answer_kind_missing(q, "普通处方保存期限为1年。") is None
    assert checks.answer_kind_missing(analyze("处方由谁开具？"), "由执业医师开具。") is None


def test_off_subject_applies_to_number_questions_only():
    weak = signals(coverage=T.min_fact_coverage - 0.01, cosine=0.5)
    assert checks.off_subject(analyze("处方要保存多久？"), weak, T).check == "off_subject"
    assert checks.off_subject(analyze("处方由谁开具？"), weak, T) is None
    assert checks.off_subject(analyze("处方要保存多久？"), replace(weak, coverage=T.min_fact_coverage), T) is None


def test_out_of_library_when_much_is_unknown_and_meaning_is_far():
    far = signals(coverage=0.7, cosine=T.unknown_cosine - 0.01, unknown=T.max_unknown)
    assert checks.out_of_library(far, T).check == "out_of_library"
    assert checks.out_of_library(replace(far, cosine=T.unknown_cosine), T) is None
    assert checks.out_of_library(replace(far, unknown=T.max_unknown - 0.01), T) is None
