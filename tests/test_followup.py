"""Follow-up questions become standalone by rules."""
import pytest

from assistant.followup import rewrite


@pytest.mark.parametrize("follow, previous, expected", [
    ("那杭州呢？", "南沙对种子基金的投资损失允许率是多少？", "杭州对种子基金的投资损失允许率是多少？"),
    ("那汕头呢？", "珠三角企业技术改造奖励比例是多少？", "汕头企业技术改造奖励比例是多少？"),
    ("那医疗器械呢？", "创新药挂网采购要多少个工作日？", "医疗器械挂网采购要多少个工作日？"),
    ("what about medical devices?", "How fast are innovative drugs listed for procurement in Guangdong?",
     "How fast are medical devices listed for procurement in Guangdong?"),
    ("What about Hangzhou?", "How much can a category-1 drug get in Nansha?",
     "How much can a category-1 drug get in Hangzhou?"),
])
def test_follow_ups_are_rewritten(follow, previous, expected):
    assert rewrite(follow, previous) == expected


def test_standalone_questions_are_left_alone():
    assert rewrite("多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？", "汕头的药厂做技术改造能补多少？") is None
    assert rewrite("那杭州呢？", None) is None


def test_a_follow_up_without_a_known_slot_is_appended():
    assert rewrite("那中试平台呢？", "南沙对公共服务平台有什么支持？") == "南沙对公共服务平台有什么支持（中试平台）？"
