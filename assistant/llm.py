"""The chat model of LLM mode: any OpenAI-compatible endpoint (Ollama, vLLM, a hosted API) through
LangChain's ``ChatOpenAI``.

Retries with exponential backoff are the openai client's (connection errors, timeouts, 408/409/429/5xx,
``POLICY_LLM_RETRIES`` times); ``POLICY_LLM_TIMEOUT`` bounds each request and, when streaming, the whole
answer; ``POLICY_LLM_MAX_TOKENS`` is the budget of one answer. Every failure becomes one ``ModelError``
with a short reason, so the caller can fall back to the extractive answer and say why.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from index.errors import PolicyError

from .config import Settings


class ModelError(PolicyError):
    """The chat model gave no usable reply: unreachable, too slow, an HTTP error or not the protocol."""


@dataclass(frozen=True)
class Reply:
    text: str
    truncated: bool  # the token budget ended it


class ChatModel:
    """``complete(messages)`` → the model's reply; ``on_token`` receives the text as it streams."""

    def __init__(self, settings: Settings):
        from langchain_openai import ChatOpenAI

        self.settings = settings
        budget = settings.llm_max_tokens
        self._chat = ChatOpenAI(
            model=settings.llm_model, base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "unused",  # local servers ignore it; the client insists on one
            timeout=settings.llm_timeout, max_retries=settings.llm_retries, temperature=0,
            # ChatOpenAI sends only max_completion_tokens, which Ollama ignores: send its max_tokens too
            max_tokens=budget, extra_body={"max_tokens": budget})

    def complete(self, messages: list[tuple[str, str]], on_token: Callable[[str], None] | None = None) -> Reply:
        try:
            if on_token is None:
                message = self._chat.invoke(messages)
                text = _text(message.content)
                truncated = (message.response_metadata or {}).get("finish_reason") == "length"
            else:
                text, truncated = self._stream(messages, on_token)
        except ModelError:
            raise
        except Exception as e:  # the endpoint is outside our control: every failure is a reason to fall back
            raise ModelError(_reason(e, self.settings)) from e
        if not text.strip():
            raise ModelError("the model returned an empty reply")
        return Reply(text, truncated)

    def _stream(self, messages, on_token) -> tuple[str, bool]:
        deadline = time.monotonic() + self.settings.llm_timeout
        parts: list[str] = []
        for n, chunk in enumerate(self._chat.stream(messages), 1):
            piece = _text(chunk.content)
            if piece:
                parts.append(piece)
                on_token(piece)
            if (chunk.response_metadata or {}).get("finish_reason") == "length":
                return "".join(parts), True
            if n >= self.settings.llm_max_tokens:  # a chunk is about a token; some servers ignore the budget
                return "".join(parts), True
            if time.monotonic() > deadline:
                raise ModelError(f"no complete answer within {self.settings.llm_timeout:g} s")
        return "".join(parts), False


def _text(content) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or [])


def _reason(error: Exception, settings: Settings) -> str:
    import openai

    if isinstance(error, openai.APITimeoutError):
        return f"no reply within {settings.llm_timeout:g} s"
    if isinstance(error, openai.APIConnectionError):
        return f"cannot reach {settings.llm_base_url}"
    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code} from {settings.llm_base_url}"
    return f"the reply is not a valid chat completion ({type(error).__name__})"
