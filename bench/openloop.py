"""Constant-rate (open-loop) load, for latency at a fixed share of saturation.

wrk sends the next request only when a connection is free, so its latencies are those of a
saturated server. Here request *i* is due at ``start + i / rate`` whether or not earlier
ones have finished, and its latency is counted from that due time: a server that falls
behind shows it in the percentiles instead of slowing the load down.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CONNECTIONS = 64


@dataclass
class OpenLoopResult:
    rate: float
    sent: int
    completed: int
    failed: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response; return its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _run(
    host: str, port: int, build: Callable[[int], bytes], rate: float, seconds: float
) -> OpenLoopResult:
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    opened = 0
    latencies: list[float] = []
    failed = 0
    slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def one(number: int, due: float) -> None:
        nonlocal opened, failed
        async with slots:
            if idle:
                reader, writer = idle.pop()
            else:
                reader, writer = await asyncio.open_connection(host, port)
                opened += 1
            try:
                writer.write(build(number))
                await writer.drain()
                status = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                failed += 1
                writer.close()
                return
            latencies.append(time.perf_counter() - due)
            if status >= 400:
                failed += 1
            idle.append((reader, writer))

    total = int(rate * seconds)
    start = time.perf_counter() + 0.05
    tasks = []
    for number in range(total):
        due = start + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(number, due)))
    await asyncio.gather(*tasks)
    for _reader, writer in idle:
        writer.close()
    ordered = sorted(latencies) or [0.0]

    def percentile(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)

    return OpenLoopResult(
        rate=round(rate, 1),
        sent=total,
        completed=len(latencies),
        failed=failed,
        p50_ms=percentile(0.50),
        p95_ms=percentile(0.95),
        p99_ms=percentile(0.99),
    )


def open_loop(
    host: str, port: int, build: Callable[[int], bytes], rate: float, seconds: float
) -> OpenLoopResult:
    """Send ``rate`` requests per second for ``seconds``; ``build(i)`` makes request *i*."""
    return asyncio.run(_run(host, port, build, rate, seconds))


def get_request(path: str, host: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post_request(path: str, host: str, headers: dict[str, str], body: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()
