"""Figures as comparable values: the same figure written differently matches; another figure does not."""
from decimal import Decimal

import pytest

from assistant.numbers import figures, label_number, references, supported, zh_number


def only(text: str):
    found = figures(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("a, b", [
    ("三个工作日", "3个工作日"), ("three working days", "3个工作日"), ("1,500万元", "1500万元"),
    ("15 million yuan", "1500万元"), ("RMB 15 million", "1500万元"), ("1.5亿元", "15000万元"),
    ("一千五百万元", "1500万元"), ("30%", "百分之三十"), ("30 percent", "30％"), ("十五日", "15日"),
    ("15 days", "十五天"), ("2024年10月8日", "October 8, 2024"), ("8 October 2024", "2024-10-08"),
    ("Class III", "第三类"), ("III类", "三类"), ("Phase II", "II期"), ("one trillion yuan", "超万亿元"),
])
def test_the_same_figure_written_two_ways_matches(a, b):
    assert supported(only(a), figures(b)) and supported(only(b), figures(a))


@pytest.mark.parametrize("claim, clause", [
    ("30天", "30%"), ("3天", "3个工作日"), ("40%", "不超过30%"), ("15万元", "1500万元"), ("Class II", "第三类"),
    ("2025年", "2024年10月8日"), ("5个百分点", "5%"), ("1500元", "1500万元"),
])
def test_another_value_or_unit_does_not_match(claim, clause):
    assert not supported(only(claim), figures(clause))


def test_a_bare_number_matches_the_number_written_in_a_clause():
    assert supported(only("1500"), figures("奖励额度不超过1500万元"))  # as written, before 万 scales it
    assert supported(only("by 2027"), figures("力争到2027年"))          # a year
    assert supported(only("1500万"), figures("不超过1500万元"))          # scale given, unit left out


def test_words_are_figures_only_before_a_unit():
    assert figures("推进一体化，深化三医协同，落实十四五规划，统一标准") == []
    assert figures("建设一个平台") == [] and figures("one of the platforms") == []
    assert [f.value for f in figures("两个平台，五年内")] == [2, 5]


def test_ranges_give_the_first_number_the_unit_of_the_second():
    assert [(f.value, f.unit) for f in figures("3至5个工作日")] == [(3, "workday"), (5, "workday")]
    assert [f.value for f in figures("1000至2000万元")] == [10**7, 2 * 10**7]
    assert [f.value for f in figures("1000万至2000万元")] == [10**7, 2 * 10**7]


def test_references_to_clauses_and_documents_are_not_figures():
    assert figures("依据第二十八条和Article 3，粤府办〔2024〕11号[1]，（四）") == []
    assert [(w, n) for w, n in references("依据第二十八条和Article 3")] == [("第二十八条", 28), ("Article 3", 3)]


@pytest.mark.parametrize("heading, number", [("二十八、支持数智化改造", 28), ("（四）加快审评", 4), ("(II) Build", 2),
                                             ("10. 推动", 10), ("第十条 申请", 10), ("(Four) Support", 4),
                                             ("前言", None)])
def test_clause_headings_have_numbers(heading, number):
    assert label_number(heading) == number


def test_chinese_numerals():
    assert zh_number("一千五百万") == 15_000_000 and zh_number("十五") == 15 and zh_number("二〇二四") == 2024
    assert zh_number("一亿五千万") == 150_000_000 and zh_number("十二点五") == Decimal("12.5")
    assert zh_number("三医") is None
