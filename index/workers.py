"""Worker processes for the parts of a build that need every core (tokenising, embedding).

Spawned, not forked: a serving process (an upload) has threads whose locks a forked child would inherit. Each
worker dies with the process that started it, so a build killed mid-way (kill -9) leaves none blocked behind.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

# prctl(2) option (Linux): the signal a process gets when the thread that started it ends; that is the build's
# own thread, which shuts its workers down before it returns.
PR_SET_PDEATHSIG = 1
MAX_WORKERS = 8  # each worker holds its own tokenizer or model: more cores than this are left to others


def pool(workers: int, initializer: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(min(workers, MAX_WORKERS), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(initializer,))


def _start(initializer: Callable[[], None] | None) -> None:
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # without it a worker outlives a killed build, blocked, until the next reboot or kill
    if initializer:
        initializer()
