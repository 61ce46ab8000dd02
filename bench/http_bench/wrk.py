"""Run wrk once and read its numbers from a Lua `done()` hook (no parsing of wrk's text)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

MARK = "BENCH_JSON "
_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,'
    .. '"non_2xx":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d}\\n',
    "MARK", summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99)))
end
""".replace("MARK", MARK)


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_us: int
    connect: int
    read: int
    write: int
    non_2xx: int
    timeouts: int
    p50_us: int
    p99_us: int

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1e6)

    @property
    def errors(self) -> int:
        return self.connect + self.read + self.write + self.non_2xx + self.timeouts

    @property
    def failures(self) -> int:
        """Requests the client got no answer to in time (timeouts, socket errors): unlike a
        non-2xx (a fast 503 OVERLOADED under overload), never acceptable."""
        return self.connect + self.read + self.write + self.timeouts

    def as_dict(self) -> dict[str, float]:
        return {
            **asdict(self),
            "rps": round(self.rps, 1),
            "errors": self.errors,
            "failures": self.failures,
        }


def run_wrk(
    url: str,
    *,
    lua: str = "",
    connections: int,
    duration: float,
    cpus: str | None,
    timeout: float = 2.0,
) -> WrkResult:
    """One wrk run (1 thread) with `lua` (request setup) plus the reporting hook."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua + _DONE)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration:g}s",
        f"--timeout={timeout:g}s",
        "-s",
        script.name,
        url,
    ]
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    try:
        output = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=duration + 30
        ).stdout
    finally:
        Path(script.name).unlink()
    line = next(line for line in output.splitlines() if line.startswith(MARK))
    return WrkResult(**json.loads(line[len(MARK) :]))
