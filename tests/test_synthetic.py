"""The synthetic library of the benchmark: varied copies that parse like their originals, made once."""
import json

from eval.synthetic import ensure, vary_figures
from index.clauses import parse
from index.library import load_folder, load_library
from index.places import covers

LOCAL = ("# 北京市献血条例\n\n2021年11月26日 北京市人民代表大会常务委员会通过\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n"
         "第一条 在北京市行政区域内开展献血活动，适用本条例。\n\n"
         "第二条 违反本条例的，处二百元以下罚款；情节严重的，处5000元以上2万元以下罚款。\n\n"
         "第三条 献血者可在十五日内申请返还费用。")
NATIONAL = ("# 中华人民共和国中医药条例\n\n2003年4月7日 国务院公布\n\n<!-- INFO END -->\n\n"
            "第一条 为了继承和发展中医药学，制定本条例。\n\n第二条 保护期满前六个月申请延长。")


def source(folder):
    folder.mkdir()
    (folder / "local.md").write_text(LOCAL, encoding="utf-8")
    (folder / "national.md").write_text(NATIONAL, encoding="utf-8")
    listing = [{"id": "bj-blood", "file": "local.md", "title": "北京市献血条例", "region": "北京市", "language": "zh",
                "date": "2021-11-26"},
               {"id": "tcm", "file": "national.md", "title": "中华人民共和国中医药条例", "region": "全国",
                "language": "zh", "date": "2003-04-07", "doc_number": "中华人民共和国国务院令第374号"}]
    (folder / "library.json").write_text(json.dumps(listing, ensure_ascii=False), encoding="utf-8")
    return folder


def test_copies_move_place_figures_dates_and_titles_but_parse_like_their_originals(tmp_path):
    src = source(tmp_path / "src")
    originals = {d.id: len(parse(d)) for d in load_library(src)}
    made = ensure(src, tmp_path / "syn", min_clauses=3 * sum(originals.values()))
    copies = load_folder(made.folder)
    assert made.created and made.documents == len(copies) == 6
    assert made.clauses == sum(len(parse(d)) for d in copies) == 3 * sum(originals.values())
    assert len({d.title for d in copies}) == 6 and len({d.id for d in copies}) == 6
    for d in copies:
        assert "北京" not in d.text and "北京" not in d.title
        assert covers(d.region, (d.region,)) and d.region != "全国"  # a place the glossary knows
        assert "第二条" in d.text and "2021年" not in d.text and "2003年" not in d.text
    local = [d for d in copies if d.id.startswith("bj-blood")]
    assert all("二百元以下罚款" not in d.text and "罚款" in d.text for d in local)
    national = [d for d in copies if d.id.startswith("tcm")]
    assert all(d.title.startswith(d.region) and "中医药条例" in d.title for d in national)


def test_a_library_made_before_is_reused_and_a_bigger_one_made_again(tmp_path):
    src = source(tmp_path / "src")
    first = ensure(src, tmp_path / "syn", min_clauses=10)
    again = ensure(src, tmp_path / "syn", min_clauses=10)
    assert first.created and not again.created and again.documents == first.documents
    bigger = ensure(src, tmp_path / "syn", min_clauses=100)
    assert bigger.created and bigger.documents > first.documents
    assert not (tmp_path / "syn.partial").exists()


def test_figures_change_but_article_numbers_and_words_stay():
    text = "第二十六条 处二百元以下罚款，30%的补贴，最高1000万元，2021年11月26日通过，一次性补助，二〇二一年"
    varied = vary_figures(text, 2, 3)
    assert varied == "第二十六条 处四百元以下罚款，60%的补贴，最高2000万元，2024年11月26日通过，一次性补助，二〇二一年"
