"""The composer on a small statute library indexed with the fake embedder: items quoted with their lead,
numbers only from sentences that state them, abstentions that name their reason."""
import json
from dataclasses import replace

import pytest

from assistant.service import Assistant, build

RULES = """示例医疗器械经营管理办法

第一章 总则

第一条 为了规范医疗器械经营活动，制定本办法。

第二章 经营许可

第二条 设区的市级负责药品监督管理的部门应当自受理之日起20个工作日内作出决定。

第三条 医疗器械经营许可证有效期为5年。

第三章 法律责任

第四条 有下列情形之一的，由药品监督管理部门责令限期改正，处1万元以上5万元以下罚款：

（一）擅自变更经营场所或者库房地址的；

（二）未按规定建立进货查验记录制度的。

第五条 经营企业应当依法开展经营活动。
"""


@pytest.fixture
def assistant(fake_settings):
    lib = fake_settings.library_dir
    lib.mkdir(parents=True)
    (lib / "rules.txt").write_text(RULES, encoding="utf-8")
    (lib / "library.json").write_text(json.dumps([{"id": "rules", "file": "rules.txt", "title": "示例医疗器械经营管理办法",
                                                   "region": "全国", "language": "zh"}], ensure_ascii=False),
                                      encoding="utf-8")
    build(fake_settings, progress=False)
    return Assistant(fake_settings)


def test_an_item_is_quoted_with_the_sentence_that_sets_its_penalty(assistant):
    answer = assistant.ask("经营企业擅自变更库房地址的，罚款多少？")
    assert not answer.abstained
    quotes = [c.quote for c in answer.citations]
    assert any("1万元以上5万元以下罚款" in q for q in quotes) and any("库房地址" in q for q in quotes)
    assert all(c.clause.id == "rules:art4" for c in answer.citations)


def test_the_number_comes_from_the_sentence_that_states_it(assistant):
    answer = assistant.ask("医疗器械经营许可证有效期是几年？")
    assert not answer.abstained and answer.citations[0].clause.id == "rules:art3" and "5年" in answer.text


def test_a_number_question_the_clauses_do_not_answer_is_refused_with_its_reason(assistant):
    answer = assistant.ask("经营企业依法开展经营活动，要缴纳多少保证金？")
    assert answer.abstained and answer.abstention in ("answer_kind_missing", "off_subject", "weak_match")
    assert "示例医疗器械经营管理办法" in answer.text  # the closest clauses are named by title, never by id


def test_quotes_are_verbatim_and_the_lead_in_names_the_article(assistant):
    answer = assistant.ask("市级药品监督管理部门应当在多少个工作日内作出决定？")
    c = answer.citations[0]
    assert c.clause.text[c.quote_start:c.quote_end] == c.quote and "20个工作日" in c.quote
    assert "第二条" in answer.text and not c.quote.startswith("第二条")  # the label is said once, not quoted again


LICENCE = """示例医疗器械生产管理办法

第一条 医疗器械生产许可证有效期为5年，有效期届满应当在届满前90日至30日内申请延续。企业名称、法定代表人发生变化的，应当在变更后30个工作日内向原发证部门申请登记事项变更。
"""


def test_across_languages_the_sentence_is_chosen_by_the_translated_words_of_the_question(fake_settings):
    """Both sentences state a number of days; the English question's words, through the glossary's
    translations (registration → 登记, item → 事项, change → 变更), pick the one it asks about."""
    lib = fake_settings.library_dir
    lib.mkdir(parents=True)
    (lib / "licence.txt").write_text(LICENCE, encoding="utf-8")
    (lib / "library.json").write_text(json.dumps([{"id": "licence", "file": "licence.txt", "region": "全国",
                                                   "title": "示例医疗器械生产管理办法", "language": "zh"}],
                                                 ensure_ascii=False), encoding="utf-8")
    build(fake_settings, progress=False)
    answer = Assistant(fake_settings).ask(
        "Within how many working days after a change must a manufacturer apply to change its registration items?")
    assert not answer.abstained
    assert "30个工作日内向原发证部门申请登记事项变更" in answer.citations[0].quote


def test_a_number_sentence_is_judged_with_the_title_of_its_statute():
    """An article rarely repeats what its statute regulates: here only the title says the records are a cold
    chain's. The quoted sentence is judged with the title, so the number it states answers the question;
    without a title the same sentence is off the question's subject."""
    from assistant.answer import compose
    from assistant.query import analyze
    from assistant.types import Hit
    from index.types import Clause, Document

    text = "第十二条 有关记录应当保存5年。"
    clause = Clause("cold:art12", "cold", "第十二条", ("第三章 记录", "第十二条"), text, 0, len(text), "zh")
    hit = Hit(clause, 1.0, 1, {"coverage": 0.5, "cosine": 0.5})
    query = analyze("医疗器械冷链运输企业的记录要保存多久？")
    titled = Document(id="cold", title="医疗器械冷链运输质量管理规范", language="zh", text=text)
    answered = compose(query, [hit], {"cold": titled})
    assert not answered.abstained and "保存5年" in answered.citations[0].quote
    assert compose(query, [hit], {"cold": replace(titled, title="")}).reason == "off_subject"
