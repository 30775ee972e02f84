"""The web chat: gradio layout wired to ``web.ui`` handlers, plus a JSON API at /api/ask.

Run ``python app.py`` (or ``python -m assistant serve``); it builds the index first when needed.
Every request passes ``web.guard`` (body limits, the admin token on uploads); every question passes
``web.gate`` (one bounded queue for chat and API); the served build follows the live one by itself
(``assistant.live``), so an add or rebuild by any process shows here without a restart.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import sys
from dataclasses import replace
from html import escape
from importlib.resources import files
from pathlib import Path

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from . import openai_api, ui
from .gate import Busy, Gate
from .guard import COOKIE_JS, Guard
from .labels import LANGUAGE_LABEL, LANGUAGES, browser_json, lang_of, t
from .signing import Signer
from .streaming import Streamed
from assistant.config import Settings
from assistant.feedback import FeedbackStore, RateLimit
from assistant.live import Live
from assistant.service import add, build
from assistant.types import QuestionError
from assistant.validate import ask_request, parse_json
from index.errors import PolicyError

UPLOAD_WAIT = 10.0  # seconds an upload waits for another writer before saying one is running
LIBRARY_POLL = 3.0  # seconds between each page's look for a new build (an upload, an add elsewhere)
ASSETS = files("web") / "assets"
# gradio's default primary button (white on orange) was 2.8:1; these blues keep 4.5:1 in light and dark mode
THEME = gr.themes.Default(primary_hue="blue").set(
    button_primary_background_fill="*primary_700", button_primary_background_fill_hover="*primary_800",
    button_primary_text_color="white", button_primary_background_fill_dark="*primary_700",
    button_primary_background_fill_hover_dark="*primary_600", button_primary_text_color_dark="white")

# The table of the library tab asks for a document's outline; the outline takes the keyboard focus when shown.
LIBRARY_JS = """
element.addEventListener('click', (event) => {
  const link = event.target.closest('[data-outline]');
  if (link) { window.policyOutlineFocus = true; trigger('click', {doc: link.getAttribute('data-outline')}); }
});
watch('value', () => window.policyChat && window.policyChat.filterLibrary());
"""
OUTLINE_JS = """
watch('value', () => {
  const title = element.querySelector('.outline-title');
  if (title && window.policyOutlineFocus) { title.setAttribute('tabindex', '-1'); title.focus(); }
  window.policyOutlineFocus = false;
});
"""
INBOX_JS = "watch('value', () => window.policyChat.receive(props.value));"


def make_blocks(live: Live, gate: Gate, signer: Signer) -> gr.Blocks:
    settings = live.settings
    upload_dir = gr.utils.get_upload_folder()
    said = itertools.count()  # every message to the browser differs from the one before, so it is delivered

    def say(kind: str, **content) -> str:
        return json.dumps({"kind": kind, "seq": next(said), **content}, ensure_ascii=False)

    def respond(message, previous, regions, documents, extractive, lang):
        assistant = live.assistant
        asked = message if isinstance(message, str) else ""
        # the browser holds the conversation: the last standalone question comes back with the new one
        previous = previous if isinstance(previous, str) and 0 < len(previous) <= settings.max_question_chars else None
        yield say("pending", asked=asked), ""
        try:
            with gate.slot():
                run = Streamed(lambda on_token: ui.ask(assistant, message, previous, regions, documents, extractive,
                                                       on_token))
                draft = ""
                for token in run:  # LLM mode: the draft, marked unverified, until the verified answer replaces it
                    draft += token
                    yield say("draft", asked=asked, text=draft), gr.update()
                turn = run.result
        except Busy as e:
            yield say("error", asked=asked, text=t(lang, "busy", seconds=e.retry_after)), asked  # back, to send again
            return
        except PolicyError as e:
            yield say("error", asked=asked, text=str(e)), asked  # the question back, to edit
            return
        record = signer.sign(ui.answer_record(turn, assistant.documents, regions, documents))
        yield say("answer", record=record), gr.update()

    def library_views(seen, lang):
        """The masthead, library table and filter choices of this session, redrawn only when the build changed."""
        a = live.assistant
        if seen == a.snapshot.build_id:
            return seen, gr.update(), gr.update(), gr.update(), gr.update()
        docs = a.documents
        choices = [(d.title, d.id) for d in docs.values()]
        return (a.snapshot.build_id, ui.masthead_html(docs, a.snapshot.created, lang),
                ui.library_html(docs, a.snapshot.clauses, lang), gr.update(choices=choices),
                gr.update(choices=sorted({d.region for d in docs.values() if d.region})))

    def filters_changed(regions, documents, lang):
        on = ui.active_filters(regions, documents)
        return (ui.filter_badge_html(regions, documents, live.assistant.documents, lang),
                gr.update(visible=bool(on)),
                gr.update(label=t(lang, "filters_on", count=on) if on else t(lang, "filters")))

    def outline(doc_id, lang):
        a = live.assistant
        document = a.documents.get(doc_id) if isinstance(doc_id, str) else None
        clauses = [c for c in a.snapshot.clauses if c.document_id == doc_id] if document else []
        return ui.document_outline_html(document, clauses, lang)

    def show_outline(lang, event: gr.EventData):
        doc_id = (event._data or {}).get("doc") if isinstance(event._data, dict) else None
        return outline(doc_id, lang), doc_id

    def preview(token, file, title, number, issuer, date, region, language):
        try:
            return ui.preview_upload(settings, token, file, _meta(title, number, issuer, date, region, language),
                                     upload_dir)
        except PolicyError as e:
            return f"<p class='error'>{escape(str(e))}</p>"

    def confirm(token, file, title, number, issuer, date, region, language, lang):
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
            return f"<p class='error'>{escape(str(e))}</p>", *[gr.update()] * 5
        done = f"<p>{escape(t(lang, 'indexed', count=report.embedded))}</p>"
        return ui.import_report(items) + done, *library_views(None, lang)

    docs = live.assistant.documents
    regions = sorted({d.region for d in docs.values() if d.region})
    relabelled: list[tuple[gr.components.Component, dict]] = []  # (component, {property: label key})

    def labelled(component, **keys):
        relabelled.append((component, keys))
        return component

    zh = "zh"
    with gr.Blocks(title=t(zh, "title") + " · " + t("en", "title"), delete_cache=(600, 3600)) as demo:
        shown_build = gr.State(None)
        outline_doc = gr.State(None)
        with gr.Row(equal_height=False, elem_id="top"):
            masthead = gr.HTML(ui.masthead_html(docs, live.assistant.snapshot.created, zh), scale=4, min_width=360,
                              js_on_load=None)
            lang = gr.Radio([(name, code) for name, code in LANGUAGES], value=zh, label=LANGUAGE_LABEL, scale=1,
                            min_width=180, elem_id="language", interactive=False)
        with gr.Tabs():
            with labelled(gr.Tab(t(zh, "tab_chat"), id="chat", elem_id="tab-chat"), label="tab_chat"):
                gr.HTML('<div id="conversation" tabindex="0" role="region"></div>', js_on_load=None)
                # messages for the browser code; never drawn (an empty template), so no text in them is parsed as HTML
                inbox = gr.HTML("", html_template="", js_on_load=INBOX_JS, elem_id="inbox")
                previous = gr.Textbox(visible=False)
                box = labelled(gr.Textbox(label=t(zh, "question"), placeholder=t(zh, "question_placeholder"), lines=1,
                                          max_lines=8, elem_id="question"),
                               label="question", placeholder="question_placeholder")
                with gr.Row():
                    send = labelled(gr.Button(t(zh, "ask"), variant="primary", elem_id="ask"), value="ask")
                    new_chat = labelled(gr.Button(t(zh, "new_chat"), elem_id="new-chat"), value="new_chat")
                    export = labelled(gr.Button(t(zh, "export"), elem_id="export"), value="export")
                extractive = labelled(gr.Checkbox(not settings.llm_enabled, interactive=settings.llm_enabled,
                                                  label=t(zh, "extractive"), elem_id="extractive"), label="extractive")
                with gr.Row(equal_height=True):
                    badge = gr.HTML("", elem_id="filter-badge", js_on_load=None)
                    clear = labelled(gr.Button(t(zh, "clear_filters"), size="sm", visible=False, scale=0,
                                               min_width=120, elem_id="clear-filters"), value="clear_filters")
                with gr.Accordion(t(zh, "filters"), open=False, elem_id="filters") as filters:
                    region_filter = labelled(gr.CheckboxGroup(regions, label=t(zh, "region"), elem_id="region-filter"),
                                             label="region")
                    doc_filter = labelled(gr.Dropdown([(d.title, d.id) for d in docs.values()], multiselect=True,
                                                      label=t(zh, "document"), elem_id="document-filter"),
                                          label="document")
            with labelled(gr.Tab(t(zh, "tab_library"), id="library", elem_id="tab-library"), label="tab_library"):
                search = gr.HTML(ui.library_search_html(zh), js_on_load=None)
                table = gr.HTML(ui.library_html(docs, live.assistant.snapshot.clauses, zh), js_on_load=LIBRARY_JS,
                                elem_id="library")
                tree = gr.HTML(ui.document_outline_html(None, [], zh), js_on_load=OUTLINE_JS, elem_id="outline")
            with labelled(gr.Tab(t(zh, "tab_admin"), id="admin", elem_id="tab-admin"), label="tab_admin"):
                if not settings.admin_token:
                    labelled(gr.Markdown(t(zh, "uploads_disabled")), value="uploads_disabled")
                token = labelled(gr.Textbox(label=t(zh, "admin_token"), type="password", elem_id="admin-token"),
                                 label="admin_token")
                file = gr.File(label=t(zh, "upload_files", mb=settings.max_file_mb), file_types=list(ui.UPLOAD_TYPES),
                               type="filepath", file_count="multiple", elem_id="upload-file")
                with gr.Row():
                    title = labelled(gr.Textbox(label=t(zh, "upload_title"), elem_id="upload-title"),
                                     label="upload_title")
                    number = labelled(gr.Textbox(label=t(zh, "upload_number")), label="upload_number")
                    issuer = labelled(gr.Textbox(label=t(zh, "upload_issuer")), label="upload_issuer")
                with gr.Row():
                    date = labelled(gr.Textbox(label=t(zh, "upload_date")), label="upload_date")
                    region = labelled(gr.Textbox(label=t(zh, "upload_region")), label="upload_region")
                    language = labelled(gr.Dropdown(["", "zh", "en"], value="", label=t(zh, "upload_language")),
                                        label="upload_language")
                check = labelled(gr.Button(t(zh, "preview"), elem_id="preview-upload"), value="preview")
                go = labelled(gr.Button(t(zh, "confirm"), variant="primary", elem_id="confirm-upload"), value="confirm")
                result = gr.HTML("", elem_id="upload-result", js_on_load=None)
        footer = gr.HTML(f'<p class="page-footer">{escape(t(zh, "footer"))}</p>', js_on_load=None)

        # asking: the browser adds its last standalone question, for follow-ups
        answering = settings.workers + settings.queue_size  # the gate, not gradio, bounds answering
        ask_inputs = [box, previous, region_filter, doc_filter, extractive, lang]
        with_memory = "(q, p, r, d, x, l) => [q, window.policyChat.previous(), r, d, x, l]"
        for trigger in (box.submit, send.click):
            trigger(respond, ask_inputs, [inbox, box], js=with_memory, concurrency_limit=answering,
                    show_progress="hidden")
        # New chat: the browser forgets the conversation (and with it the follow-up memory) and clears the filters,
        # all in the page, so a question sent right after cannot overtake it
        new_chat.click(None, None, [region_filter, doc_filter], js="() => { window.policyChat.clear(); return [[], []]; }")
        export.click(None, None, None, js="() => { window.policyChat.exportMarkdown(); }")
        filter_views = [badge, clear, filters]
        for changed in (region_filter.change, doc_filter.change):
            changed(filters_changed, [region_filter, doc_filter, lang], filter_views, queue=False,
                    show_progress="hidden")
        clear.click(None, None, [region_filter, doc_filter], js="() => [[], []]")
        table.click(show_outline, [lang], [tree, outline_doc], queue=False, show_progress="hidden")

        fields = [token, file, title, number, issuer, date, region, language]
        check.click(preview, fields, result)
        views = [shown_build, masthead, table, doc_filter, region_filter]
        go.click(confirm, fields + [lang], [result] + views)

        def relabel(chosen, regions_on, documents_on, doc_id):
            chosen = lang_of(chosen)
            updates = [gr.update(**{prop: t(chosen, key) for prop, key in keys.items()}) for _, keys in relabelled]
            # the switch opens once the page is labelled: a choice made while the first labelling is still in
            # flight would otherwise be overwritten by it when it lands
            return (gr.update(value=chosen, interactive=True), *updates,
                    gr.update(label=t(chosen, "upload_files", mb=settings.max_file_mb)),
                    ui.library_search_html(chosen), outline(doc_id, chosen),
                    f'<p class="page-footer">{escape(t(chosen, "footer"))}</p>',
                    *filters_changed(regions_on, documents_on, chosen), *library_views(None, chosen))

        language_views = ([lang] + [c for c, _ in relabelled] + [file, search, tree, footer] + filter_views + views)
        relabel_inputs = [lang, region_filter, doc_filter, outline_doc]
        # the page starts in the language chosen before in this browser, else the browser's own
        demo.load(relabel, relabel_inputs, language_views, queue=False, show_progress="hidden",
                  js="(l, r, d, o) => [window.policyChat.start(), r, d, o]")
        lang.input(relabel, relabel_inputs, language_views, queue=False, show_progress="hidden",
                   js="(l, r, d, o) => [window.policyChat.setLang(l), r, d, o]")
        # documents added by any process appear for every visitor; off the queue, so idle tabs never crowd out questions
        gr.Timer(LIBRARY_POLL).tick(library_views, [shown_build, lang], views, queue=False, show_progress="hidden")
    return demo


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

    @api.get("/api/documents/{doc_id}")
    def document(doc_id: str):
        """One document's text and metadata, for the clause viewer."""
        a = live.assistant
        found = a.documents.get(doc_id)
        if found is None:
            return JSONResponse({"error": f"no document '{doc_id}' in the library"}, status_code=404)
        return ui.document_payload(found, a.snapshot.build_id)

    signer = Signer.for_data_dir(settings.data_dir)
    store = FeedbackStore(settings.feedback_path)
    feedback_limit = RateLimit(settings.feedback_per_minute)  # changes per answer and minute

    @api.post("/api/feedback")
    async def feedback(request: Request):
        """The reader's vote on one answer the chat gave: ``{answer: signed record, rating, comment, lang}``."""
        try:
            payload = parse_json(await request.body())
            return await run_in_threadpool(ui.record_vote, store, signer, payload, limit=feedback_limit,
                                           max_chars=settings.max_comment_chars)
        except QuestionError as e:
            return JSONResponse({"error": str(e)}, status_code=400)
        except ui.FeedbackError as e:
            headers = {"Retry-After": str(e.retry_after)} if e.retry_after else None
            return JSONResponse({"error": str(e)}, status_code=e.status, headers=headers)

    demo = make_blocks(live, gate, signer)
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=settings.workers)
    head = (COOKIE_JS + f"<script>window.POLICY_UI = {browser_json()};</script>"
            + f"<script>{(ASSETS / 'chat.js').read_text(encoding='utf-8')}</script>")
    app = gr.mount_gradio_app(api, demo, path="/", server_name=settings.host, server_port=settings.port,
                              max_file_size=settings.max_file_mb * 1024 * 1024, head=head, theme=THEME,
                              css=(ASSETS / "chat.css").read_text(encoding="utf-8"), footer_links=[],
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
