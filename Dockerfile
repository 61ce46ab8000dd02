# syntax=docker/dockerfile:1
# Multi-stage: build the locked virtualenv with uv, run it as a non-root user on a slim image.

FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
# Dependencies first (cached until the lock changes), then the project itself.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY README.md ./
COPY src ./src
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim AS runtime
ARG API_SERVER_GIT_COMMIT=""
RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
RUN mkdir -p /app/var && chown app:app /app/var
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    API_SERVER_HOST=0.0.0.0 \
    API_SERVER_PORT=8080 \
    API_SERVER_LOG_FORMAT=json \
    API_SERVER_GIT_COMMIT=${API_SERVER_GIT_COMMIT}
USER app
EXPOSE 8080
# Liveness only (/ping touches no dependency); slim images have no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('API_SERVER_PORT', '8080')}/ping\", timeout=2).status == 200 else 1)"]
# Exec form: the server is PID 1 and receives SIGTERM itself (drain; a second one forces exit).
ENTRYPOINT ["api-server"]
