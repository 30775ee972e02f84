"""The quality gate: the full question set, scored, against eval/thresholds.toml."""
import tomllib
from pathlib import Path

import pytest

from eval.run import asker, evaluate, load_questions, summarize

pytestmark = pytest.mark.slow
THRESHOLDS = tomllib.loads((Path(__file__).resolve().parent.parent / "eval" / "thresholds.toml").read_text())


@pytest.fixture(scope="module")
def summary(assistant):
    return summarize(evaluate(asker(assistant), load_questions())[0])["all"]


@pytest.mark.parametrize("name", sorted(THRESHOLDS["gate"]))
def test_gate(summary, name):
    limit = THRESHOLDS["gate"][name]
    if name.endswith("_max"):
        value = summary[name.removesuffix("_max")]
        assert value <= limit, f"{name}: {value} > {limit}"
    else:
        assert summary[name] >= limit, f"{name}: {summary[name]:.3f} < {limit}"
