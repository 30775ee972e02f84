"""The running web app on 127.0.0.1: the JSON API, and a real Chromium driven by Playwright."""
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from assistant.feedback import FeedbackStore

from .servers import free_port, running

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(corpus_settings, tmp_path_factory):
    port = free_port()
    env = {**os.environ, "POLICY_DATA_DIR": str(corpus_settings.data_dir), "GRADIO_SERVER_PORT": str(port),
           "GRADIO_SERVER_NAME": "127.0.0.1", "POLICY_ADMIN_TOKEN": "test-token"}
    url = f"http://127.0.0.1:{port}"

    def ready():
        with urllib.request.urlopen(url + "/api/health", timeout=2) as r:
            return json.load(r)["ok"]

    with open(tmp_path_factory.mktemp("web") / "app.log", "w") as log:
        with running([sys.executable, str(ROOT / "app.py")], ready, f"app.py (log: {log.name})",
                     env=env, stdout=log, stderr=log):
            yield url


def post(url: str, payload: dict) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def test_json_api_returns_the_ask_schema(server):
    status, answer = post(server + "/api/ask", {"question": "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？",
                                                "id": "api-1"})
    assert status == 200 and answer["id"] == "api-1" and not answer["abstained"]
    assert answer["citations"][0]["clause_id"] == "gd-2024-action-plan:10"
    assert "3个工作日" in answer["citations"][0]["quote"]
    status, error = post(server + "/api/ask", {"question": "   "})
    assert status == 400 and "empty" in error["error"]


def test_app_binds_loopback_only(server):
    assert server.startswith("http://127.0.0.1:")


def test_browser_asks_sees_a_card_opens_the_clause_and_leaves_feedback(server, output_dir, corpus_settings):
    feedback_db = corpus_settings.feedback_path
    if not CHROMIUM:
        pytest.skip("Debian chromium is not installed and could not be installed here (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server + "/", wait_until="load")
        page.wait_for_selector("#question textarea", timeout=60000)
        page.fill("#question textarea", "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？")
        page.click("#ask")
        card = page.wait_for_selector("#citations .cite-card", timeout=60000)
        assert "粤府办〔2024〕11号" in card.inner_text()
        card.click()
        mark = page.wait_for_selector("#citations .viewer:not([hidden]) mark", timeout=20000)
        assert "3个工作日" in mark.inner_text()
        assert page.evaluate("(m) => { const r = m.getBoundingClientRect(); return r.top >= 0 && "
                             "r.bottom <= window.innerHeight; }", mark)  # scrolled into view
        page.screenshot(path=str(output_dir / "clause-viewer.png"))
        page.fill("#feedback-comment textarea", "引用准确")
        page.click("#thumbs-up")
        page.wait_for_selector("#feedback-status:has-text('saved')", timeout=20000)
        browser.close()
    assert (output_dir / "clause-viewer.png").stat().st_size > 10_000
    rows = FeedbackStore(feedback_db).rows()
    assert rows[-1]["rating"] == 1 and rows[-1]["comment"] == "引用准确" and "gd-2024-action-plan:10" in rows[-1]["citations"]


def test_browser_admin_uploads_a_docx_and_gets_answers_citing_it(tmp_path, output_dir):
    if not CHROMIUM:
        pytest.skip("Debian chromium is not installed and could not be installed here (make browser)")
    from docx import Document as Docx
    from playwright.sync_api import sync_playwright

    from .test_store import small_library

    policy = tmp_path / "shenzhen-measures.docx"
    doc = Docx()
    doc.add_paragraph("一、临床试验支持")
    doc.add_paragraph("（一）临床试验补助。对完成III期临床试验的创新药给予最高2000万元补助。")
    doc.save(policy)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "POLICY_DATA_DIR": str(tmp_path / "var"), "POLICY_LIBRARY_DIR": str(small_library(tmp_path / "lib")),
           "GRADIO_SERVER_PORT": str(port), "POLICY_ADMIN_TOKEN": "s3cret"}

    def ready():
        with urllib.request.urlopen(url + "/api/health", timeout=2) as r:
            return json.load(r)["ok"]

    with open(tmp_path / "app.log", "w") as log, \
            running([sys.executable, str(ROOT / "app.py")], ready, "app.py", env=env, stdout=log, stderr=log), \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "/", wait_until="load")
        page.get_by_role("tab", name="管理 · Admin").click()
        page.fill("#admin-token input", "s3cret")
        page.set_input_files("#upload-file input[type=file]", str(policy))
        page.fill("#upload-title textarea", "深圳临床试验支持措施")
        page.click("#preview-upload")
        page.wait_for_selector("#upload-result:has-text('（一）临床试验补助')", timeout=60000)
        page.click("#confirm-upload")
        page.wait_for_selector("#upload-result:has-text('indexed')", timeout=120000)
        page.get_by_role("tab", name="对话 · Chat").click()
        page.fill("#question textarea", "完成III期临床试验的创新药最高补助多少？")
        page.click("#ask")
        card = page.wait_for_selector("#citations .cite-card", timeout=60000)
        assert "深圳临床试验支持措施" in card.inner_text() and "2000万元" in card.inner_text()
        page.screenshot(path=str(output_dir / "after-upload.png"))
        browser.close()
