"""The one fixture family of the suite lives in tests/fixtures/: databases, apps and clients,
log capture. This file loads it and reports what the run could not test. (A few folders keep
a conftest.py for fixtures only their tests use: event_bus/, database/, reliability/.)"""

from __future__ import annotations

import os

import pytest

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.logs",
    "tests.fixtures.nats",
]

# gc.freeze() after each test app's start-up would keep every test's objects forever.
os.environ.setdefault("API_SERVER_GC_TUNE", "false")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.fixtures.database import pg_skip_reason
    from tests.fixtures.nats import nats_skipped
    from tests.reliability.load import ACCOUNTED

    if ACCOUNTED:
        terminalreporter.section("reliability: what happened to every request")
        for test, tally in ACCOUNTED:
            terminalreporter.write_line(f"{test}: {tally.summary()}")
    if pg_skip_reason:
        terminalreporter.write_line(
            f"!!! PostgreSQL tests SKIPPED: {pg_skip_reason[0]} !!!", red=True, bold=True
        )
    if nats_skipped:
        terminalreporter.write_line(nats_skipped[0], red=True, bold=True)
