#!/usr/bin/env python3
"""bench/stall_probe.py OUT: how late this machine wakes a sleeping thread, written every 100 ms.

bench/run starts it with real-time priority (chrt -f) for the whole run. A 5 ms sleep that returns
much later than asked means the whole machine stalled (the hypervisor took the CPUs away, or the
kernel ran with preemption off), not the process under test: report.py prints the worst wake-up
delay seen during each row next to that row's latency, so a 1 s p99 can be told apart from a
server stall. Each line: "<unix time at the end of the 100 ms window> <worst delay in ms>".
Stops by itself after --max-seconds (default 3600) or when killed."""
import sys
import time

SLEEP_S = 0.005
WINDOW_S = 0.1


def main():
    out_path = sys.argv[1]
    max_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3600.0
    deadline = time.monotonic() + max_seconds
    with open(out_path, "w", buffering=1) as out:
        while time.monotonic() < deadline:
            window_end = time.monotonic() + WINDOW_S
            worst = 0.0
            while time.monotonic() < window_end:
                t0 = time.monotonic()
                time.sleep(SLEEP_S)
                worst = max(worst, time.monotonic() - t0 - SLEEP_S)
            out.write(f"{time.time():.3f} {worst * 1000:.2f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
