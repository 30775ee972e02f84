"""The lexical tokens of every clause, kept with each build and reused by content hash.

Tokenising is jieba in pure Python: about a millisecond a clause, a minute for 50,000. A build therefore
tokenises only clauses the previous build did not hold (same hash, same tokenizer: same tokens), and when many
are new it spreads them over worker processes, one core each.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from . import workers
from .lexical import tokenize
from .types import Clause

FILE = "tokens.json"
PARALLEL_FROM = 5000  # new clauses: below this, starting workers (each loads jieba, ~1 s) costs more than it saves


def clause_tokens(clauses: list[Clause], previous: dict[str, list[str]]) -> dict[str, list[str]]:
    """Content hash → tokens of each clause: from ``previous`` where it has the hash, else tokenised now."""
    out = {c.content_hash: previous[c.content_hash] for c in clauses if c.content_hash in previous}
    todo = {c.content_hash: c.framed() for c in clauses if c.content_hash not in out}
    out.update(zip(todo, tokenize_many(list(todo.values()))))
    return out


def tokenize_many(texts: list[str], processes: int | None = None) -> list[list[str]]:
    """``tokenize`` of each text, in worker processes when there are many."""
    n = min(processes or os.cpu_count() or 1, workers.MAX_WORKERS)
    if n < 2 or len(texts) < PARALLEL_FROM:
        return [tokenize(t) for t in texts]
    size = -(-len(texts) // (4 * n))  # a few chunks per worker, so a slow one does not hold up the rest
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    with workers.pool(n) as pool:
        return [tokens for chunk in pool.map(_tokenize_chunk, chunks) for tokens in chunk]


def _tokenize_chunk(texts: list[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]


def save(folder: Path, tokens: dict[str, list[str]]) -> None:
    (folder / FILE).write_text(json.dumps(tokens, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def load(folder: Path | None) -> dict[str, list[str]]:
    """The tokens a build saved; empty when it saved none or they cannot be read (they are only a cache)."""
    if folder is None:
        return {}
    try:
        found = json.loads((folder / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
