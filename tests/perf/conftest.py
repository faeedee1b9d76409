"""Benchmark plumbing: ``bench`` times a callable and records a line; the lines are printed at
the end of the run, each starting with "BENCH", whatever pytest's output capture does.

Benchmarks print numbers; they assert only that the thing measured worked, never a time.
"""

import statistics
import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

_LINES: list[str] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _LINES:
        return
    terminalreporter.section("benchmarks")
    for line in _LINES:
        terminalreporter.write_line(line)


class Bench:
    def __init__(self, record_property):
        self._record_property = record_property

    def time(self, name: str, fn: Callable[[], object], *, runs: int, warmup: int = 1) -> dict:
        """Call ``fn`` ``warmup`` + ``runs`` times; record the median and p90 in ms and the
        number of queries of the last run. Returns the figures."""
        for _ in range(warmup):
            fn()
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                fn()
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        figures = {
            "median_ms": statistics.median(timings),
            "p90_ms": timings[max(int(len(timings) * 0.9) - 1, 0)],
            "queries": len(queries),
            "runs": runs,
        }
        self.note(
            f"{name}: median {figures['median_ms']:.1f} ms, p90 {figures['p90_ms']:.1f} ms, "
            f"{figures['queries']} queries, {runs} runs"
        )
        return figures

    def note(self, text: str) -> None:
        line = f"BENCH [{connection.vendor}] {text}"
        _LINES.append(line)
        self._record_property("bench", line)


@pytest.fixture
def bench(record_property) -> Bench:
    return Bench(record_property)
