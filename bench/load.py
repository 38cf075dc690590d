"""Load generation with Debian's ``wrk`` (a separate process, written in C)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass

#: Printed by wrk once the run is over: one JSON line the runner reads.
SUMMARY_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "mean_us": %.1f, "max_us": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""

WRK_MISSING = """wrk, the HTTP load generator, is not installed. On Debian or Ubuntu:

    sudo apt-get install -y wrk

then run `make bench` again."""


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(WRK_MISSING)
    return path


@dataclass
class LoadResult:
    url: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    errors: int
    non_2xx_3xx: int
    bytes_per_request: int
    command: str
    #: The machine's 1-minute load average before and after the run (other work on it).
    load_before: float = 0.0
    load_after: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def wrk(url: str, *, seconds: int = 10, connections: int = 32, threads: int = 2,
        headers: dict[str, str] | None = None, warmup: int = 2) -> LoadResult:
    """``wrk -t2 -c32 -d10s --latency``; a short warm-up run first, not counted."""
    binary = require_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SUMMARY_LUA)
    header_args = [arg for name, value in (headers or {}).items()
                   for arg in ("-H", f"{name}: {value}")]
    base = [binary, f"-t{threads}", f"-c{connections}", "--latency", "-s", script.name,
            *header_args]
    if warmup:
        subprocess.run([*base, f"-d{warmup}s", url], check=True, capture_output=True)
    load_before = os.getloadavg()[0]
    run = subprocess.run([*base, f"-d{seconds}s", url], check=True, capture_output=True,
                         text=True)
    line = next(x for x in reversed(run.stdout.splitlines()) if x.startswith("{"))
    data = json.loads(line)
    seconds_run = data["duration_us"] / 1e6
    requests = data["requests"]
    shown = [binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if headers:
        shown += ["-H", "'Cookie: session=…'"]
    return LoadResult(
        url=url, connections=connections, seconds=round(seconds_run, 2), requests=requests,
        rps=round(requests / seconds_run, 1), p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000, p99_ms=data["p99_us"] / 1000,
        mean_ms=round(data["mean_us"] / 1000, 2), max_ms=data["max_us"] / 1000,
        errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        non_2xx_3xx=data["status"], bytes_per_request=data["bytes"] // max(requests, 1),
        command=" ".join([*shown, url]),
        load_before=round(load_before, 2), load_after=round(os.getloadavg()[0], 2),
    )
