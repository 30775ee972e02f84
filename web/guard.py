"""What a request may be before any route sees it: an ASGI middleware around the whole app.

- Body size: every route, gradio's included, gets at most ``max_body`` bytes (uploads ``max_upload``),
  or 413. A declared Content-Length over the limit is refused before a byte is read; a chunked body
  is counted as it arrives and cut off at the limit.
- Uploads: any multipart body, and gradio's upload routes whatever they carry, need the admin token
  (header ``X-Admin-Token``, ``Authorization: Bearer …`` or the ``policy_admin_token`` cookie the
  Admin tab sets as the token is typed); without a configured token uploads are off (403).
"""
from __future__ import annotations

import hmac
import json
import re
from http.cookies import CookieError, SimpleCookie
from urllib.parse import unquote

COOKIE = "policy_admin_token"
UPLOAD_ROUTES = {"upload", "process_recording"}  # gradio's, under /gradio_api/

# Typing the token in the Admin tab stores it in a same-site cookie, so gradio's own upload request
# (sent by its file component, which knows nothing of our token box) carries it.
COOKIE_JS = f"""<script>
document.addEventListener('input', (e) => {{
  if (e.target.closest && e.target.closest('#admin-token')) {{
    document.cookie = '{COOKIE}=' + encodeURIComponent(e.target.value) + '; path=/; SameSite=Strict';
  }}
}}, true);
</script>"""


class _TooLarge(Exception):
    pass


class Guard:
    def __init__(self, app, *, max_body: int, max_upload: int, admin_token: str | None):
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.admin_token = admin_token

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        upload = is_upload(scope["path"], headers.get("content-type", ""))
        if upload:
            refusal = self._refuse_upload(headers)
            if refusal:
                return await reply(send, *refusal)
        limit = self.max_upload if upload else self.max_body
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                return await reply(send, 400, "Content-Length is not a number")
            if int(declared) > limit:
                return await reply(send, 413, too_large(limit))

        received = 0
        overflow = False
        started = False

        async def counted():
            nonlocal received, overflow
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    overflow = True
                    raise _TooLarge()
            return message

        async def guarded(message):
            nonlocal started
            if overflow:
                return  # whatever the app answers to a body cut short, the client gets the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not overflow:
                raise
        if overflow and not started:
            await reply(send, 413, too_large(limit))

    def _refuse_upload(self, headers: dict) -> tuple[int, str] | None:
        if not self.admin_token:
            return 403, "uploads are disabled: no admin token is configured (POLICY_ADMIN_TOKEN)"
        given = _token(headers)
        if not given or not hmac.compare_digest(given.encode(), self.admin_token.encode()):
            return 401, "uploads need the admin token (type it in the Admin tab, or send X-Admin-Token)"
        return None


def is_upload(path: str, content_type: str) -> bool:
    segments = [s for s in re.split(r"/+", path) if s]
    return content_type.lower().startswith("multipart/") or bool(segments and segments[-1] in UPLOAD_ROUTES)


def too_large(limit: int) -> str:
    return f"request body too large (limit {limit:,} bytes)"


def _token(headers: dict) -> str | None:
    if headers.get("x-admin-token"):
        return headers["x-admin-token"]
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    try:
        cookie = SimpleCookie(headers.get("cookie", ""))
    except CookieError:
        return None
    if COOKIE in cookie:
        return unquote(cookie[COOKIE].value)
    return None


async def reply(send, status: int, message: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})
