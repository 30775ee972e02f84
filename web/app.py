"""The web chat: gradio layout wired to ``web.ui`` handlers, plus a JSON API at /api/ask.

Run ``python app.py`` (or ``python -m assistant serve``); it builds the index first when needed.
"""
from __future__ import annotations

import threading
from html import escape

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import openai_api, ui
from .streaming import Streamed
from assistant.config import Settings
from assistant.feedback import FeedbackStore
from assistant.query import language_of
from assistant.service import Assistant, add, build
from assistant.types import QuestionError
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


class Live:
    """The assistant currently serving; replaced whole after an upload re-indexes the library."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.assistant = Assistant(settings)
        self.lock = threading.Lock()

    def reload(self) -> None:
        fresh = Assistant(self.settings)
        with self.lock:
            self.assistant = fresh


class AskRequest(BaseModel):
    question: str
    id: str | int | None = None
    documents: list[str] | None = None
    regions: list[str] | None = None
    extractive: bool = False


def make_blocks(live: Live, feedback: FeedbackStore) -> gr.Blocks:
    settings = live.settings

    def respond(message, chat, turns, regions, documents, extractive=False):
        chat = list(chat or [])
        previous = turns[-1].question if turns else None
        run = Streamed(lambda on_token: ui.ask(live.assistant, message, previous, regions, documents, extractive,
                                               on_token))
        draft, zh = "", language_of(message or "") == "zh"
        try:
            for token in run:  # LLM mode: the draft, marked unverified, until the verified answer replaces it
                draft += token
                yield chat + [{"role": "user", "content": escape(message)},
                              {"role": "assistant", "content": ui.draft_markdown(draft, zh)}], turns, "", ""
            turn = run.result
        except PolicyError as e:
            chat += [{"role": "user", "content": escape(message or "")}, {"role": "assistant", "content": escape(str(e))}]
            yield chat, turns, "", ""
            return
        chat.append({"role": "user", "content": escape(message)})
        full = ui.answer_markdown(turn)
        cards = ui.citations_html(turn.answer, live.assistant.documents)
        for end in range(0, len(full), 40):  # stream the answer as it is read out
            yield chat + [{"role": "assistant", "content": full[:end]}], turns, "", ""
        yield chat + [{"role": "assistant", "content": full}], turns + [turn], cards, ""

    def rate(turns, rating, comment):
        return ui.record_feedback(feedback, turns[-1] if turns else None, rating, comment)

    def outline(doc_id):
        a = live.assistant
        return ui.outline_html([c for c in a.snapshot.clauses if c.document_id == doc_id])

    def preview(token, file, title, number, issuer, date, region, language):
        try:
            return ui.preview_upload(settings, token, file, _meta(title, number, issuer, date, region, language))
        except PolicyError as e:
            return f"<p class='error'>{escape(str(e))}</p>"

    def confirm(token, file, title, number, issuer, date, region, language):
        try:
            paths = ui.check_upload(settings, token, file)
            items, report = add(settings, paths, ui.upload_meta(paths, _meta(title, number, issuer, date, region,
                                                                               language)))
            if report is None:
                raise PolicyError("nothing was indexed: " + "; ".join(f"{i.source.name}: {i.skipped}" for i in items))
            live.reload()
        except PolicyError as e:
            return f"<p class='error'>{escape(str(e))}</p>", gr.update(), gr.update(), gr.update()
        docs = live.assistant.documents
        choices = [(d.title, d.id) for d in docs.values()]
        return (ui.import_report(items) + f"<p>indexed: {report.embedded} clauses embedded.</p>",
                gr.update(value=ui.library_rows(docs, live.assistant.snapshot.clauses)),
                gr.update(choices=choices), gr.update(choices=choices))

    docs = live.assistant.documents
    regions = sorted({d.region for d in docs.values() if d.region})
    with gr.Blocks(title="生物医药产业政策助手 · Policy assistant") as demo:
        gr.Markdown("## 生物医药产业政策助手 · Biomedical policy assistant\n"
                    "每个回答都引用原文条款 · Every answer quotes the clause it relies on.")
        turns = gr.State([])
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
            box.submit(respond, inputs, outputs)
            send.click(respond, inputs, outputs)
            up.click(lambda t, c: rate(t, 1, c), [turns, comment], status)
            down.click(lambda t, c: rate(t, -1, c), [turns, comment], status)
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
            file = gr.File(label="政策文件（可多选）· Policy files (≤ 20 MB each)", file_types=list(ui.UPLOAD_TYPES),
                           type="filepath", file_count="multiple", elem_id="upload-file")
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
            go.click(confirm, fields, [result, table, doc_filter, pick])
    return demo


def _meta(title, number, issuer, date, region, language) -> dict:
    meta = {"title": title, "doc_number": number, "issuer": issuer, "date": date, "region": region,
            "language": language}
    return {k: v.strip() for k, v in meta.items() if v and v.strip()}


def make_app(settings: Settings) -> FastAPI:
    live = Live(settings)
    api = FastAPI(title="Policy assistant API")

    @api.post("/api/ask")
    def api_ask(req: AskRequest):
        try:
            return live.assistant.ask(req.question, documents=req.documents, regions=req.regions, id=req.id,
                                      extractive=req.extractive).to_dict()
        except QuestionError as e:
            return JSONResponse({"id": req.id, "error": str(e)}, status_code=400)

    api.include_router(openai_api.router(lambda: live.assistant))  # /v1/chat/completions, /v1/models

    @api.get("/api/health")
    def health():
        return {"ok": True, "documents": len(live.assistant.documents), "clauses": len(live.assistant.snapshot.clauses)}

    demo = make_blocks(live, FeedbackStore(settings.feedback_path))
    demo.queue(max_size=32, default_concurrency_limit=2)
    return gr.mount_gradio_app(api, demo, path="/", server_name=settings.host, server_port=settings.port,
                               max_file_size=ui.MAX_UPLOAD_BYTES)


def main(settings: Settings | None = None) -> None:
    import uvicorn

    settings = settings or Settings.from_env()
    build(settings, progress=False)  # a no-op when the index is current
    uvicorn.run(make_app(settings), host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":
    main()
