"""What a question asks for (interrogative forms), and whether a sentence states it; quantities in text."""
import pytest

from assistant.asks import answers, asks, role
from assistant.quantities import quantities, to_number


@pytest.mark.parametrize("question, kind", [
    ("处方要保存多久？", "duration"),
    ("多中心临床研究参与单位要在几个工作日内反馈互认意见？", "duration"),
    ("卫生许可证多久要复核一次？", "frequency"),
    ("药事会一年最少要开几回？", "frequency"),
    ("未取得许可擅自经营的，罚款多少？", "money"),
    ("汕头的药厂做技术改造能补多少？", "money"),
    ("违反规定会受到什么处罚？", "penalty"),
    ("取得资质的医院按总床位的多大比例设置研究床位？", "percent"),
    ("孕妇多大年纪以上应做产前诊断？", "age"),
    ("救护车入口前多少米内禁止停车？", "measure"),
    ("一辆救护车最少配几个人？", "count"),
    ("第一类医疗器械备案向哪个部门提交资料？", "authority"),
    ("这件事由谁负责？", "authority"),
    ("审批时限比法定时限提速多少？", "quantity"),
    ("兄妹几个意见不统一，还能办理遗体捐献吗？", None),  # the last clause asks yes or no
    ("How long must prescriptions be kept?", "duration"),
    ("How much can a category-1 drug get in Hangzhou?", "money"),
    ("Which department approves the licence?", "authority"),
    ("Do citizens aged 60 have to pay the fee when they need blood?", None),
    ("How often must the committee meet?", "frequency"),
])
def test_the_interrogative_decides_the_kind(question, kind):
    assert asks(question) == kind


@pytest.mark.parametrize("kind, text, expected", [
    ("duration", "应当自受理之日起二十日内作出决定。", True),
    ("duration", "植入类医疗器械进货查验记录应当永久保存。", True),
    ("duration", "依法办理相关手续。", False),
    ("frequency", "每季度至少召开1次工作会议。", True),
    ("frequency", "争取1~2家高水平医院获批。", False),
    ("money", "处一万元以上三万元以下的罚款。", True),
    ("percent", "按不超过30%比例予以奖励。", True),
    ("percent", "单个项目奖励不超过1500万元。", False),
    ("authority", "由县级以上人民政府卫生行政部门审批。", True),
    ("count", "每辆救护车应当至少配备急救医师一名。", True),
])
def test_a_sentence_answers_only_what_it_states(kind, text, expected):
    assert answers(kind, text) is expected


def test_an_amount_must_be_paid_as_what_was_asked():
    paid_as = role("南沙对新取得注册证的企业奖励多少钱？", "money")
    assert paid_as == "support"
    assert not answers("money", "引进和培育产值超5亿元的企业10家以上。", paid_as)
    assert answers("money", "给予最高500万元奖励。", paid_as)


@pytest.mark.parametrize("text, kind, value, unit", [
    ("应当在三十日内办理", "duration", 30, "日"),
    ("处五万元以上", "money", 50_000, "元"),
    ("单个项目不超过1,500万元", "money", 15_000_000, "元"),
    ("百分之三十", "percent", 30, "%"),
    ("六十周岁以上", "age", 60, "岁"),
    ("抢救结束后6小时内", "duration", 6, "小时"),
    ("within 30 working days", "duration", 30, "工作日"),
    ("up to RMB 2 million", "money", 2_000_000, "元"),
    ("2℃至8℃冷藏", "measure", 2, "℃"),
])
def test_quantities_are_read_with_kind_value_and_unit(text, kind, value, unit):
    q = quantities(text)[0]
    assert (q.kind, q.value, q.unit) == (kind, value, unit)


def test_a_date_is_not_a_duration_of_years():
    assert [q.kind for q in quantities("自2024年1月1日起施行")] == ["date"]


@pytest.mark.parametrize("token, value", [("三十", 30), ("一百零五", 105), ("一万五千", 15000), ("两", 2), ("1.5", 1.5)])
def test_chinese_and_arabic_numerals(token, value):
    assert to_number(token) == value


@pytest.mark.parametrize("question, subject, cue", [
    ("哨点医院多久要上报一次？", "上报", "多久"),
    ("伦理委员会多长时间要召开一次会议？", "召开", "多长时间"),
    ("If a pharmacy is fined for selling fake drugs, how much is it?", "selling", "fined"),
])
def test_words_between_the_parts_of_a_cue_stay_the_subject(question, subject, cue):
    from assistant.asks import cue_spans
    from assistant.query import analyze

    removed = [question[s:e] for s, e in cue_spans(question, asks(question))]
    assert cue in removed and not any(subject in r for r in removed)
    assert any(subject.startswith(h) or h in subject for h in analyze(question).heads)
