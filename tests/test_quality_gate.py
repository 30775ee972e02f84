"""The quality gates: each question set, scored, against its table in eval/thresholds.toml.

- ``gate``: the built-in set (eval/questions.jsonl) on the built-in library;
- ``corpus_dev``: the reported half of the corpus-dev set, asked with the built-in library and the 59
  corpus-dev texts (read in place from ../shared/corpus-dev) loaded. Thresholds were never tuned on it.
"""
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from eval.run import asker, evaluate, load_questions, summarize
from eval.suites import SUITES

pytestmark = pytest.mark.slow
THRESHOLDS = tomllib.loads((Path(__file__).resolve().parent.parent / "eval" / "thresholds.toml").read_text())


@pytest.fixture(scope="module")
def builtin_summary(assistant):
    return summarize(evaluate(asker(assistant), load_questions())[0])["all"]


@pytest.fixture(scope="module")
def corpus_dev_summary(corpus_settings):
    from assistant.service import Assistant, build

    suite = SUITES["corpus-dev"]
    if not all(p.is_dir() for p in suite.libraries):
        pytest.fail(f"the corpus-dev texts are missing: expected them at {suite.libraries[0]}")
    settings = replace(corpus_settings, data_dir=suite.data_dir(corpus_settings.data_dir.parent),
                       extra_libraries=suite.libraries)
    build(settings, progress=False)
    return summarize(evaluate(asker(Assistant(settings)), load_questions(suite.questions))[0])["all"]


def check(summary: dict, name: str, limit: float) -> None:
    if name.endswith("_max"):
        value = summary[name.removesuffix("_max")]
        assert value <= limit, f"{name}: {value} > {limit}"
    else:
        assert summary[name] >= limit, f"{name}: {summary[name]:.3f} < {limit}"


@pytest.mark.parametrize("name", sorted(THRESHOLDS["gate"]))
def test_builtin_gate(builtin_summary, name):
    check(builtin_summary, name, THRESHOLDS["gate"][name])


@pytest.mark.parametrize("name", sorted(THRESHOLDS["corpus_dev"]))
def test_corpus_dev_gate(corpus_dev_summary, name):
    check(corpus_dev_summary, name, THRESHOLDS["corpus_dev"][name])
