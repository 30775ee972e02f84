"""Adding a folder of policies: metadata from a library.json or from the texts, a per-file report, one build."""
import json
import subprocess
import sys

from assistant.service import Assistant, add, build
from index.library import load_folder

LAW = """# 示例卫生条例

2020年6月5日 某市第十五届人民代表大会常务委员会第二十二次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了保障公众健康，制定本条例。

第二条 医疗机构应当在接诊后二十四小时内报告。

第三条 本条例自2021年1月1日起施行。
"""
NOTICE = "粤府办〔2024〕11号\n\n一、总体要求\n\n（一）目标。到2027年建成产业集群。\n\n（二）措施。给予最高500万元奖励。\n"


def folder(tmp_path):
    d = tmp_path / "incoming"
    (d / "sub").mkdir(parents=True)
    (d / "law.md").write_text(LAW, encoding="utf-8")
    (d / "sub" / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (d / "empty.txt").write_text("   \n", encoding="utf-8")
    (d / "picture.png").write_bytes(b"\x89PNG")
    (d / "library.json").write_text(json.dumps([{"file": "sub/notice.txt", "title": "示例行动方案",
                                                  "region": "广东省"}], ensure_ascii=False), encoding="utf-8")
    return d


def test_a_folder_is_added_with_a_report_per_file_and_one_build(fake_settings, tmp_path):
    fake_settings.library_dir.mkdir(parents=True)
    (fake_settings.library_dir / "library.json").write_text("[]", encoding="utf-8")
    items, report = add(fake_settings, [folder(tmp_path)])
    by_name = {i.source.name: i for i in items}
    assert set(by_name) == {"law.md", "notice.txt", "empty.txt"}  # the picture is not a policy file
    law, notice, empty = by_name["law.md"], by_name["notice.txt"], by_name["empty.txt"]
    assert law.document.title == "示例卫生条例" and law.document.date == "2020-06-05" and law.clauses == 3
    assert set(law.from_text) >= {"title", "issuer", "date"}
    assert notice.document.title == "示例行动方案" and notice.document.region == "广东省"  # from the listing
    assert notice.document.doc_number == "粤府办〔2024〕11号" and "doc_number" in notice.from_text
    assert empty.skipped and empty.document is None
    assert report.documents == 2 and not report.unchanged
    answer = Assistant(fake_settings).ask("医疗机构接诊后多少小时内报告？")
    assert not answer.abstained and answer.citations[0].clause.id == f"{law.entry['id']}:art2"


def test_nothing_is_listed_when_no_file_yields_a_clause(fake_settings, tmp_path):
    fake_settings.library_dir.mkdir(parents=True)
    (fake_settings.library_dir / "library.json").write_text("[]", encoding="utf-8")
    d = tmp_path / "bad"
    d.mkdir()
    (d / "a.txt").write_text("\n", encoding="utf-8")
    items, report = add(fake_settings, [d])
    assert report is None and items[0].skipped
    assert not (fake_settings.user_library_dir / "library.json").exists()


def test_a_folder_read_in_place_without_a_listing(tmp_path):
    d = folder(tmp_path)
    (d / "library.json").unlink()
    docs = {x.title: x for x in load_folder(d)}
    assert "示例卫生条例" in docs and docs["示例卫生条例"].region is None  # 某市 names no place it knows


def test_the_cli_prints_the_report_as_json_and_exits_1_when_a_file_was_skipped(fake_settings, tmp_path):
    env_dir = tmp_path / "var"
    result = subprocess.run([sys.executable, "-m", "assistant", "add", str(folder(tmp_path)), "--json", "--quiet"],
                            capture_output=True, text=True, timeout=600,
                            env={**__import__("os").environ, "POLICY_DATA_DIR": str(env_dir)})
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    skipped = [f for f in report["files"] if "skipped" in f]
    assert len(skipped) == 1 and skipped[0]["file"].endswith("empty.txt")
    assert report["index"]["documents"] >= 7  # the built-in five and the two added
