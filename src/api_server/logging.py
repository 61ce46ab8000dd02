"""Logging: everything goes through loguru; stdlib loggers are intercepted.

Text on a TTY, one JSON object per line otherwise (or as `API_SERVER_LOG_FORMAT` says).
Every line passes a redactor that masks URL passwords, so a database URL can never leak,
whatever level or library wrote it.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import sys
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _json_string
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from loguru import logger

from api_server.settings import LogFormat, Settings

if TYPE_CHECKING:
    from loguru import Message, Record

__all__ = [
    "InterceptHandler",
    "redact",
    "request_id_var",
    "setup_logging",
    "setup_sqlalchemy_logging",
    "write_access_line",
]

# Set by the request-id middleware; copied into every log line of that request.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

NOISY_LOGGERS = (
    "alembic.runtime.migration",
    "alembic.runtime.plugins",  # a "setup plugin ..." line per plugin on every start
    "watchfiles",
    "watchfiles.main",
    "asyncio",
    "aiosqlite",
    "multipart",
    "httpx",
)
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error")

# scheme://user:password@host -> scheme://user:***@host ; also password=... in DSN strings.
_URL_PASSWORD = re.compile(r"(?P<prefix>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@\s]+(?=@)")
_KV_PASSWORD = re.compile(r"(?i)(?P<prefix>\bpassword\s*[=:]\s*)('[^']*'|\"[^\"]*\"|[^\s,;]+)")

TEXT_FORMAT = (
    "<green>{time:YYYY-MM-DD HH:mm:ss.SSS}</green> | <level>{level: <8}</level> | "
    "<cyan>{name}</cyan>:<cyan>{line}</cyan> | {extra[request_id]} | <level>{message}</level>"
    "\n{exception}"
)


def redact(text: str) -> str:
    """Mask passwords in URLs and `password=` pairs."""
    if "://" in text:
        text = _URL_PASSWORD.sub(r"\g<prefix>***", text)
    if "assword" in text or "ASSWORD" in text:
        text = _KV_PASSWORD.sub(r"\g<prefix>***", text)
    return text


def _patch(record: Record) -> None:
    record["message"] = redact(record["message"])
    record["extra"].setdefault("request_id", request_id_var.get() or "-")


class InterceptHandler(logging.Handler):
    """Route stdlib `logging` records into loguru, keeping the caller's location."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        # Walk out of the stdlib logging frames so loguru reports the real caller.
        frame: FrameType | None = inspect.currentframe()
        depth = 0
        while frame is not None and (depth == 0 or frame.f_code.co_filename == logging.__file__):
            frame = frame.f_back
            depth += 1
        logger.opt(depth=depth, exception=record.exc_info).log(level, record.getMessage())


def _json_sink(stream: TextIO) -> Any:
    def sink(message: Message) -> None:
        record = message.record
        payload: dict[str, Any] = {
            "time": record["time"].isoformat(),
            "level": record["level"].name,
            "logger": record["name"],
            "message": record["message"],
        }
        payload.update({k: v for k, v in record["extra"].items() if not k.startswith("_")})
        exc = record["exception"]
        if exc is not None:
            lines = traceback.format_exception(exc.type, exc.value, exc.traceback)
            payload["exception"] = redact("".join(lines).rstrip())
        stream.write(json.dumps(payload, default=str) + "\n")
        stream.flush()

    return sink


def _text_sink(stream: TextIO) -> Any:
    def sink(message: Message) -> None:
        # The rendered traceback is outside the patched message: redact the whole line.
        stream.write(redact(str(message)))
        stream.flush()

    return sink


AccessWriter = Callable[[str, str, int, float, str | None, str | None], None]
ACCESS_LOGGER = "api_server.middleware.access_log"


def _as_access_logger(record: Record) -> None:
    record["name"] = ACCESS_LOGGER


def _loguru_access_writer(
    method: str,
    route: str,
    status: int,
    duration_ms: float,
    client: str | None,
    principal: str | None = None,
) -> None:
    logger.patch(_as_access_logger).bind(
        method=method,
        route=route,
        status=status,
        duration_ms=duration_ms,
        client=client,
        principal=principal,
    ).info(f"{method} {route} {status} {duration_ms}ms" + (f" {principal}" if principal else ""))


def _json_access_writer(stream: TextIO) -> AccessWriter:
    """The access log's hot path in JSON mode: the same line shape as the JSON sink, without
    loguru's per-record machinery (a large share of a /ping: docs/performance.md).
    Hand-assembled: only the route can hold characters that need escaping; the method is an
    HTTP token, the request id is validated to `[A-Za-z0-9._:-]`, the client is an address,
    the rest are numbers.
    """
    write = stream.write
    quote = _json_string
    head = f'"level": "INFO", "logger": "{ACCESS_LOGGER}"'

    def emit(
        method: str,
        route: str,
        status: int,
        duration_ms: float,
        client: str | None,
        principal: str | None = None,
    ) -> None:
        message = quote(f"{method} {route} {status} {duration_ms}ms")
        rid = request_id_var.get() or "-"
        address = "null" if client is None else quote(client)
        who = "null" if principal is None else quote(principal)
        write(
            f'{{"time": "{datetime.now(UTC).isoformat()}", {head}, "message": {message}, '
            f'"request_id": "{rid}", "method": "{method}", "route": {quote(route)}, '
            f'"status": {status}, "duration_ms": {duration_ms}, "client": {address}, '
            f'"principal": {who}}}\n'
        )

    return emit


def _no_access_log(
    method: str,
    route: str,
    status: int,
    duration_ms: float,
    client: str | None,
    principal: str | None = None,
) -> None:
    return None


_access_writer: AccessWriter = _loguru_access_writer


def write_access_line(
    method: str,
    route: str,
    status: int,
    duration_ms: float,
    client: str | None,
    principal: str | None = None,
) -> None:
    """Write one access log line at INFO (the middleware's only way to log); `principal` is
    the caller's label (`key:<name>`, `jwt:<sub>`), never its credential."""
    _access_writer(method, route, status, duration_ms, client, principal)


def _use_json(log_format: LogFormat, stream: TextIO) -> bool:
    if log_format is LogFormat.AUTO:
        return not (hasattr(stream, "isatty") and stream.isatty())
    return log_format is LogFormat.JSON


def setup_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Configure loguru as the only log sink and intercept the stdlib loggers."""
    global _access_writer
    out = stream or sys.stderr
    logger.remove()
    logger.configure(patcher=_patch)
    json_lines = _use_json(settings.log_format, out)
    if logger.level(settings.log_level).no > logger.level("INFO").no:
        _access_writer = _no_access_log
    else:
        _access_writer = _json_access_writer(out) if json_lines else _loguru_access_writer
    if json_lines:
        logger.add(_json_sink(out), level=settings.log_level, format="{message}")
    else:
        colorize = hasattr(out, "isatty") and out.isatty()
        logger.add(
            _text_sink(out),
            level=settings.log_level,
            format=TEXT_FORMAT,
            colorize=colorize,
            diagnose=False,  # variable values in tracebacks could hold secrets
        )

    # The stdlib levels follow the configured one: records below it are never built. Level 0
    # here would also make uvicorn wrap the app in its per-message TRACE logger, which costs
    # a large share of /ping's throughput (docs/performance.md).
    level = logger.level(settings.log_level).no
    logging.basicConfig(handlers=[InterceptHandler()], level=level, force=True)
    for name in UVICORN_LOGGERS:
        std = logging.getLogger(name)
        std.handlers = []
        std.propagate = True
        std.setLevel(level)
    # The server's own access log middleware replaces uvicorn's.
    logging.getLogger("uvicorn.access").disabled = True
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    setup_sqlalchemy_logging(settings.sql_log)


def setup_sqlalchemy_logging(enabled: bool) -> None:
    """SQL statements at INFO when enabled; otherwise only SQLAlchemy warnings."""
    level = logging.INFO if enabled else logging.WARNING
    for name in ("sqlalchemy.engine", "sqlalchemy.pool"):
        logging.getLogger(name).setLevel(level)
