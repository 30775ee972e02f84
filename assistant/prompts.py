"""Load the wording files of prompts/ by name (importlib.resources), cached."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=8)
def load(name: str) -> dict:
    return tomllib.loads(resources.files("prompts").joinpath(f"{name}.toml").read_text(encoding="utf-8"))


def phrase(lang: str, key: str, **values) -> str:
    table = load("phrases")
    return table["zh" if lang == "zh" else "en"][key].format(**values)
