"""A blocking call that reports tokens through a callback, turned into an iterator for streaming responses."""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()


class Streamed(Generic[T]):
    """``for token in Streamed(lambda on_token: work(on_token=on_token))`` yields the tokens as the work
    produces them; afterwards ``result`` is its return value (its exception is raised by the loop)."""

    def __init__(self, call: Callable[[Callable[[str], None]], T]):
        self._tokens: queue.Queue = queue.Queue()
        self._outcome: dict = {}

        def run() -> None:
            try:
                self._outcome["result"] = call(self._tokens.put)
            except BaseException as e:  # handed to the consumer's thread
                self._outcome["error"] = e
            finally:
                self._tokens.put(_DONE)

        threading.Thread(target=run, daemon=True).start()

    def __iter__(self) -> Iterator[str]:
        return self.tokens()

    def tokens(self, idle: float | None = None) -> Iterator[str]:
        """The tokens; with ``idle``, also "" after that many seconds without one (to keep a stream alive)."""
        while True:
            try:
                token = self._tokens.get(timeout=idle)
            except queue.Empty:
                yield ""
                continue
            if token is _DONE:
                break
            yield token
        if "error" in self._outcome:
            raise self._outcome["error"]

    @property
    def result(self) -> T:
        return self._outcome["result"]
