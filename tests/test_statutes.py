"""Statute structure: 编/章/节 over 第X条 articles, 款 and 项, header blocks; on ../shared/corpus-dev and on small
hand-made texts of every form (English included), plus metadata read from the text."""
import json
import re
from pathlib import Path

import pytest

from index.clauses import MAX_CLAUSE, parse
from index.clean import clean
from index.library import load_document, stated_metadata
from index.types import Document

CORPUS_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus-dev"
ARTICLE = re.compile(r"^第([一二三四五六七八九十百零〇]+)条", re.M)


def doc(text: str, language: str = "zh", id: str = "d") -> Document:
    return Document(id, "t", language, clean(text))


@pytest.fixture(scope="module")
def corpus_dev():
    if not (CORPUS_DEV / "library.json").exists():
        pytest.fail(f"the development corpus is missing: expected it read in place at {CORPUS_DEV}")
    entries = json.loads((CORPUS_DEV / "library.json").read_text(encoding="utf-8"))
    return [(e, load_document(CORPUS_DEV / e["file"], e)) for e in entries]


def test_almost_every_article_of_corpus_dev_is_a_clause_with_its_path(corpus_dev):
    articles = own = 0
    for entry, document in corpus_dev:
        body = (CORPUS_DEV / entry["file"]).read_text(encoding="utf-8").split("<!-- INFO END -->")[-1]
        headings = {re.sub(r"\s", "", h) for h in re.findall(r"^#{2,} (.+)$", body, re.M)}
        found = {c.label: c for c in parse(document) if c.id.split(":")[1].startswith("art")}
        for number in ARTICLE.findall(body):
            articles += 1
            clause = found.get(f"第{number}条")
            if clause and clause.path[-1] == f"第{number}条" and ARTICLE.match(clause.text) \
                    and not ARTICLE.search(clause.text, 1):
                own += 1
        # every heading on an article's path is one of the document's own chapter/section headings
        on_paths = {re.sub(r"\s", "", p) for c in found.values() for p in c.path[:-1]}
        assert on_paths <= headings, (entry["id"], on_paths - headings)
    assert articles >= 2800 and own / articles >= 0.98, (own, articles)


def test_no_preamble_holds_an_article_and_no_clause_is_oversized(corpus_dev):
    for _, document in corpus_dev:
        for c in parse(document):
            if c.label in ("前言", "Preamble", "通知"):
                assert not ARTICLE.search(c.text), (c.id, c.text[:80])
            if len(c.text) > MAX_CLAUSE:
                # only a single paragraph that truly is that long
                assert "\n\n" not in c.text.strip(), (c.id, len(c.text))


def test_metadata_is_read_from_the_header(corpus_dev):
    agree = {k: 0 for k in ("title", "doc_number", "issuer", "date", "region")}
    for entry, document in corpus_dev:
        stated = stated_metadata(document.text)
        for k in agree:
            expected = entry.get(k)
            got = stated[k]
            if k == "region" and expected and got:
                from index.glossary import load_glossary
                from index.places import canonical_place
                g = load_glossary()
                expected, got = canonical_place(g, expected), canonical_place(g, got)
            agree[k] += got == expected
    assert min(agree.values()) >= 0.9 * len(corpus_dev), agree


LAW = """# 中华人民共和国示例法

2019年8月26日 第十三届全国人民代表大会常务委员会第十二次会议修订

2023年1月1日 施行

<!-- INFO END -->

## 第一章　总　　则

第一条 为了规范示例活动，制定本法。

第二条 本法适用于境内的示例活动。

## 第二章 许可

### 第一节 申请

第三条 申请人应当提交下列材料：

（一）申请书；

（二）证明文件。

第四条 主管部门应当自受理之日起二十日内作出决定。

前款规定的期限不包括专家评审时间。

### 第二节 变更

第五条 变更许可事项的，应当在变更后三十日内申请。

## 第三章 附则

第六条 本法自2023年1月1日起施行。
"""


def test_chapters_sections_articles_paragraphs_and_items():
    clauses = {c.id.split(":")[1]: c for c in parse(doc(LAW))}
    assert set(clauses) == {f"art{i}" for i in range(1, 7)}  # the header block is metadata, not a clause
    assert clauses["art1"].path_text == "第一章 总则 › 第一条"
    assert clauses["art3"].path_text == "第二章 许可 › 第一节 申请 › 第三条"
    assert "（二）证明文件" in clauses["art3"].text  # items stay in their article
    assert "前款规定的期限" in clauses["art4"].text     # so does its second paragraph (款)
    assert clauses["art5"].path_text == "第二章 许可 › 第二节 变更 › 第五条"
    assert clauses["art6"].path[0] == "第三章 附则"


def test_a_long_article_is_cited_by_its_paragraphs():
    long_para = "申请人应当如实提交材料。" * 80
    text = f"第一条 总则规定。\n\n第二条 {long_para}\n\n（一）情形一；\n\n（二）情形二。\n\n{long_para}\n\n第三条 附则。\n"
    clauses = {c.id.split(":")[1]: c for c in parse(doc(text))}
    assert "art2" not in clauses and {"art2.p1", "art2.p2"} <= set(clauses)
    assert clauses["art2.p1"].path[-2:] == ("第二条", "第一款") and "（二）情形二" in clauses["art2.p1"].text
    assert clauses["art2.p2"].label == "第二条第二款"


def test_a_judicial_interpretation_has_its_preamble_and_flat_articles():
    text = ("最高人民法院关于审理示例案件适用法律若干问题的解释\n\n法释〔2024〕9号\n\n"
            "为正确审理示例案件，根据有关法律规定，制定本解释。\n\n"
            "第一条 购买者请求支付惩罚性赔偿金的，人民法院依法予以支持。\n\n"
            "第二条 本解释自公布之日起施行。\n\n第三条 以前的规定与本解释不一致的，以本解释为准。\n")
    clauses = parse(doc(text))
    assert [c.label for c in clauses] == ["前言", "第一条", "第二条", "第三条"]
    assert clauses[0].text.startswith("为正确审理") and "法释" not in clauses[0].text
    meta = stated_metadata(clean(text))
    assert meta["doc_number"] == "法释〔2024〕9号" and meta["issuer"] == "最高人民法院"


def test_english_chapters_and_articles():
    text = ("Regulations on Examples\n\nChapter I General Provisions\n\nArticle 1 These Regulations are formulated "
            "to regulate examples.\n\nArticle 2 They apply within the territory.\n\nChapter II Licensing\n\n"
            "Article 3 An applicant shall submit the following materials:\n\n(1) an application;\n\n"
            "(2) proof of identity.\n\nArticle 4 The department shall decide within 20 working days.\n")
    clauses = {c.id.split(":")[1]: c for c in parse(doc(text, "en"))}
    assert set(clauses) == {"art1", "art2", "art3", "art4"}
    assert clauses["art3"].path_text == "Chapter II Licensing › Article 3" and "(2) proof" in clauses["art3"].text


def test_a_notice_wrapping_rules_keeps_the_notice_apart_from_the_articles():
    text = ("关于印发《示例管理办法》的通知\n\n各有关单位：\n\n现将《示例管理办法》印发给你们，请认真贯彻执行。\n\n"
            "示例管理办法\n\n第一章 总则\n\n第一条 为了规范管理，制定本办法。\n\n第二条 本办法适用于示例。\n\n"
            "第三条 本办法自印发之日起施行。\n")
    clauses = parse(doc(text))
    assert clauses[0].label == "通知" and "印发给你们" in clauses[0].text and "第一条" not in clauses[0].text
    assert [c.label for c in clauses[1:]] == ["第一条", "第二条", "第三条"]


def test_outline_numbering_still_parses_beside_the_statute_reader():
    text = "一、总体要求\n\n（一）指导思想。坚持创新驱动。\n\n（二）发展目标。到2027年产业规模达到1万亿元。\n"
    clauses = parse(doc(text))
    assert [c.id for c in clauses] == ["d:1.1", "d:1.2"] and clauses[1].path_text == "一、总体要求 › （二）发展目标"


def test_article_ids_survive_unrelated_edits():
    edited = LAW.replace("为了规范示例活动，制定本法。", "为了规范和促进示例活动，保障各方权益，制定本法。")
    before = {c.id: c.text for c in parse(doc(LAW))}
    after = {c.id: c.text for c in parse(doc(edited))}
    assert before.keys() == after.keys() and before["d:art4"] == after["d:art4"] and before["d:art1"] != after["d:art1"]
