"""The verifier's rules, each on small hand-made clauses (no index): what passes and what is removed."""
import pytest

from assistant.verify import Source, cited, segments, split, verify
from index.types import Clause, Document

GD = Document("gd", "关于进一步推动广东生物医药产业高质量发展的行动方案", "zh", "", doc_number="粤府办〔2024〕11号",
              region="广东省", date="2024-10-08", title_translated="Action Plan for Guangdong's Biomedical Industry")
NS = Document("ns", "广州南沙加快推进生物医药产业高质量发展的意见", "zh", "", region="广州南沙",
              title_translated="Opinions on Accelerating the Biomedical Industry in Nansha, Guangzhou")
HZ = Document("hz", "Several Opinions on Accelerating the High-Quality Development of the Biomedical Industry "
              "(Hangzhou)", "en", "", region="杭州")
WP = Document("wp", "广东省生物医药与健康战略性新兴产业集群2021-2022年度工作要点", "zh", "", doc_number="粤科社字〔2021〕146号",
              region="广东省")
REWARD = Clause("gd:28", "gd", "二十八、", ("二十八、支持数智化改造提升生产效率",),
                "二十八、支持数智化改造提升生产效率。对符合条件的技术改造项目新设备购置额按珠三角地区不超过20%、"
                "粤东粤西粤北地区不超过30%比例予以事后奖励，单个支持项目奖励额度不超过1500万元。", 0, 100, "zh")
ETHICS = Clause("gd:10", "gd", "十、", ("十、建立临床研究伦理审查结果互认",),
                "十、建立临床研究伦理审查结果互认。参与单位须在3个工作日内反馈伦理审查结果互认意见。", 0, 50, "zh")
DEVICE = Clause("ns:3.2", "ns", "（二）", ("三、支持措施", "（二）支持医疗器械发展"),
                "对首次取得第三类医疗器械注册证的企业，根据《医疗器械监督管理条例》给予最高500万元奖励。", 0, 50, "zh")
HZ_DEVICE = Clause("hz:2", "hz", "(2)", ("(2) Medical devices",),
                   "Class III medical devices that obtain registration receive up to RMB 10 million.", 0, 80, "en")
SOURCES = [Source(1, REWARD, GD), Source(2, ETHICS, GD), Source(3, DEVICE, NS), Source(4, HZ_DEVICE, HZ)]
LIBRARY = {d.id: d for d in (GD, NS, HZ, WP)}


def check(answer: str, lang: str = "zh"):
    return verify(answer, SOURCES, LIBRARY, lang)


def reasons(answer: str, lang: str = "zh") -> list[str | None]:
    return [s.reason for s in check(answer, lang).sentences]


GOOD = ("汕头属于粤东地区，技术改造项目按新设备购置额不超过30%的比例予以事后奖励，单个项目最高1,500万元[1]。"
        "多中心临床研究的参与单位须在三个工作日内反馈意见[2]。")


def test_a_correct_answer_passes_untouched():
    v = check(GOOD)
    assert [s.reason for s in v.sentences] == [None, None]
    assert v.text() == GOOD and v.core_failure() is None
    assert v.to_dict() == {"sentences": 2, "kept": 2, "removed": []}


# rule 1 ------------------------------------------------------------------------------------------
def test_every_sentence_must_cite_a_clause_that_exists():
    assert "没有标注引用" in reasons("技术改造项目可获事后奖励。")[0]
    assert "[7]" in reasons("技术改造项目可获事后奖励[7]。")[0]
    assert "[7]" in reasons("技术改造项目可获事后奖励[1][7]。")[0]  # one wrong number is enough
    assert "cites no clause" in reasons("Devices get support.", "en")[0]


def test_citation_markers_in_their_usual_forms():
    assert cited("…[1]") == (1,) and cited("…[1][3]") == (1, 3) and cited("…[1, 3]") == (1, 3)
    assert cited("…【2】") == (2,) and cited("…[1-3]") == (1, 2, 3) and cited("no marker") == ()


# rule 2 ------------------------------------------------------------------------------------------
def test_quotations_must_be_verbatim_in_a_cited_clause():
    assert reasons("条款规定“单个支持项目奖励额度不超过1500万元”[1]。") == [None]
    assert reasons("条款规定“对符合条件的技术改造项目……单个支持项目奖励额度不超过1500万元”[1]。") == [None]
    assert "引文" in reasons("条款规定“单个项目最高奖励2000万元”[1]。")[0]
    assert "引文" in reasons("条款规定“参与单位须在3个工作日内反馈”[1]。")[0]  # verbatim, but in [2], not [1]
    assert reasons("见“二十八、支持数智化改造提升生产效率”[1]。") == [None]  # the clause heading is its words too


def test_a_marked_translation_is_not_held_to_the_clause_words_but_its_figures_are():
    ok = 'Class III devices get up to RMB 10 million [4] ("up to RMB 10 million"; 译：“最高1000万元”)[4].'
    assert reasons(ok, "en") == [None]
    bad = 'Class III devices get support [4] (译：“最高2000万元”)[4].'
    assert "2000万元" in reasons(bad, "en")[0]


# rule 3 ------------------------------------------------------------------------------------------
def test_an_invented_figure_is_removed():
    assert "40%" in reasons("粤东地区可按40%的比例获得事后奖励[1]。")[0]


def test_a_figure_from_another_clause_than_the_one_cited_is_removed():
    assert "3个工作日" in reasons("技术改造项目须在3个工作日内反馈[1]。")[0]
    swapped = "南沙对第三类医疗器械给予最高1000万元奖励[3]；杭州最高给予500万元[4]。"
    assert "1000万元" in reasons(swapped)[0]  # each part of a sentence is checked against its own clause
    assert reasons("南沙对第三类医疗器械给予最高500万元奖励[3]；杭州最高给予1000万元[4]。") == [None]
    assert reasons("南沙[3]和杭州[4]对第三类医疗器械的奖励分别最高为500万元和1000万元。") == [None]


def test_figures_from_the_citation_itself_are_allowed():
    assert reasons("粤府办〔2024〕11号文于2024年10月8日印发，第二十八条规定奖励不超过30%[1]。") == [None]


# rule 4 ------------------------------------------------------------------------------------------
def test_a_document_named_must_be_cited():
    assert reasons("《关于进一步推动广东生物医药产业高质量发展的行动方案》规定不超过30%[1]。") == [None]
    assert reasons("《行动方案》规定不超过30%[1]。") == [None]  # a short form of the cited title
    assert "工作要点" in reasons("《广东省生物医药与健康战略性新兴产业集群工作要点》规定不超过30%[1]。")[0]
    assert "粤科社字" in reasons("根据粤科社字〔2021〕146号，奖励不超过30%[1]。")[0]
    assert reasons("依据《医疗器械监督管理条例》给予最高500万元奖励[3]。") == [None]  # named by the clause itself
    named = "The Several Opinions on Accelerating the High-Quality Development of the Biomedical Industry (Hangzhou) " \
            "give up to 30% [1]."
    assert "Several Opinions" in reasons(named, "en")[0]


# rule 5 ------------------------------------------------------------------------------------------
def test_an_article_named_must_be_a_cited_clause():
    assert reasons("第二十八条规定粤东粤西粤北地区不超过30%[1]。") == [None]
    assert "第五条" in reasons("第五条规定粤东粤西粤北地区不超过30%[1]。")[0]


# rule 6 ------------------------------------------------------------------------------------------
def test_a_place_named_must_be_covered_by_a_cited_document():
    assert reasons("汕头的技术改造项目按不超过30%的比例予以事后奖励[1]。") == [None]  # 汕头 → 粤东 → 广东
    assert "杭州" in reasons("杭州对首次取得第三类医疗器械注册证的企业给予最高500万元奖励[3]。")[0]
    assert reasons("Nansha, Guangzhou rewards Class III device registrations with up to 500万元 [3].", "en") == [None]


# rule 7 ------------------------------------------------------------------------------------------
def test_a_sentence_about_something_else_than_its_clause_is_removed():
    assert "不符" in reasons("中药配方颗粒的医保支付政策由省医保局统一制定并组织实施[1]。")[0]
    # across languages the word check does not apply; rules 1-6 still do
    assert reasons("Guangdong rewards technical upgrading of eligible projects [1].", "en") == [None]


# the answer as a whole ---------------------------------------------------------------------------
def test_removed_sentences_are_cut_and_the_layout_kept():
    answer = "汕头适用不超过30%的比例[1]。\n\n- 另有40%的补贴[1]。\n- 参与单位须在3个工作日内反馈[2]。"
    v = check(answer)
    assert [s.reason is None for s in v.sentences] == [True, False, True]
    assert v.text() == "汕头适用不超过30%的比例[1]。\n\n- 参与单位须在3个工作日内反馈[2]。"
    assert v.to_dict()["removed"][0]["sentence"] == "另有40%的补贴[1]。"


@pytest.mark.parametrize("answer, failure", [
    ("另有40%的补贴[1]。", "nothing_kept"),
    ("另有40%的补贴[1]。汕头适用不超过30%的比例[1]。", "first_removed"),
    ("汕头适用不超过30%的比例[1]。另有40%的补贴[1]。另有50%的补贴[1]。", "most_removed"),
    ("汕头适用不超过30%的比例[1]。另有40%的补贴[1]。参与单位须在3个工作日内反馈[2]。", None),
])
def test_the_core_claim_decides_whether_the_answer_stands(answer, failure):
    assert check(answer).core_failure() == failure


def test_sentences_end_at_stops_not_at_decimals_and_keep_their_markers():
    text = "Rates are 1.5 times higher. [1] Then 30% applies [2].\n**Note**\n---"
    assert [text[s:e] for s, e in split(text)] == ["Rates are 1.5 times higher. [1]", "Then 30% applies [2].",
                                                    "**Note**"]
    assert segments("南沙…[3]；杭州…[4]。") == [("南沙…[3]", (3,)), ("；杭州…[4]。", (4,))]
    assert segments("南沙[3]和杭州[4]分别奖励。")[-1] == ("分别奖励。", (3, 4))  # unmarked words: all its clauses
