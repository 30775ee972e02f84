"""The lexical ranking: jieba words for Chinese, light-stemmed English words, BM25 (bm25s) over clauses."""
from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache

from pathlib import Path

import jieba
import numpy as np

from .glossary import load_glossary

jieba.setLogLevel(logging.WARNING)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s (with scipy) is imported when an index is made or
# opened, not by a no-change `index`, which only needs the tokenizer's signature

K1, B = 1.5, 0.75   # BM25's usual term-frequency saturation and length normalisation
IDF_FLOOR = 0.25    # a very common token's IDF, as a share of the mean (BM25Okapi's epsilon)
EMPTY = "∅"         # the token of a text with no words, so every text has a row

_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z][A-Za-z\-']*|\d+(?:\.\d+)?%?")
_ZH_STOP = set("""的 和 与 及 等 在 对 为 了 是 将 按 由 中 并 或 其 之 以 把 被 我 你 他 她 它 我们 你们 他们 咱们 要 能 可以 吗 呢 啊 吧
什么 哪些 哪个 哪里 哪儿 怎么 怎样 如何 多少 几个 几 有 有没有 是否 能否 能不能 会不会 是不是 这个 那个 这些 那些 一下 请问 想 想问
就 都 也 还 又 才 再 得 地 着 过 吗 么 该 应该 需要 如果 的话 一个 一些 这样 那样 现在 目前 已经 给 让 做 搞 弄 个 里 上 下
不能 不会 能不能 算不算 是不是 还是 或者 以后 之后 以前 还要 才能 起来 这边 那边 时候 这项 那项 这条 哪条 哪类 哪几个 哪几种
提出 达到 应当 拿来 拿到 拿给 自己 一家 一下子 附近 具体 一般 大概 大约 左右 打算 准备 可能 看看 知道 问问 请教""".split())
_EN_STOP = set("""a an the of and or to in on for by with as at from is are be been was were this that these those it its
which what who whom how when where why do does did can could would should will shall may might must any all each
there their them they we our you your i me my about into than then so such not no yes if but also more most
within much many get gets got take takes taking need needs want wants like let us please tell know say said
one ones other another some just only still now already very really within between under over per via
has have had having am being make makes made give gives given does doing done
i'm we're we've you're it's themselves ourselves myself yourself mine ours elsewhere anything something
easier easy hope expect consider until onto directly extra already ever even""".split())


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
    """Index/query tokens of mixed Chinese and English text (Chinese in jieba's search mode)."""
    return _tokens(text, search=True)


def words(text: str) -> list[str]:
    """Whole words of a question, one per concept (jieba's precise mode): "技术改造", not also "技术"."""
    return _tokens(text, search=False)


def _tokens(text: str, search: bool) -> list[str]:
    tokens: list[str] = []
    for run in _RUN.findall(text):
        if run[0].isascii():
            if run[0].isdigit():
                tokens.append(run)
            elif run.lower() not in _EN_STOP and len(run) > 1:
                tokens.append(stem(run))
            continue
        cut = _tokenizer().cut_for_search(run) if search else _tokenizer().cut(run)
        for word in cut:
            if word not in _ZH_STOP:
                tokens.append(word)
    return tokens


def tokenizer_signature() -> str:
    """What the tokens depend on (jieba's version and the glossary's words): a saved index built with another
    tokenizer would not match the questions' tokens."""
    words = "\n".join(sorted(load_glossary().words()))
    return hashlib.sha256(f"{jieba.__version__}\n{words}".encode()).hexdigest()[:16]


class LexicalIndex:
    """BM25 (bm25s: sparse matrices, scores for all texts in one vectorised pass) over a fixed list of texts.

    Built once per index build and saved with it, so a process starts without re-tokenising the library."""

    def __init__(self, bm25, df: np.ndarray):
        self._bm25 = bm25
        self._df = df  # texts holding each vocabulary token
        self._n = int(bm25.scores["num_docs"])
        raw = np.log((self._n - df + 0.5) / (df + 0.5))
        # Robertson's IDF turns negative for a token in over half the texts: floored as BM25Okapi does
        self._idf = np.where(raw < 0, IDF_FLOOR * float(raw.mean()) if len(raw) else 0.0, raw)

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        return cls.from_tokens([tokenize(t) for t in texts])

    @classmethod
    def from_tokens(cls, tokens: list[list[str]]) -> "LexicalIndex":
        """The index of texts already tokenised (``tokenize``), one token list per text."""
        import bm25s

        bm25 = bm25s.BM25(k1=K1, b=B, method="robertson")
        bm25.index([t or [EMPTY] for t in tokens], show_progress=False)
        return cls(bm25, np.diff(bm25.scores["indptr"]))

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s

        bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        return cls(bm25, np.diff(bm25.scores["indptr"]))

    def scores(self, tokens: list[str]) -> np.ndarray:
        if not tokens:
            return np.zeros(self._n, dtype=np.float32)
        return self._bm25.get_scores(list(tokens))

    def idf(self, token: str) -> float | None:
        """Inverse document frequency of a token, None when no text holds it."""
        i = self._bm25.vocab_dict.get(token)
        if i is None or i >= len(self._df) or not self._df[i]:
            return None
        return float(self._idf[i])
