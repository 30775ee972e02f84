"""Web handlers without a browser: answer records, rendering, follow-ups, votes in SQLite, guarded uploads."""
import csv
import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document as Docx

from web import ui
from web.signing import Signer
from assistant.config import Settings
from assistant.feedback import SCHEMA, FeedbackStore
from index.errors import LoadError, PolicyError

pytestmark = pytest.mark.slow


def test_follow_up_is_answered_as_a_standalone_question(assistant):
    first = ui.ask(assistant, "南沙种子投资基金的投资损失允许率是多少？", None)
    second = ui.ask(assistant, "那杭州呢？", first.question)
    assert second.rewritten and "杭州" in second.rewritten and "投资损失允许率" in second.rewritten
    record = ui.answer_record(second, assistant.documents)
    assert record["asked"] == "那杭州呢？" and record["question"] == second.rewritten == record["rewritten"]


def test_an_answer_record_carries_what_opens_each_quote_in_its_document(assistant):
    turn = ui.ask(assistant, "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？", None,
                  regions=["广东省"])
    record = ui.answer_record(turn, assistant.documents, regions=["广东省"], document_ids=["gd-2024-action-plan"])
    c = record["citations"][0]
    text = assistant.documents[c["document_id"]].text
    assert text[c["start"]:c["end"]] == c["quote"] and "3个工作日" in c["quote"]
    assert c["clause_start"] <= c["start"] < c["end"] <= c["clause_end"] and text[c["clause_start"]:c["clause_end"]] == c["text"]
    assert (c["doc_number"], c["clause_path"]) == ("粤府办〔2024〕11号", "十、建立临床研究伦理审查结果互认")
    assert f"[{c['n']}]" in record["text"]
    assert record["filters"] == {"regions": ["广东省"], "documents": [
        {"id": "gd-2024-action-plan", "title": assistant.documents["gd-2024-action-plan"].title}]}
    assert json.loads(json.dumps(record)) == record  # what the browser stores is plain JSON


def test_abstentions_name_documents_by_title_and_list_see_also_clauses(assistant):
    turn = ui.ask(assistant, "上海对完成II期临床试验的1类创新药补贴多少钱？", None)
    record = ui.answer_record(turn, assistant.documents)
    assert record["abstained"] and not record["citations"] and record["see_also"]
    assert not [d for d in assistant.documents if d in record["text"]]  # titles, never ids
    for s in record["see_also"]:
        assert s["document_title"] == assistant.documents[s["document_id"]].title and s["document_title"] in record["text"]


def test_a_signed_answer_gets_one_vote_that_can_change_and_be_taken_back(assistant, tmp_path):
    store = FeedbackStore(tmp_path / "var" / "feedback.sqlite3")
    signer = Signer.for_data_dir(tmp_path / "var")
    record = signer.sign(ui.answer_record(ui.ask(assistant, "汕头的药厂做技术改造能补多少？", None), assistant.documents))
    kept = json.loads(json.dumps({**record, "vote": 1, "comment": "draft"}))  # as the browser sends it back
    assert ui.record_vote(store, signer, {"answer": kept, "rating": 1, "comment": "引用对了"}) == {
        "rating": 1, "comment": "引用对了"}
    ui.record_vote(store, signer, {"answer": kept, "rating": -1, "comment": "想要更短"})
    rows = store.rows()
    assert len(rows) == 1 and rows[0]["rating"] == -1 and rows[0]["comment"] == "想要更短"
    assert rows[0]["answer_id"] == record["id"] and "gd-2024-action-plan:28" in rows[0]["citations"]
    out = tmp_path / "fb.csv"
    result = subprocess.run([sys.executable, "-m", "assistant", "feedback", "export", "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    exported = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(exported) == 1 and exported[0]["rating"] == "-1" and exported[0]["answer_id"] == record["id"]
    ui.record_vote(store, signer, {"answer": kept, "rating": 0})
    assert store.rows() == []
    with pytest.raises(ui.FeedbackError, match="changed since") as refused:  # another answer text, same signature
        ui.record_vote(store, signer, {"answer": {**kept, "text": "补1亿元"}, "rating": 1, "lang": "en"})
    assert refused.value.status == 403
    with pytest.raises(ui.FeedbackError, match="rating must be") as refused:
        ui.record_vote(store, signer, {"answer": kept, "rating": True, "lang": "en"})
    assert refused.value.status == 400 and store.rows() == []


def test_votes_from_databases_written_before_upgrade_in_place(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(SCHEMA)
        db.execute("INSERT INTO feedback (created_at, question, answer, citations, rating) VALUES ('t','q','a','[]',1)")
    store = FeedbackStore(path)
    store.vote("a1", "q2", "a2", [], -1, "c")
    store.vote("a1", "q2", "a2", [], 1, "c2")
    assert [(r["answer_id"], r["rating"], r["comment"]) for r in store.rows()] == [(None, 1, ""), ("a1", 1, "c2")]


def test_library_table_and_outline_tree_are_escaped_and_never_repeat_a_heading(assistant):
    html = ui.library_html(assistant.documents, assistant.snapshot.clauses, "en")
    assert html.count("<tr data-search=") == len(assistant.documents)
    assert "粤府办〔2024〕11号" in html and ">40</td>" in html and "Issuer" in html
    clauses = [c for c in assistant.snapshot.clauses if c.document_id == "gd-2021-work-points"]
    document = assistant.documents["gd-2021-work-points"]
    outline = ui.outline_html(clauses, "zh", document)
    assert outline.count(">（一）加强产业园区建设</button>") == 1 and outline.count(">二、工作任务</button>") == 1
    assert outline.count('class="outline-entry"') == len({c.path[:i + 1] for c in clauses for i in range(len(c.path))})
    start = int(outline.split(">（四）强化科技创新体系建设</button>")[0].rsplit('data-start="', 1)[1].split('"')[0])
    assert document.text[start:].startswith("（四）强化科技创新体系建设")  # a heading opens at its own line
    doc = replace(document, title="<script>alert(1)</script>", issuer="<b>x</b>")
    marked = {doc.id: doc}
    for rendered in (ui.library_html(marked, clauses, "zh"), ui.document_outline_html(doc, clauses, "zh"),
                     ui.filter_badge_html([], [doc.id], marked, "zh"), ui.masthead_html(marked, None, "zh")):
        assert "<script>" not in rendered and "<b>" not in rendered


def test_the_coverage_line_names_documents_years_regions_and_the_last_update(assistant):
    line = ui.coverage(assistant.documents, "2026-01-02T03:04:05", "en")
    assert line.startswith(f"Covers {len(assistant.documents)} policy documents (2020–2024) from ")
    assert "广东省" in line and "杭州" in line and line.endswith("Library updated 2026-01-02 03:04.")
    assert ui.filter_badge_html([], [], assistant.documents, "zh") == ""
    assert "地区：杭州" in ui.filter_badge_html(["杭州"], [], assistant.documents, "zh")


def make_docx(path: Path) -> Path:
    doc = Docx()
    doc.add_paragraph("某市支持生物医药产业发展办法")
    doc.add_paragraph("一、研发支持")
    doc.add_paragraph("（一）临床试验补助。对完成II期临床试验的创新药给予最高800万元补助。")
    doc.save(path)
    return path


def test_uploads_need_the_token_and_a_sane_file(tmp_path):
    path = make_docx(tmp_path / "p.docx")
    with pytest.raises(PolicyError, match="disabled"):
        ui.check_upload(Settings(data_dir=tmp_path), "x", str(path))
    settings = Settings(data_dir=tmp_path, admin_token="s3cret")
    with pytest.raises(PolicyError, match="wrong admin token"):
        ui.check_upload(settings, "guess", str(path))
    bad = tmp_path / "p.exe"
    bad.write_bytes(b"MZ")
    with pytest.raises(LoadError, match="unsupported"):
        ui.check_upload(settings, "s3cret", str(bad))
    outline = ui.preview_upload(settings, "s3cret", str(path), {"title": "某市办法"})
    assert "（一）临床试验补助" in outline and not (tmp_path / "library").exists()  # preview writes nothing


def test_an_uploaded_docx_becomes_answerable(tmp_path):
    from assistant.service import Assistant, add, build

    settings = Settings(data_dir=tmp_path / "var", admin_token="s3cret")
    build(settings, progress=False)
    paths = ui.check_upload(settings, "s3cret", str(make_docx(tmp_path / "p.docx")))
    items, report = add(settings, paths, {"title": "某市支持生物医药产业发展办法", "region": "广东省"})
    document = items[0].document
    assert report.embedded >= 1 and report.reused > 0  # the built-in library was not re-embedded
    answer = Assistant(settings).ask("完成II期临床试验的创新药最高补助多少？")
    assert answer.citations[0].document.id == document.id and "800万元" in answer.text
