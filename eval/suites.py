"""The evaluation sets and the library each is asked against.

- ``builtin``: eval/questions.jsonl on the five built-in texts (written blind; the composer was calibrated on it).
- ``holdout``: eval/holdout.jsonl, written later, also on the built-in texts.
- ``corpus-dev``: the reported half of a set written blind on ``../shared/corpus-dev`` (59 laws, regulations,
  rules and local regulations), asked with the built-in library and corpus-dev loaded. Never tuned on.
- ``corpus-dev-calibrate``: the other half, on which thresholds are calibrated.
The corpus-dev texts are read in place; they are never copied into this repository.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

EVAL = Path(__file__).resolve().parent
CORPUS_DEV = Path(os.environ.get("POLICY_CORPUS_DEV") or EVAL.parent.parent / "shared" / "corpus-dev")


@dataclass(frozen=True)
class Suite:
    name: str
    questions: Path
    libraries: tuple[Path, ...] = ()  # loaded beside the built-in library, in place

    def data_dir(self, root: Path) -> Path:
        """Where this suite's index lives: one per set of libraries, apart from the user's own index."""
        key = hashlib.sha1("|".join(str(p.resolve()) for p in self.libraries).encode()).hexdigest()[:8]
        return root / "eval" / (f"lib-{key}" if self.libraries else "builtin")


SUITES = {
    "builtin": Suite("builtin", EVAL / "questions.jsonl"),
    "holdout": Suite("holdout", EVAL / "holdout.jsonl"),
    "corpus-dev": Suite("corpus-dev", EVAL / "corpus_dev" / "report.jsonl", (CORPUS_DEV,)),
    "corpus-dev-calibrate": Suite("corpus-dev-calibrate", EVAL / "corpus_dev" / "calibrate.jsonl", (CORPUS_DEV,)),
}
DEFAULT = ("builtin", "corpus-dev")
