"""The glossary (data/glossary: synonyms, terms, words) is well-formed general domain knowledge: every row has a
source, no alternative is a question fragment, and the formats of data/glossary/README.md hold."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from index.glossary import GLOSSARY_DIR, SIDES, is_question_fragment, load_glossary, read_entries


def problems(folder: Path) -> list[str]:
    """Every violation of the README's rules in a glossary folder, as 'file:line: what'."""
    found = []
    for name, sides in SIDES.items():
        entries = read_entries(folder / name)
        for e in entries:
            where = f"{name}:{e.line}"
            if len(e.cells) != sides + 1:
                found.append(f"{where}: {len(e.cells)} TAB-separated cells, expected {sides + 1}")
                continue
            if not e.source:
                found.append(f"{where}: no source")
            for cell in e.cells[:sides]:
                items = cell.split("|")
                if any(not a or a != a.strip() for a in items):
                    found.append(f"{where}: empty alternative or stray space in {cell!r}")
                if len(set(items)) != len(items):
                    found.append(f"{where}: repeated alternative in {cell!r}")
                found += [f"{where}: question fragment {a!r}" for a in items if is_question_fragment(a)]
        if name == "synonyms.tsv":
            found += [f"{name}:{e.line}: fewer than two alternatives" for e in entries if len(e.alternatives[0]) < 2]
        # synonyms: an item in two groups; terms: a Chinese item on two lines; words: an English word twice
        if name in ("synonyms.tsv", "terms.tsv"):
            counts = Counter(a for e in entries for a in set(e.alternatives[0]))
        else:
            counts = Counter(e.cells[0] for e in entries)
        found += [f"{name}: {a!r} on {n} lines" for a, n in counts.items() if n > 1]
    return found


def test_the_glossary_has_no_problems():
    assert problems(GLOSSARY_DIR) == []


def test_every_file_has_rows():
    # a renamed or emptied file would pass every check above
    for name in SIDES:
        assert len(read_entries(GLOSSARY_DIR / name)) > 100, name


@pytest.mark.parametrize("row, expected", [
    ("审批时限|审批要多久\tcommon usage", "question fragment '审批要多久'"),
    ("奖励额度|能拿多少\tcommon usage", "question fragment '能拿多少'"),
    ("召开|多久开一次\tcommon usage", "question fragment '多久开一次'"),
    ("审批时限|审批时间", "1 TAB-separated cells, expected 2"),  # no source column at all
    ("审批时限|审批时间\t ", "no source"),
    ("审批时限||审批时间\tcommon usage", "empty alternative"),
    ("审批时限\tcommon usage", "fewer than two alternatives"),
])
def test_a_bad_synonym_row_is_caught(tmp_path, row, expected):
    (tmp_path / "synonyms.tsv").write_text(f"# comment\n\n医药企业|药企\tcommon usage\n{row}\n", encoding="utf-8")
    found = problems(tmp_path)
    assert any(expected in p for p in found), found


def test_a_group_repeating_an_item_is_caught(tmp_path):
    (tmp_path / "synonyms.tsv").write_text("医药企业|药企\tcommon usage\n龙头企业|药企\tcommon usage\n",
                                           encoding="utf-8")
    assert problems(tmp_path) == ["synonyms.tsv: '药企' on 2 lines"]


def test_bad_term_and_word_rows_are_caught(tmp_path):
    (tmp_path / "terms.tsv").write_text("审评时限\thow long does review take\tcommon usage\n", encoding="utf-8")
    (tmp_path / "words.tsv").write_text("drug\t药品\n", encoding="utf-8")
    assert problems(tmp_path) == ["terms.tsv:1: question fragment 'how long does review take'",
                                  "words.tsv:1: 2 TAB-separated cells, expected 3"]


@pytest.mark.parametrize("text", ["多少钱", "审批要多久", "几成", "用了几年", "会不会追责", "谁来解释", "最多能拿",
                                  "可以亏多少", "怎么进口", "是否需要", "how much", "What money"])
def test_question_fragments_are_detected(text):
    assert is_question_fragment(text)


@pytest.mark.parametrize("text", ["审评时限", "最高奖励", "可追溯", "能力", "吗啡", "几丁聚糖", "know-how", "上限",
                                  "time limit"])
def test_names_are_not_question_fragments(text):
    assert not is_question_fragment(text)


def test_the_source_is_left_out_of_matching(tmp_path):
    (tmp_path / "synonyms.tsv").write_text("医药企业|药企\tpolicy: 粤府办〔2024〕11号\n", encoding="utf-8")
    (tmp_path / "terms.tsv").write_text("创新药\tinnovative drug\tNMPA terminology\n", encoding="utf-8")
    (tmp_path / "words.tsv").write_text("drug\t药品|药物\tdictionary\n", encoding="utf-8")
    g = load_glossary(tmp_path)
    assert g.synonyms == (("医药企业", "药企"),)
    assert g.terms == ((("创新药",), ("innovative drug",)),)
    assert g.lexicon == (("drug", ("药品", "药物")),)
