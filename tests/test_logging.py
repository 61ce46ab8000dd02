from __future__ import annotations

import io
import json
import logging

import pytest
from loguru import logger

from api_server.logging import redact, request_id_var, setup_logging
from api_server.settings import Settings

SECRET = "s3cr3t-pa55"


@pytest.fixture
def json_stream() -> io.StringIO:
    stream = io.StringIO()
    setup_logging(Settings(log_level="TRACE", log_format="json", _env_file=None), stream)  # type: ignore[call-arg]
    yield stream
    logger.remove()
    logging.basicConfig(handlers=[], force=True)


@pytest.mark.parametrize(
    "text",
    [
        f"postgresql+asyncpg://app:{SECRET}@db:5432/app",
        f"connect failed for postgres://app:{SECRET}@10.0.0.1/app: timeout",
        f"dsn host=db password={SECRET} dbname=app",
        f"Password: '{SECRET}'",
    ],
)
def test_redact_masks_passwords(text: str) -> None:
    assert SECRET not in redact(text)


def test_redact_leaves_plain_text_alone() -> None:
    assert redact("GET /ping 200 in 1.2ms") == "GET /ping 200 in 1.2ms"


def test_json_lines_carry_level_logger_and_request_id(json_stream: io.StringIO) -> None:
    token = request_id_var.set("req-123")
    try:
        logger.info("hello {}", "world")
    finally:
        request_id_var.reset(token)
    line = json.loads(json_stream.getvalue().splitlines()[-1])
    assert line["message"] == "hello world"
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-123"


def test_stdlib_logging_is_intercepted_and_redacted_at_trace(json_stream: io.StringIO) -> None:
    logging.getLogger("sqlalchemy.engine.Engine").setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine.Engine").debug(
        "connecting to %s", f"postgresql://app:{SECRET}@db/app"
    )
    logger.trace("url={}", f"postgresql://app:{SECRET}@db/app")
    output = json_stream.getvalue()
    assert "connecting to postgresql://app:***@db/app" in output
    assert json.loads(output.splitlines()[-2])["logger"].endswith("test_logging")
    assert SECRET not in output


def test_exceptions_are_logged_with_traceback_and_redacted(json_stream: io.StringIO) -> None:
    try:
        raise ConnectionError(f"cannot reach postgresql://app:{SECRET}@db/app")
    except ConnectionError:
        logger.exception("database down")
    line = json.loads(json_stream.getvalue().splitlines()[-1])
    assert "Traceback" in line["exception"]
    assert "ConnectionError" in line["exception"]
    assert SECRET not in json_stream.getvalue()


def test_noisy_loggers_are_quiet(json_stream: io.StringIO) -> None:
    assert logging.getLogger("watchfiles.main").level == logging.WARNING
    logging.getLogger("watchfiles.main").info("1 change detected")
    assert "change detected" not in json_stream.getvalue()
