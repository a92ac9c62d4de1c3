"""How `make bench` prints a figure: beside its anchor, with the ratio and the issue's target, on one line."""

from __future__ import annotations

import statistics


def percentiles(samples: list[float]) -> dict:
    """p50, p95 and p99 in milliseconds of `samples` (seconds), and how many there were."""
    ordered = sorted(samples)
    at = lambda share: ordered[min(len(ordered) - 1, max(0, int(len(ordered) * share) - 1))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(at(0.95) * 1000, 2),
            "p99_ms": round(at(0.99) * 1000, 2), "n": len(ordered)}


def beside(what: str, figure: float, anchor_what: str, anchor: float, unit: str, target: str) -> str:
    """`what: figure beside anchor_what anchor: ratio r (target ...)`."""
    ratio = figure / anchor if anchor else float("nan")
    line = f"{what}: {figure:,.1f} {unit} beside {anchor_what} {anchor:,.1f} {unit}: ratio {ratio:.2f} ({target})"
    print(line, flush=True)
    return line


def against(what: str, figure: float, unit: str, target: str) -> str:
    line = f"{what}: {figure:,.1f} {unit} ({target})"
    print(line, flush=True)
    return line
