"""The body limit on a real server: a 50 MiB upload is cut off, not buffered."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serverproc import ServerProcess, free_port, running_server

MIB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


def server_env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        "API_SERVER_PORT": str(port),
        "API_SERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'srv.db'}",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    port = free_port()
    with running_server(
        [],
        port=port,
        env=server_env(tmp_path, port),
        cwd=tmp_path,
        program=[sys.executable, "-m", "tests.middleware.server_app"],
    ) as proc:
        yield proc


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _read_response(sock: socket.socket, done: threading.Event, out: list[bytes]) -> None:
    try:
        while chunk := sock.recv(65536):
            out.append(chunk)
            if b"\r\n\r\n" in b"".join(out) and b"}" in chunk:
                break
    except OSError:
        pass
    finally:
        done.set()


def upload(port: int, head: bytes, body_frames: Iterator[bytes]) -> tuple[bytes, int]:
    """Send `head` then frames until the server answers or hangs up; (response, bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    answered = threading.Event()
    received: list[bytes] = []
    reader = threading.Thread(target=_read_response, args=(sock, answered, received))
    reader.start()
    sent = 0
    try:
        sock.sendall(head)
        for frame in body_frames:
            if answered.is_set():
                break
            try:
                sock.sendall(frame)
            except OSError:  # the server closed the connection after answering
                break
            sent += len(frame)
        reader.join(timeout=10)
    finally:
        sock.close()
    return b"".join(received), sent


def chunked_frames(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    frame = f"{size:x}\r\n".encode() + b"x" * size + b"\r\n"
    for _ in range(total // size):
        yield frame
    yield b"0\r\n\r\n"


def test_chunked_50_mib_upload_is_refused_without_buffering(server: ServerProcess) -> None:
    head = (
        b"POST /echo-size HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    warm, _ = upload(server.port, head, chunked_frames(MIB // 2))
    assert warm.startswith(b"HTTP/1.1 200"), warm[:200]
    before = rss_kib(server.process.pid)

    response, sent = upload(server.port, head, chunked_frames(50 * MIB))

    after = rss_kib(server.process.pid)
    assert response.startswith(b"HTTP/1.1 413"), response[:300]
    assert b"PAYLOAD_TOO_LARGE" in response
    assert b"x-request-id:" in response.lower()
    assert sent < 50 * MIB  # the server stopped reading long before the end
    assert after - before < 4 * 1024, f"RSS grew by {after - before} KiB"


def test_declared_oversize_is_refused_before_any_body_is_sent(server: ServerProcess) -> None:
    head = (
        b"POST /echo-size HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Content-Length: {50 * MIB}\r\n\r\n".encode()
    )
    response, _ = upload(server.port, head, iter(()))
    assert response.startswith(b"HTTP/1.1 413"), response[:300]
    assert b"PAYLOAD_TOO_LARGE" in response


def test_a_body_trickled_past_the_read_timeout_is_408_and_frees_the_slot(
    tmp_path: Path,
) -> None:
    # One admission slot: while the trickling client held it, nobody else got in.
    port = free_port()
    env = server_env(
        tmp_path, port, API_SERVER_BODY_READ_TIMEOUT="0.5", API_SERVER_MAX_IN_FLIGHT="1"
    )
    program = [sys.executable, "-m", "tests.middleware.server_app"]
    with running_server([], port=port, env=env, cwd=tmp_path, program=program):
        head = b"POST /echo-size HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n"
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            sock.sendall(head + b"x" * 10)  # and then nothing more
            received = b""
            while chunk := sock.recv(65536):  # to the server's close (else the 10 s timeout)
                received += chunk
        finally:
            sock.close()
        assert received.startswith(b"HTTP/1.1 408"), received[:300]
        assert b"REQUEST_TIMEOUT" in received
        answered, _ = upload(port, head, iter([b"y" * 100]))
        assert answered.startswith(b"HTTP/1.1 200"), answered[:300]
        assert b'{"size":100}' in answered
