"""The app in LLM mode, running on 127.0.0.1 and talking to the fake chat server of this test process
(tests/fake_llm.py): the real ``openai`` client against its OpenAI-compatible endpoint, and the web chat
in a real Chromium."""
import json
import urllib.request
from dataclasses import replace

import openai
import pytest

from .browser import ask, open_chat
from .fake_llm import FakeLLM, number_of, say
from .servers import running_app

pytestmark = pytest.mark.slow
QUESTION = "汕头的药厂做技术改造能补多少？"


@pytest.fixture(scope="module")
def fake():
    with FakeLLM() as server:
        yield server


@pytest.fixture(scope="module")
def app_url(corpus_settings, fake, tmp_path_factory):
    env = {"POLICY_DATA_DIR": str(corpus_settings.data_dir), "POLICY_LLM_BASE_URL": fake.base_url,
           "POLICY_LLM_MODEL": "fake-qwen", "POLICY_LLM_RETRIES": "0", "POLICY_LLM_TIMEOUT": "20"}
    with running_app(env, tmp_path_factory.mktemp("openai-api") / "app.log") as url:
        yield url


@pytest.fixture(scope="module")
def client(app_url):
    return openai.OpenAI(base_url=app_url + "/v1", api_key="unused", max_retries=0, timeout=120)


def reply(r):  # the second sentence invents a figure: the verifier must remove it, streamed or not
    n = number_of(r, "技术改造项目新设备购置额")
    return say(f"汕头属于粤东地区，技术改造项目按不超过30%的比例予以事后奖励，单个项目最高1500万元[{n}]。"
               f"另有40%的研发补贴[{n}]。条款原文为“单个支持项目奖励额度不超过1500万元”[{n}]。")


def test_models_are_listed(client):
    assert {m.id for m in client.models.list()} == {"policy-assistant", "policy-assistant-extractive"}


def test_a_verified_cited_answer_without_streaming(client, fake):
    fake.script(reply)
    completion = client.chat.completions.create(model="policy-assistant",
                                                messages=[{"role": "user", "content": QUESTION}])
    text = completion.choices[0].message.content
    assert completion.choices[0].finish_reason == "stop" and completion.object == "chat.completion"
    assert text.startswith("汕头属于粤东地区") and "40%" not in text and "[1]" in text
    assert "粤府办〔2024〕11号" in text and "“" in text.split("**来源**")[1]  # the sources with their quotes
    data = completion.model_extra
    assert data["mode"] == "llm" and data["citations"][0]["clause_id"] == "gd-2024-action-plan:28"
    assert data["citations"][0]["quote"] in data["citations"][0]["text"]
    assert data["verification"]["kept"] == 2 and "40%" in data["verification"]["removed"][0]["reason"]
    assert fake.requests[0]["messages"][0]["role"] == "system"


def test_a_verified_cited_answer_streamed_never_carries_the_draft(client, fake):
    fake.script(reply)
    stream = client.chat.completions.create(model="policy-assistant", stream=True,
                                            messages=[{"role": "user", "content": [{"type": "text", "text": QUESTION}]}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith("汕头属于粤东地区") and "40%" not in text and "来源" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and last.model_extra["verification"]["kept"] == 2
    assert last.model_extra["citations"][0]["clause_id"] == "gd-2024-action-plan:28"
    assert fake.requests[0]["stream"] is True  # the app streamed from the model, and showed only the verified text


def test_a_slow_model_keeps_the_stream_alive_with_comments_only(app_url, fake):
    fake.script(lambda r: replace(reply(r), delay=2.5))
    body = json.dumps({"model": "policy-assistant", "stream": True, "messages": [{"role": "user", "content": QUESTION}]})
    request = urllib.request.Request(app_url + "/v1/chat/completions", data=body.encode(),
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = r.read().decode().split("\n\n")
    assert ": verifying" in events and events[-2] == "data: [DONE]"
    waiting = events.index(": verifying")
    assert all(json.loads(e[6:])["choices"][0]["delta"].get("content", "") == "" for e in events[:waiting])
    streamed = "".join(json.loads(e[6:])["choices"][0]["delta"].get("content") or "" for e in events[waiting + 1:-2]
                       if e.startswith("data: {"))
    assert streamed.startswith("汕头属于粤东地区") and "40%" not in streamed


def test_the_extractive_model_asks_no_language_model(client, fake):
    fake.script()
    completion = client.chat.completions.create(model="policy-assistant-extractive",
                                                messages=[{"role": "user", "content": QUESTION}])
    assert "1500万元" in completion.choices[0].message.content and completion.model_extra["mode"] == "extractive"
    assert completion.model_extra["verification"] is None and fake.requests == []


def test_a_follow_up_is_rewritten_by_the_model_first(client, fake):
    fake.script(say(QUESTION), reply)
    completion = client.chat.completions.create(model="policy-assistant", messages=[
        {"role": "user", "content": "南沙的药厂做技术改造能补多少？"}, {"role": "assistant", "content": "…"},
        {"role": "user", "content": "那汕头呢？"}])
    assert completion.model_extra["rewritten_question"] == QUESTION
    assert "南沙的药厂" in fake.requests[0]["messages"][1]["content"] and not fake.requests[0].get("stream")
    assert completion.model_extra["mode"] == "llm"


def test_bad_requests_get_openai_style_errors(client):
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.BadRequestError, match="no user message"):
        client.chat.completions.create(model="policy-assistant", messages=[{"role": "system", "content": "hi"}])
    with pytest.raises(openai.BadRequestError, match="2001"):
        client.chat.completions.create(model="policy-assistant", messages=[{"role": "user", "content": "政" * 2001}])
    with pytest.raises(openai.BadRequestError, match="invalid request"):
        client.chat.completions.create(model="policy-assistant", messages=[{"content": QUESTION}])


def test_the_web_chat_shows_the_verified_answer_with_its_note_and_can_quote_only(app_url, fake, chromium):
    fake.script(reply)
    page = open_chat(chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN"), app_url)
    assert not page.is_checked("#extractive input")  # LLM mode is on when a model is configured
    turn = ask(page, QUESTION)
    text = turn.inner_text()
    assert "1句因无法核实而删除" in text
    assert "汕头属于粤东地区" in text and "40%的研发补贴" not in text and "数字“40%”不在所引条款[1]中" in text
    assert "粤府办〔2024〕11号" in turn.locator(".card").first.inner_text()
    requests = len(fake.requests)
    page.check("#extractive input")
    turn = ask(page, "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？")
    assert "3个工作日" in turn.locator(".card").first.inner_text()
    assert len(fake.requests) == requests  # quotes only: no model asked
    page.context.close()
