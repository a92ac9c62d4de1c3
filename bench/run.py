"""`make bench`: every benchmark, one after the other, each printing its figures. Nothing here passes or fails."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (backup_bench, bus_bench, erasure_bench, gateway_bench, journey_bench, report_bench,  # noqa: E402
                   subject_access_bench)


def main() -> None:
    print("== the bus: outbox -> RabbitMQ -> handler, beside raw kombu ==", flush=True)
    bus_bench.main()
    print("\n== the gateway: referral POSTs through gateway and referral service, beside bare Flask ==", flush=True)
    print(json.dumps(gateway_bench.main(), indent=2), flush=True)
    print("\n== the Active Offer journey: each step's call, and its consequences through the bus ==", flush=True)
    journey_bench.main()
    print("\n== reports: a region's quarter and the provider's year, with five years of history stored ==", flush=True)
    print(json.dumps(report_bench.main(), indent=2), flush=True)
    print("\n== backup: the embedded mode's stores with 100,000 referrals, while a council system POSTs ==", flush=True)
    print(json.dumps(backup_bench.main(), indent=2), flush=True)
    print("\n== a subject access export: one child with a full case among 100,000 stored, beside 2 s ==", flush=True)
    print(json.dumps(subject_access_bench.main(), indent=2), flush=True)
    print("\n== erasure: a few hundred due among 1,000 and among 100,000 stored ==", flush=True)
    print(json.dumps(erasure_bench.main(), indent=2), flush=True)


if __name__ == "__main__":
    main()
