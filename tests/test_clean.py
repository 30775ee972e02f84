"""Cleaning: web chrome goes, broken lines are re-joined, paragraphs stay apart."""
from index.clean import clean
from index.library import load_library

RAW = """

译

[首页](#) > [政策文件](#) > [政策法规](#)

# 某某通知

发布时间：2024-10-09 10:00 来源：广东省人民政府门户网站

[【打印】](#) [【小 中 大】](#)     570

## 某某通知

**四、促进研发服务平台建设。**着力提升药品和医疗器械研发、临床前研究、临床试验等研发服

务水平。

**五、推动知识产权保护。**重点培育建设广

州国际生物岛等园区。译

#### 相关附件：

[分工表.pdf](#)

版权所有：广东省交通运输厅 粤ICP备2022083830号
"""


def test_chrome_is_removed():
    text = clean(RAW)
    for chrome in ("首页", "打印", "小 中 大", "570", "发布时间", "相关附件", "分工表", "版权所有", "ICP", "**"):
        assert chrome not in text
    assert text.count("某某通知") == 1  # the heading the page repeats is kept once
    assert "\n译\n" not in text and not text.rstrip().endswith("译")


def test_broken_lines_rejoin_without_gluing_paragraphs():
    text = clean(RAW)
    assert "研发服务水平。" in text
    assert "广州国际生物岛" in text
    paragraphs = text.strip().split("\n\n")
    assert any(p.startswith("四、") for p in paragraphs) and any(p.startswith("五、") for p in paragraphs)


def test_titles_and_headings_are_not_glued():
    text = clean("粤府办〔2024〕11号\n\n关于某事的通知\n\n各地级以上市人民政府：\n\n一、工作目标\n\n在产业规模方面加快进位。\n")
    assert text.split("\n\n") == ["粤府办〔2024〕11号", "关于某事的通知", "各地级以上市人民政府：", "一、工作目标",
                                  "在产业规模方面加快进位。\n"]


def test_clean_is_idempotent_on_the_corpus():
    for doc in load_library():
        assert clean(doc.text) == doc.text


def test_english_photo_credit_and_source_lines_go():
    text = clean("Title!\n\n摄影/孙明闽\n\nBody text here.\n\nOfficial Source:\n\nHangzhou City Press Release")
    assert "摄影" not in text and "Official Source" not in text and "Press Release" not in text
