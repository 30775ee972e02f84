"""The quality gate: the full question set, scored, against eval/thresholds.toml."""
import tomllib
from pathlib import Path

import pytest

from assistant.cite import unsupported_numbers
from eval.run import evaluate, load_questions, summarize

pytestmark = pytest.mark.slow
THRESHOLDS = tomllib.loads((Path(__file__).resolve().parent.parent / "eval" / "thresholds.toml").read_text())


@pytest.fixture(scope="module")
def summary(assistant):
    def ask(question):
        answer = assistant.ask(question)
        d = answer.to_dict()
        d["unsupported_numbers"] = [] if answer.abstained else sorted(unsupported_numbers(answer.text,
                                                                                         answer.citations))
        return d

    return summarize(evaluate(ask, load_questions())[0])["all"]


@pytest.mark.parametrize("name", sorted(THRESHOLDS["floor"]))
def test_floor(summary, name):
    limit = THRESHOLDS["floor"][name]
    if name.endswith("_max"):
        assert summary[name.removesuffix("_max")] <= limit, f"{name}: {summary[name.removesuffix('_max')]}"
    else:
        assert summary[name] >= limit, f"{name}: {summary[name]:.3f} < floor {limit}"


def test_floors_never_exceed_targets():
    for name, floor in THRESHOLDS["floor"].items():
        target = THRESHOLDS["target"][name]
        assert (floor >= target) if name.endswith("_max") else (floor <= target), name
