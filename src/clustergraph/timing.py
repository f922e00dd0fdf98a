"""Phase timing for the build: each step logs how long it took, at INFO (``clustergraph -v build`` shows them).

The build's cost moves between steps as the data grows (YAML, quote checks, SHACL, loading); one log line per
step says where it went without a profiler.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

logger = logging.getLogger("clustergraph.phases")

P = ParamSpec("P")
R = TypeVar("R")


def timed(phase: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a build step so every call logs ``phase <name>: <seconds> s`` at INFO.

    >>> @timed("double")
    ... def double(x: int) -> int:
    ...     return 2 * x
    >>> double(21)
    42
    """

    def decorate(step: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(step)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            try:
                return step(*args, **kwargs)
            finally:
                logger.info("phase %s: %.3f s", phase, time.perf_counter() - started)

        return run

    return decorate
