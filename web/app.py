"""The web chat: gradio layout wired to ``web.ui`` handlers, plus a JSON API at /api/ask.

Run ``python app.py`` (or ``python -m assistant serve``); it builds the index first when needed.
Every request passes ``web.guard`` (body limits, the admin token on uploads); every question passes
``web.gate`` (one bounded queue for chat and API); the served build follows the live one by itself
(``assistant.live``), so an add or rebuild by any process shows here without a restart.
"""
from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from html import escape
from pathlib import Path

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from . import openai_api, ui
from .gate import Busy, Gate
from .guard import COOKIE_JS, Guard
from .streaming import Streamed
from assistant.config import Settings
from assistant.feedback import FeedbackStore, RateLimit
from assistant.live import Live
from assistant.query import language_of
from assistant.service import add, build
from assistant.types import QuestionError
from assistant.validate import ask_request, parse_json
from index.errors import PolicyError

EXAMPLES = {
    "企业 · 中文": ["汕头的药厂做技术改造能补多少？", "南沙种子投资基金的投资损失允许率是多少？",
                 "创新药挂网采购要在多少个工作日内完成？"],
    "Enterprise · English": ["How much can a category-1 drug get in Hangzhou?",
                             "What support does Hangzhou give a public service platform?"],
    "医院 · 中文": ["多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？",
                 "取得GCP资质的医院按总床位的多少比例设置临床研究床位？"],
    "Hospital · English": ["How often must a public hospital's drug committee meet about innovative drugs?"],
}


CHAT_KEPT = 40  # messages the chat sends back with each question; older ones scroll away
UPLOAD_WAIT = 10.0  # seconds an upload waits for another writer before saying one is running


def make_blocks(live: Live, feedback: FeedbackStore, gate: Gate) -> gr.Blocks:
    settings = live.settings
    upload_dir = gr.utils.get_upload_folder()
    feedback_limit = RateLimit(settings.feedback_per_minute)

    def respond(message, chat, turns, regions, documents, extractive=False):
        chat = list(chat or [])[-CHAT_KEPT:]
        previous = turns[-1].question if turns else None
        assistant = live.assistant
        zh = isinstance(message, str) and language_of(message) == "zh"
        try:
            with gate.slot():
                run = Streamed(lambda on_token: ui.ask(assistant, message, previous, regions, documents, extractive,
                                                       on_token))
                draft = ""
                for token in run:  # LLM mode: the draft, marked unverified, until the verified answer replaces it
                    draft += token
                    yield chat + [{"role": "user", "content": escape(message)},
                                  {"role": "assistant", "content": ui.draft_markdown(draft, zh)}], turns, "", ""
                turn = run.result
        except (PolicyError, Busy) as e:
            chat += [{"role": "user", "content": escape(message if isinstance(message, str) else "")},
                     {"role": "assistant", "content": escape(_busy_zh(e) + str(e))}]
            yield chat, turns, "", ""
            return
        chat.append({"role": "user", "content": escape(message)})
        full = ui.answer_markdown(turn)
        cards = ui.citations_html(turn.answer, assistant.documents)
        for end in range(0, len(full), 40):  # stream the answer as it is read out
            yield chat + [{"role": "assistant", "content": full[:end]}], turns, "", ""
        yield chat + [{"role": "assistant", "content": full}], (turns + [turn])[-CHAT_KEPT:], cards, ""

    def rate(turns, rating, comment, request: gr.Request):
        return ui.record_feedback(feedback, turns[-1] if turns else None, rating, comment, limit=feedback_limit,
                                  session=request.session_hash or "", max_chars=settings.max_comment_chars)

    def rate_up(turns, comment, request: gr.Request):
        return rate(turns, 1, comment, request)

    def rate_down(turns, comment, request: gr.Request):
        return rate(turns, -1, comment, request)

    def outline(doc_id):
        a = live.assistant
        return ui.outline_html([c for c in a.snapshot.clauses if c.document_id == doc_id])

    def preview(token, file, title, number, issuer, date, region, language):
        try:
            return ui.preview_upload(settings, token, file, _meta(title, number, issuer, date, region, language),
                                     upload_dir)
        except PolicyError as e:
            return f"<p class='error'>{escape(str(e))}</p>"

    def confirm(token, file, title, number, issuer, date, region, language):
        try:
            paths = ui.check_upload(settings, token, file, upload_dir)
            items, report = add(replace(settings, write_wait=UPLOAD_WAIT), paths,
                                ui.upload_meta(paths, _meta(title, number, issuer, date, region, language)))
            if report is None:
                raise PolicyError("nothing was indexed: " + "; ".join(f"{i.source.name}: {i.skipped}" for i in items))
            for path in paths:
                path.unlink(missing_ok=True)  # the library holds its own copies now
            live.refresh()
        except PolicyError as e:
            return f"<p class='error'>{escape(str(e))}</p>", gr.update(), gr.update(), gr.update(), gr.update()
        return (ui.import_report(items) + f"<p>indexed: {report.embedded} clauses embedded.</p>",
                *library_views(None)[1:])

    def library_views(seen):
        """The library table and pickers of this session, redrawn only when the served build changed."""
        a = live.assistant
        if seen == a.snapshot.build_id:
            return seen, gr.update(), gr.update(), gr.update(), gr.update()
        docs = a.documents
        choices = [(d.title, d.id) for d in docs.values()]
        return (a.snapshot.build_id, gr.update(value=ui.library_rows(docs, a.snapshot.clauses)),
                gr.update(choices=choices), gr.update(choices=choices),
                gr.update(choices=sorted({d.region for d in docs.values() if d.region})))

    docs = live.assistant.documents
    regions = sorted({d.region for d in docs.values() if d.region})
    with gr.Blocks(title="生物医药产业政策助手 · Policy assistant", delete_cache=(600, 3600)) as demo:
        gr.Markdown("## 生物医药产业政策助手 · Biomedical policy assistant\n"
                    "每个回答都引用原文条款 · Every answer quotes the clause it relies on.")
        turns = gr.State([])
        shown_build = gr.State(None)
        with gr.Tab("对话 · Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="对话", height=460, elem_id="chat")
                    box = gr.Textbox(placeholder="输入问题 · Ask a question", show_label=False, elem_id="question")
                    send = gr.Button("提问 · Ask", variant="primary", elem_id="ask")
                    extractive = gr.Checkbox(not settings.llm_enabled, interactive=settings.llm_enabled,
                                             label="只引用原文，不用语言模型 · Quotes only (no language model)",
                                             elem_id="extractive")
                    with gr.Accordion("筛选 · Filters", open=False):
                        region_filter = gr.CheckboxGroup(regions, label="地区 · Region")
                        doc_filter = gr.Dropdown([(d.title, d.id) for d in docs.values()], multiselect=True,
                                                 label="文件 · Document")
                    for persona, questions in EXAMPLES.items():
                        gr.Examples([[q] for q in questions], inputs=[box], label=persona)
                with gr.Column(scale=2):
                    gr.Markdown("**引用 · Citations** (点击卡片查看原文 · click a card to open the clause)")
                    cards = gr.HTML("", js_on_load=ui.CARD_JS, css_template=ui.CSS, elem_id="citations")
                    with gr.Row():
                        up = gr.Button("👍", elem_id="thumbs-up")
                        down = gr.Button("👎", elem_id="thumbs-down")
                    comment = gr.Textbox(label="意见（可选）· Comment (optional)", lines=1, elem_id="feedback-comment")
                    status = gr.Markdown("", elem_id="feedback-status")
            outputs = [chat, turns, cards, box]
            inputs = [box, chat, turns, region_filter, doc_filter, extractive]
            answering = settings.workers + settings.queue_size  # the gate, not gradio, bounds answering
            box.submit(respond, inputs, outputs, concurrency_limit=answering)
            send.click(respond, inputs, outputs, concurrency_limit=answering)
            up.click(rate_up, [turns, comment], status)
            down.click(rate_down, [turns, comment], status)
        with gr.Tab("政策库 · Library"):
            table = gr.Dataframe(ui.library_rows(docs, live.assistant.snapshot.clauses),
                                 headers=["id", "title", "文号", "issuer", "date", "region", "lang", "clauses"],
                                 interactive=False)
            pick = gr.Dropdown([(d.title, d.id) for d in docs.values()], label="文件提纲 · Outline")
            tree = gr.HTML("")
            pick.change(outline, pick, tree)
        with gr.Tab("管理 · Admin"):
            if not settings.admin_token:
                gr.Markdown("上传已关闭：未配置管理口令（POLICY_ADMIN_TOKEN）。 · Uploads are disabled: no admin token.")
            token = gr.Textbox(label="管理口令 · Admin token", type="password", elem_id="admin-token")
            file = gr.File(label=f"政策文件（可多选）· Policy files (≤ {settings.max_file_mb} MB each)",
                           file_types=list(ui.UPLOAD_TYPES), type="filepath", file_count="multiple",
                           elem_id="upload-file")
            with gr.Row():
                title = gr.Textbox(label="标题 · Title", elem_id="upload-title")
                number = gr.Textbox(label="文号 · Document number")
                issuer = gr.Textbox(label="发文机关 · Issuer")
            with gr.Row():
                date = gr.Textbox(label="日期 · Date")
                region = gr.Textbox(label="地区 · Region (e.g. 广东省)")
                language = gr.Dropdown(["", "zh", "en"], value="", label="语言 · Language")
            fields = [token, file, title, number, issuer, date, region, language]
            check = gr.Button("解析预览 · Parse and preview", elem_id="preview-upload")
            go = gr.Button("确认入库 · Confirm and index", variant="primary", elem_id="confirm-upload")
            result = gr.HTML("", elem_id="upload-result")
            check.click(preview, fields, result)
            go.click(confirm, fields, [result, table, doc_filter, pick, region_filter])
        views = [shown_build, table, doc_filter, pick, region_filter]
        # documents added by any process appear; off the queue, so idle tabs never crowd out questions
        demo.load(library_views, shown_build, views, queue=False, show_progress="hidden")
        gr.Timer(15).tick(library_views, shown_build, views, queue=False, show_progress="hidden")
    return demo


def _busy_zh(e: Exception) -> str:
    return f"服务繁忙，请{e.retry_after}秒后重试 · " if isinstance(e, Busy) else ""


def _meta(title, number, issuer, date, region, language) -> dict:
    meta = {"title": title, "doc_number": number, "issuer": issuer, "date": date, "region": region,
            "language": language}
    return {k: v.strip() for k, v in meta.items() if v and v.strip()}


def make_app(settings: Settings, live: Live | None = None):
    live = live or Live(settings)
    gate = Gate(settings.workers, settings.queue_size, settings.queue_wait)
    api = FastAPI(title="Policy assistant API")

    @api.post("/api/ask")
    async def api_ask(request: Request):
        ident = None
        try:
            req = ask_request(parse_json(await request.body()))
            ident = req.id
            ticket = gate.admit()
        except QuestionError as e:
            return JSONResponse({"id": getattr(e, "id", None), "error": str(e)}, status_code=400)
        except Busy as e:
            return _busy(ident, e)
        assistant = live.assistant

        def answer():
            with ticket.running():
                return assistant.ask(req.question, documents=req.documents, regions=req.regions, id=req.id,
                                     extractive=req.extractive).to_dict()

        try:
            return await asyncio.wait_for(run_in_threadpool(answer), settings.queue_wait + settings.answer_timeout)
        except QuestionError as e:
            return JSONResponse({"id": ident, "error": str(e)}, status_code=400)
        except Busy as e:
            return _busy(ident, e)
        except asyncio.TimeoutError:  # the answer goes on in its thread, holding its worker, until done
            return JSONResponse({"id": ident, "error": f"no answer within {settings.answer_timeout:g} s"},
                                status_code=504)

    api.include_router(openai_api.router(lambda: live.assistant, gate))  # /v1/chat/completions, /v1/models

    @api.get("/api/health")
    def health():
        a = live.assistant
        return {"ok": True, "build": a.snapshot.build_id, "documents": len(a.documents),
                "clauses": len(a.snapshot.clauses), "answering": gate.admitted, "index_error": live.failure}

    demo = make_blocks(live, FeedbackStore(settings.feedback_path), gate)
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=settings.workers)
    app = gr.mount_gradio_app(api, demo, path="/", server_name=settings.host, server_port=settings.port,
                              max_file_size=settings.max_file_mb * 1024 * 1024, head=COOKIE_JS,
                              allowed_paths=[], blocked_paths=[str(Path(settings.data_dir).resolve())])
    # Mounted apps skip gradio's file allow-list (it runs only once `has_launched`); without it a crafted
    # event could make the server copy any readable file into its served cache.
    demo.has_launched = True
    return Guard(app, max_body=settings.max_body_kb * 1024, max_upload=settings.max_file_mb * 1024 * 1024 + 65536,
                 admin_token=settings.admin_token)


def _busy(ident, e: Busy) -> JSONResponse:
    return JSONResponse({"id": ident, "error": str(e)}, status_code=503, headers={"Retry-After": str(e.retry_after)})


def main(settings: Settings | None = None) -> None:
    import uvicorn

    try:
        settings = settings or Settings.from_env()
        build(settings, progress=False, on_wait=lambda m: print(m, file=sys.stderr, flush=True))
        app = make_app(settings)
    except PolicyError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                limit_concurrency=4 * (settings.workers + settings.queue_size) + 64)


if __name__ == "__main__":
    main()
