"""The running web app on 127.0.0.1: the JSON routes, and a real Chromium driven by Playwright (the clause
viewer, feedback, the library tab, an upload seen by another visitor)."""
import json
import urllib.error
import urllib.request

import pytest

from assistant.feedback import FeedbackStore

from .browser import ANSWERED, ask, open_chat, stored
from .servers import running_app

pytestmark = pytest.mark.slow


def post(url: str, payload, raw: bytes | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def test_json_api_returns_the_ask_schema(web_server):
    status, answer = post(web_server + "/api/ask", {"question": "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？",
                                                    "id": "api-1"})
    assert status == 200 and answer["id"] == "api-1" and not answer["abstained"]
    assert answer["citations"][0]["clause_id"] == "gd-2024-action-plan:10"
    assert "3个工作日" in answer["citations"][0]["quote"]
    status, error = post(web_server + "/api/ask", {"question": "   "})
    assert status == 400 and "empty" in error["error"]


def test_app_binds_loopback_only(web_server):
    assert web_server.startswith("http://127.0.0.1:")


def test_the_viewer_route_serves_a_document_and_votes_need_an_answer_from_this_server(web_server):
    status, doc = get(web_server + "/api/documents/gd-2024-action-plan")
    assert status == 200 and doc["doc_number"] == "粤府办〔2024〕11号" and "伦理审查结果互认" in doc["text"]
    assert get(web_server + "/api/documents/no-such-doc")[0] == 404
    forged = {"id": "x", "question": "q", "text": "a", "citations": [], "sig": "0" * 64}
    status, error = post(web_server + "/api/feedback", {"answer": forged, "rating": 1, "comment": "", "lang": "en"})
    assert status == 403 and "not given by this server" in error["error"]
    assert post(web_server + "/api/feedback", None, raw=b"{not json")[0] == 400


def test_browser_asks_sees_a_card_opens_the_clause_and_votes_once(web_server, chromium, output_dir, corpus_settings):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = open_chat(context, web_server)
    turn = ask(page, "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？")
    card = turn.locator(".card").first
    assert "粤府办〔2024〕11号" in card.inner_text() and "十、建立临床研究伦理审查结果互认" in card.inner_text()
    card.click()
    mark = page.wait_for_selector("#policy-viewer[open] .viewer-body mark", timeout=20000)
    assert "3个工作日" in mark.inner_text()
    assert "粤府办〔2024〕11号" in page.inner_text("#policy-viewer .viewer-meta")
    assert page.evaluate("(m) => { const r = m.getBoundingClientRect(); return r.top >= 0 && "
                         "r.bottom <= window.innerHeight; }", mark)  # scrolled into view
    page.screenshot(path=str(output_dir / "clause-viewer.png"))
    page.click("#policy-viewer .viewer-close")
    assert not page.is_visible("#policy-viewer")

    answer_id = stored(page)[-1]["id"]
    turn.get_by_role("button", name="有帮助").click()
    page.wait_for_selector(f"#turn-{answer_id} .fb-status:has-text('已记录')", timeout=20000)
    turn.locator("textarea").fill("引用准确")
    turn.get_by_role("button", name="保存意见").click()
    page.wait_for_selector(f"#turn-{answer_id} .fb-status:has-text('意见已保存')", timeout=20000)
    turn.get_by_role("button", name="没帮助").click()  # the vote changes; it is still one vote
    page.wait_for_selector(f"#turn-{answer_id} .vote[aria-pressed=true]:has-text('没帮助')", timeout=20000)
    rows = [r for r in FeedbackStore(corpus_settings.feedback_path).rows() if r["answer_id"] == answer_id]
    assert len(rows) == 1 and rows[0]["rating"] == -1 and rows[0]["comment"] == "引用准确"
    assert "gd-2024-action-plan:10" in rows[0]["citations"]
    turn.get_by_role("button", name="没帮助").click()  # pressed again: taken back
    page.wait_for_selector(f"#turn-{answer_id} .fb-status:has-text('已撤回')", timeout=20000)
    assert not [r for r in FeedbackStore(corpus_settings.feedback_path).rows() if r["answer_id"] == answer_id]
    context.close()
    assert (output_dir / "clause-viewer.png").stat().st_size > 10_000


def test_library_tab_searches_and_its_outline_opens_clauses(web_server, chromium, output_dir):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = open_chat(context, web_server)
    page.get_by_role("tab", name="政策库").click()
    rows = page.locator("table.library tbody tr")
    assert rows.count() == 5
    header = page.inner_text("table.library thead")
    assert all(h in header for h in ("标题", "文号", "发文机关", "日期", "地区", "条款数"))
    page.fill("#library-search-input", "粤科社字〔2021〕146号")  # a 文号 finds its document
    assert page.locator("table.library tbody tr:not([hidden])").count() == 1
    page.fill("#library-search-input", "")
    page.get_by_role("button", name="广东省生物医药与健康战略性新兴产业集群2021-2022年度工作要点及工作台账").click()
    page.wait_for_selector("#outline .outline-title", timeout=20000)
    entries = page.locator("#outline .outline-entry").all_inner_texts()
    parents = [e for e in entries if e.startswith("（一）")]
    assert entries.count("二、工作任务") == 1 and len(parents) == len(set(parents))  # each heading once
    page.locator("#outline .outline-entry", has_text="（四）强化科技创新体系建设").click()
    clause = page.wait_for_selector("#policy-viewer[open] .in-clause", timeout=20000)
    assert clause.inner_text().startswith("（四）强化科技创新体系建设") and "强化生物医药人才队伍建设" in clause.inner_text()
    page.screenshot(path=str(output_dir / "library-outline-viewer.png"))
    context.close()


def test_an_upload_appears_for_another_visitor_without_a_restart(tmp_path, chromium, output_dir):
    from docx import Document as Docx

    from .test_store import small_library

    policy = tmp_path / "shenzhen-measures.docx"
    doc = Docx()
    doc.add_paragraph("一、临床试验支持")
    doc.add_paragraph("（一）临床试验补助。对完成III期临床试验的创新药给予最高2000万元补助。")
    doc.save(policy)
    env = {"POLICY_DATA_DIR": str(tmp_path / "var"), "POLICY_LIBRARY_DIR": str(small_library(tmp_path / "lib")),
           "POLICY_ADMIN_TOKEN": "s3cret"}
    with running_app(env, tmp_path / "app.log") as url:
        visitor = open_chat(chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN"), url)
        visitor.get_by_role("tab", name="政策库").click()  # looking at the library as the upload happens
        documents_before = visitor.locator("table.library tbody tr").count()
        assert documents_before > 0
        admin = open_chat(chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN"), url)
        admin.get_by_role("tab", name="管理").click()
        admin.fill("#admin-token input", "s3cret")
        admin.set_input_files("#upload-file input[type=file]", str(policy))
        admin.fill("#upload-title textarea", "深圳临床试验支持措施")
        admin.click("#preview-upload")
        admin.wait_for_selector("#upload-result:has-text('（一）临床试验补助')", timeout=60000)
        admin.click("#confirm-upload")
        admin.wait_for_selector("#upload-result:has-text('已入库')", timeout=120000)

        # the other visitor, who loaded the page before the upload: library, coverage line and filter follow
        visitor.wait_for_selector("table.library:has-text('深圳临床试验支持措施')", timeout=20000)
        assert visitor.locator("table.library tbody tr").count() == documents_before + 1
        assert f"已收录 {documents_before + 1} 份政策文件" in visitor.inner_text("#coverage")
        visitor.screenshot(path=str(output_dir / "upload-seen-by-another-visitor.png"))
        visitor.get_by_role("tab", name="对话").click()
        visitor.click("#filters")
        visitor.click("#document-filter input")
        assert visitor.locator("[role=option]", has_text="深圳临床试验支持措施").count() == 1
        visitor.keyboard.press("Escape")
        turn = ask(visitor, "完成III期临床试验的创新药最高补助多少？")
        card = turn.locator(".card").first
        assert "深圳临床试验支持措施" in card.inner_text() and "2000万元" in card.inner_text()
        visitor.screenshot(path=str(output_dir / "after-upload.png"))
        assert visitor.locator(ANSWERED).count() == 1
