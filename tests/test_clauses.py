"""Clause structure of the built-in library, pinned: counts, ids, paths, ledger units, no chrome."""
import re

import pytest

from index.clauses import parse
from index.library import load_library
from index.types import Document


@pytest.fixture(scope="module")
def clauses():
    return {d.id: parse(d) for d in load_library()}


def by_id(clauses, doc, key):
    return next(c for c in clauses[doc] if c.id == f"{doc}:{key}")


def test_clause_counts_per_document(clauses):
    assert {d: len(cs) for d, cs in clauses.items()} == {
        "gd-2024-action-plan": 40, "gd-2021-work-points": 64, "nansha-opinions": 31,
        "gd-2021-2025-action-plan": 29, "hangzhou-opinions": 9}


def test_every_clause_is_a_verbatim_slice_with_unique_id(clauses):
    docs = {d.id: d for d in load_library()}
    for doc_id, cs in clauses.items():
        assert len({c.id for c in cs}) == len(cs)
        for c in cs:
            assert docs[doc_id].text[c.start:c.end] == c.text and c.text.strip()


def test_named_clauses_have_recognisable_paths(clauses):
    ethics = by_id(clauses, "gd-2024-action-plan", "10")
    assert ethics.path_text == "十、建立临床研究伦理审查结果互认" and "3个工作日" in ethics.text
    reform = by_id(clauses, "nansha-opinions", "3.4.10")
    assert reform.path_text == "三、重点攻坚六大工程 › （四）全链条保障支撑工程 › 10. 积极推动创新改革突破"
    assert reform.units == ("牵头单位：科技局、区卫生健康局，配合单位：人才发展局、市场监管局、商务局",)
    broken = by_id(clauses, "gd-2024-action-plan", "4")  # a page break cut "研发服 / 务水平"
    assert "研发服务水平" in broken.text


def test_notice_and_preamble_are_their_own_parts(clauses):
    notice = by_id(clauses, "gd-2024-action-plan", "notice")
    assert notice.label == "通知" and "省工业和信息化厅反映" in notice.text
    assert "力争到2027年" in by_id(clauses, "gd-2024-action-plan", "preamble").text
    assert "9月25日前反馈我厅" in by_id(clauses, "gd-2021-work-points", "notice").text


def test_english_mixed_numbering(clauses):
    plan = {c.id.split(":")[1]: c for c in clauses["gd-2021-2025-action-plan"]}
    assert plan["2.4"].label == "(Four)" and plan["2.4"].path[0] == "II. Work Objectives"
    assert plan["3.2"].label == "(II)"  # the web copy lost item (1) of III.; the list still parses
    assert plan["preface"].label == "News preface" and "Big news" in plan["preface"].text
    assert "The full text is as follows" not in "".join(c.text for c in clauses["gd-2021-2025-action-plan"])
    assert plan["5.2"].units[0].startswith("Led by the Provincial Department of Finance")


def test_ledger_rows_carry_units_down_and_rejoin_broken_names(clauses):
    rows = {c.id.split("row")[1]: c for c in clauses["gd-2021-work-points"] if ".row" in c.id}
    assert len(rows) == 37
    assert rows["18"].units == ("责任单位：省卫生健康委",)
    assert rows["32"].units == ("责任单位：省中医药局",) and rows["31"].units == ("责任单位：省中医药局",)
    assert rows["1"].units == ("责任单位：省发展改革委",) and rows["9"].units == ("责任单位：省科技厅",)
    assert rows["18"].path[-1] == "序号18" and "伦理审查结果互认" in rows["18"].text


CHROME = re.compile(r"首页|打印|小 中 大|发布时间|版权所有|ICP备|公网安备|相关附件|摄影|Official Source|"
                    r"Press Release|^译$|单位\t序号|交通系统网站|\*\*|\]\(#\)", re.M)


def test_no_clause_holds_web_chrome(clauses):
    for cs in clauses.values():
        for c in cs:
            assert not CHROME.search(c.text), (c.id, CHROME.search(c.text).group())


def test_ids_survive_unrelated_edits():
    text = "一、总则\n\n（一）第一条。内容甲。\n\n（二）第二条。内容乙。\n"
    edited = "一、总则\n\n（一）第一条。内容甲已经修改并且变长了很多。\n\n（二）第二条。内容乙。\n"
    before = {c.id: c.text for c in parse(Document("d", "t", "zh", text))}
    after = {c.id: c.text for c in parse(Document("d", "t", "zh", edited))}
    assert before.keys() == after.keys()
    assert before["d:1.2"] == after["d:1.2"] and before["d:1.1"] != after["d:1.1"]
