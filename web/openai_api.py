"""The assistant as an OpenAI-compatible chat model, for Open WebUI, LibreChat or the openai SDK:
``POST /v1/chat/completions`` (JSON, or server-sent events when ``stream``) and ``GET /v1/models``.

The reply is the verified answer (LLM mode when a chat model is configured, unless the model
``policy-assistant-extractive`` is asked for) with its sources listed in the message text, and as data
beside ``choices``: ``citations``, ``verification``, ``mode``, ``note``, ``abstained``. A stream never
carries the language model's unverified draft: while it is written and checked the stream sends SSE
comments (which clients ignore), then the verified answer.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import replace

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.service import check_question
from assistant.types import Answer, QuestionError

from .gate import Busy
from .streaming import Streamed

MODELS = {"policy-assistant": False, "policy-assistant-extractive": True}  # name → extractive
KEEP_ALIVE_S = 1.0  # seconds between comments while the answer is written and verified
CHUNK = 40          # characters of the verified answer per streamed event


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict] | None = None


class ChatRequest(BaseModel):
    """The fields used; the rest (temperature, max_tokens, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[Message]
    stream: bool = False


def router(current: Callable[[], object], gate=None) -> APIRouter:
    """The routes, answering with ``current()``, the assistant serving now (it is replaced after uploads),
    through ``gate`` (web.gate), the one bounded queue every question waits in."""
    api = APIRouter()

    @api.get("/v1/models")
    def models():
        return {"object": "list", "data": [{"id": name, "object": "model", "created": 0,
                                            "owned_by": "policy-assistant"} for name in MODELS]}

    @api.post("/v1/chat/completions")
    def chat(body: dict = Body(...)):
        try:
            req = ChatRequest.model_validate(body)
        except ValidationError as e:
            return _error(400, f"invalid request: {e.errors()[0]['loc']}: {e.errors()[0]['msg']}")
        if req.model not in MODELS:
            return _error(404, f"model '{req.model}' does not exist; use one of {', '.join(MODELS)}",
                          "model_not_found")
        questions = [t for t in (_text(m.content) for m in req.messages if m.role == "user") if t.strip()]
        if not questions:
            return _error(400, "the request has no user message with text")
        assistant = current()
        try:
            check_question(questions[-1], assistant.settings.max_question_chars)
        except QuestionError as e:
            return _error(400, str(e))
        extractive = MODELS[req.model]
        previous = questions[-2] if len(questions) > 1 else None

        try:
            ticket = gate.admit() if gate else None
        except Busy as e:
            return JSONResponse({"error": {"message": str(e), "type": "server_busy"}}, status_code=503,
                                headers={"Retry-After": str(e.retry_after)})

        def answer(on_token=None) -> Answer:
            with ticket.running() if ticket else nullcontext():
                standalone = assistant.followup(questions[-1], previous, extractive)
                a = assistant.ask(standalone or questions[-1], extractive=extractive, on_token=on_token)
            return replace(a, rewritten=standalone) if standalone else a

        ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not req.stream:
            a = answer()
            return {"id": ident, "object": "chat.completion", "created": created, "model": req.model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content(a)},
                                 "finish_reason": "stop"}], **_data(a)}
        return StreamingResponse(_events(answer, ident, created, req.model), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache"})

    return api


def content(a: Answer) -> str:
    """The message text: the answer, the note, and the numbered sources with their quotes."""
    zh = a.language == "zh"
    parts = [a.text]
    if a.note:
        parts.append(f"_{a.note}_")
    if a.citations:
        lines = ["**来源**" if zh else "**Sources**"]
        for c in a.citations:
            number = f" {c.document.cite_number}" if c.document.cite_number else ""
            lines.append(f"[{c.n}] {c.document.title}{number} · {c.clause.path_text}: “{c.quote.strip()}”")
        parts.append("\n".join(lines))
    if a.rewritten:
        parts.append(f"_{'按上文理解为' if zh else 'Understood as'}：{a.rewritten}_")
    return "\n\n".join(parts)


def _data(a: Answer) -> dict:
    d = a.to_dict()
    return {"citations": d["citations"], "abstained": a.abstained, "mode": a.mode, "note": a.note,
            "verification": d.get("verification"), "rewritten_question": a.rewritten}


def _events(answer: Callable, ident: str, created: int, model: str) -> Iterator[str]:
    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        payload = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    run = Streamed(answer)
    last = time.monotonic()
    try:
        for _ in run.tokens(idle=KEEP_ALIVE_S):  # the draft is not verified: only show that work goes on
            if time.monotonic() - last >= KEEP_ALIVE_S:
                last = time.monotonic()
                yield ": verifying\n\n"
        a = run.result
    except Exception as e:  # the status line is sent: report the failure in the stream, as the API does
        yield f"data: {json.dumps({'error': {'message': str(e), 'type': 'server_error'}})}\n\n"
        return
    text = content(a)
    for i in range(0, len(text), CHUNK):
        yield chunk({"content": text[i:i + CHUNK]})
    yield chunk({}, "stop", **_data(a))
    yield "data: [DONE]\n\n"


def _text(content_: str | list[dict] | None) -> str:
    if isinstance(content_, list):  # [{"type": "text", "text": "…"}, …]
        return "".join(p.get("text", "") for p in content_ if isinstance(p, dict) and p.get("type") == "text")
    return content_ or ""


def _error(status: int, message: str, code: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "code": code}},
                        status_code=status)
