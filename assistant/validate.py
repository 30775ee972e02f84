"""Every input from a user or a client is checked here before it reaches the assistant.

Questions, filters, JSON request objects (the API body, a line of a batch file): each problem becomes
an ``InputError`` (a ``QuestionError``: HTTP 400, exit 2, or one error line of a batch) that says
exactly what is wrong, never a library traceback.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .prompts import phrase
from .query import language_of
from .types import QuestionError

FIELDS = ("id", "question", "documents", "regions", "extractive")
MAX_ID_CHARS = 200
MAX_SAFE_INT = 2 ** 53  # larger integers do not survive a JavaScript client
MAX_FILTERS = 100
# lone surrogates (invalid UTF-8 bytes decoded with surrogateescape, or JSON "\ud800"), NUL and
# other C0/C1 controls except tab and newlines
_NOT_TEXT = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class InputError(QuestionError):
    """A request or argument that is malformed: wrong type, invalid characters, unknown names.

    ``id`` is the request's id when it was readable, so the error can be matched to its request.
    """

    id: str | int | None = None


@dataclass(frozen=True)
class AskRequest:
    question: str
    id: str | int | None = None
    documents: list[str] | None = None
    regions: list[str] | None = None
    extractive: bool = False  # quote the clauses even when a chat model is configured


def check_text(value: object, what: str) -> str:
    """``value`` as text, or an InputError naming ``what`` and the problem."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be a string, not {_kind(value)}")
    bad = _NOT_TEXT.search(value)
    if bad:
        ch = bad.group()
        why = ("bytes that are not valid UTF-8 (or a lone surrogate)" if "\ud800" <= ch <= "\udfff"
               else "a control character")
        raise InputError(f"{what} contains {why}: U+{ord(ch):04X} at position {bad.start()}; "
                         "send UTF-8 text")
    return value


def check_question(question: object, limit: int) -> str:
    """The question as stripped text, or a QuestionError saying what is wrong with it."""
    text = check_text(question, "the question").strip()
    if not text:
        raise QuestionError(phrase("zh" if language_of(question) == "zh" else "en", "empty"))
    if len(text) > limit:
        raise QuestionError(phrase(language_of(text), "too_long", length=len(text), limit=limit))
    return text


def check_filters(documents: object, regions: object, known: list) -> tuple[list[str] | None, list[str] | None]:
    """Document ids and regions to search in, each one known; None means no filter."""
    docs = _names(documents, "documents", {d.id for d in known})
    regs = _names(regions, "regions", {d.region for d in known if d.region})
    if any(d.id in (docs or [d.id]) and d.region in (regs or [d.region]) for d in known):
        return docs, regs
    raise InputError(f"no loaded document is among documents {docs} and in regions {regs}")


def parse_json(data: bytes | str, what: str = "the request body") -> object:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no duplicate keys, bounded nesting and number size."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"{what} is not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})") from None
    try:
        return json.loads(data, parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise InputError(f"{what} is nested too deeply to be a request") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{what} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except ValueError as e:  # an integer with thousands of digits, a NaN, a duplicate key
        message = "a number has too many digits" if "digits" in str(e) else str(e)
        raise InputError(f"{what}: {message}") from None


def ask_request(item: object) -> AskRequest:
    """The fields of one ask request (API body or batch line), each checked."""
    if not isinstance(item, dict):
        raise InputError(f'expected a JSON object {{"id": …, "question": …}}, not {_kind(item)}')
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(FIELDS)}")
    ident = request_id(item)
    if "question" not in item:
        error = InputError('the "question" field is missing')
        error.id = ident
        raise error
    try:
        question = check_text(item["question"], "question")
        extractive = item.get("extractive", False)
        if not isinstance(extractive, bool):
            raise InputError(f'"extractive" must be true or false, not {_kind(extractive)}')
        return AskRequest(question, ident, _list(item.get("documents"), "documents"),
                          _list(item.get("regions"), "regions"), extractive)
    except InputError as e:
        e.id = ident
        raise


def request_id(item: dict) -> str | int | None:
    """The request's id: a string of at most 200 characters or an integer JSON clients read exactly."""
    ident = item.get("id")
    if ident is None:
        return None
    if isinstance(ident, bool) or not isinstance(ident, (str, int)):
        raise InputError(f"id must be a string or an integer, not {_kind(ident)}")
    if isinstance(ident, str):
        if len(ident) > MAX_ID_CHARS:
            raise InputError(f"id is too long ({len(ident)} characters; at most {MAX_ID_CHARS})")
        return check_text(ident, "id")
    if abs(ident) > MAX_SAFE_INT:
        raise InputError("id is an integer too large to be exact (beyond 2**53); send it as a string")
    return ident


def _names(values: object, what: str, known: set[str]) -> list[str] | None:
    values = _list(values, what)
    if not values:
        return None
    unknown = [v for v in values if v not in known]
    if unknown:
        singular = what.rstrip("s")
        raise InputError(f"unknown {singular} {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return values


def _list(values: object, what: str) -> list[str] | None:
    if values is None:
        return None
    if not isinstance(values, list):
        raise InputError(f"{what} must be a list of strings, not {_kind(values)}")
    if len(values) > MAX_FILTERS:
        raise InputError(f"{what} lists {len(values)} names; at most {MAX_FILTERS}")
    return [check_text(v, f"each of {what}") for v in values]


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"a number ({str(value)[:20]})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _no_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out
