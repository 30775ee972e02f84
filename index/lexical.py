"""The lexical ranking: jieba words for Chinese, light-stemmed English words, BM25 over clauses."""
from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba
import numpy as np
from rank_bm25 import BM25Okapi

from .glossary import load_glossary

jieba.setLogLevel(logging.WARNING)

_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z][A-Za-z\-']*|\d+(?:\.\d+)?%?")
_ZH_STOP = set("的 和 与 及 等 在 对 为 了 是 将 按 由 中 并 或 其 之 以 把 被 我 你 他 要 能 可以 吗 呢 啊 吧 什么 哪些 怎么 如何 多少 有 有没有 是否 这个 那个 一下".split())
_EN_STOP = set("""a an the of and or to in on for by with as at from is are be been was were this that these those it its
which what who whom how when where why do does did can could would should will shall may might must any all each
there their them they we our you your i me my about into than then so such not no yes if but also more most""".split())


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    tk.initialize()
    for word in load_glossary().words():
        tk.add_word(word, freq=2000)
    return tk


def stem(word: str) -> str:
    """A light English stemmer: enough to match 'trials'/'trial', 'approved'/'approve'."""
    w = word.lower().replace("'s", "").strip("'-")
    for suffix, repl, min_len in (("ies", "y", 5), ("ing", "", 6), ("ed", "", 5), ("s", "", 4)):
        if w.endswith(suffix) and len(w) >= min_len and not w.endswith("ss"):
            w = w[: -len(suffix)] + repl
            break
    return w[:-1] if w.endswith("e") and len(w) > 4 else w


def tokenize(text: str) -> list[str]:
    """Index/query tokens of mixed Chinese and English text."""
    tokens: list[str] = []
    for run in _RUN.findall(text):
        if run[0].isascii():
            if run[0].isdigit():
                tokens.append(run)
            elif run.lower() not in _EN_STOP and len(run) > 1:
                tokens.append(stem(run))
            continue
        for word in _tokenizer().cut_for_search(run):
            if word not in _ZH_STOP:
                tokens.append(word)
    return tokens


class LexicalIndex:
    """BM25 over a fixed list of texts; ``scores`` returns one score per text."""

    def __init__(self, texts: list[str]):
        self._bm25 = BM25Okapi([tokenize(t) or ["∅"] for t in texts])

    def scores(self, tokens: list[str]) -> np.ndarray:
        return self._bm25.get_scores(tokens) if tokens else np.zeros(self._bm25.corpus_size)
