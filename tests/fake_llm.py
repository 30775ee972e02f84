"""A fake OpenAI-compatible chat server on 127.0.0.1 with scripted replies, for LLM mode without a model.

It speaks the real wire protocol: ``POST /v1/chat/completions`` answers with a ``chat.completion`` JSON
object, or, when the request asks to stream, with ``chat.completion.chunk`` server-sent events ending in
``data: [DONE]``; ``GET /v1/models`` lists the model. A script is a queue of replies; a reply may be a
function of the request (to cite the number the prompt gave a clause). Every request is recorded.
"""
from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "fake-qwen"


@dataclass(frozen=True)
class Scripted:
    text: str | None = None        # the assistant's message
    status: int = 200              # an HTTP error status instead
    raw: str | None = None         # a body (or, when streaming, an event) that is not the protocol
    delay: float = 0.0             # seconds before answering (longer than the client's timeout: a timeout)
    finish_reason: str = "stop"


def say(text: str, finish_reason: str = "stop") -> Scripted:
    return Scripted(text=text, finish_reason=finish_reason)


def error(status: int) -> Scripted:
    return Scripted(status=status)


def malformed(body: str = '{"id": "chatcmpl-1", "choices": [{"message": {"content": "unterminated') -> Scripted:
    return Scripted(raw=body)


def slow(seconds: float, text: str = "too late [1]") -> Scripted:
    return Scripted(text=text, delay=seconds)


Reply = Scripted | Callable[[dict], Scripted]


class FakeLLM:
    """``with FakeLLM() as fake: fake.script(say("…"))``; ``fake.base_url`` goes into POLICY_LLM_BASE_URL."""

    def __init__(self):
        self.requests: list[dict] = []
        self._queue: list[Reply] = []
        self._otherwise: Reply = error(503)
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: Reply, otherwise: Reply | None = None) -> "FakeLLM":
        """Queue replies, one per request; ``otherwise`` answers once the queue is empty (default: 503)."""
        with self._lock:
            self._queue = list(replies)
            self._otherwise = otherwise or error(503)
            self.requests.clear()
        return self

    def next_reply(self, request: dict) -> Scripted:
        with self._lock:
            self.requests.append(request)
            reply = self._queue.pop(0) if self._queue else self._otherwise
        return reply(request) if callable(reply) else reply

    def __enter__(self) -> "FakeLLM":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that timed out and hung up is expected
            super().handle_error(request, client_address)


def _handler(fake: FakeLLM):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "fake"}]})
            else:
                self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if not self.path.rstrip("/").endswith("/chat/completions"):
                return self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            request = json.loads(body)
            reply = fake.next_reply(request)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                return self._json(reply.status, {"error": {"message": f"scripted {reply.status}",
                                                           "type": "server_error"}})
            if request.get("stream"):
                return self._stream(request, reply)
            if reply.raw is not None:
                return self._send(200, reply.raw.encode(), "application/json")
            self._json(200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                             "model": request.get("model", MODEL),
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                                          "finish_reason": reply.finish_reason}],
                             "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

        def _stream(self, request: dict, reply: Scripted):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": request.get("model", MODEL)}

            def event(delta: dict, finish: str | None = None) -> None:
                chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

            event({"role": "assistant", "content": ""})
            if reply.raw is not None:
                self.wfile.write(f"data: {reply.raw}\n\n".encode())
            else:
                for i in range(0, len(reply.text), 4):  # a few characters per token, as models stream
                    event({"content": reply.text[i:i + 4]})
                event({}, reply.finish_reason)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _json(self, status: int, payload: dict):
            self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str):
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


_SOURCE = re.compile(r'<source n="(\d+)">\n(.*?)\n</source>', re.S)


def sources(request: dict) -> dict[int, str]:
    """The numbered clauses the prompt of ``request`` gave the model."""
    user = [m["content"] for m in request["messages"] if m["role"] == "user"][-1]
    return {int(n): body for n, body in _SOURCE.findall(user)}


def number_of(request: dict, needle: str) -> int:
    """The number the prompt gave the clause containing ``needle``."""
    found = [n for n, body in sources(request).items() if needle in body]
    assert found, f"no source in the prompt contains {needle!r}"
    return found[0]
