"""What bubblewrap costs per user-indicator run, as a ratio to the same run without it
(isolation=container: a plain child process). Alternates the two, reports medians, the ratio
and the load average beside them. Run from the repository root, under the heavy lock:

  flock /tmp/warmgate-heavy.lock env PYTHONPATH=agent-py \\
    $(agent-py/bin/warmgate-agent-py --venv) agent-py/bench/indicator_overhead.py [runs]
"""

import asyncio
import os
import statistics
import sys
import tempfile
import time

from warmgate_agent.analysis import parse_candles
from warmgate_agent.config import load
from warmgate_agent.user_code import UserCode
from warmgate_agent.workspace import Workspace

SOURCE = "import numpy as np\n\ndef compute(candles):\n    return list(np.asarray(candles['close']) * 2)\n"


def loadavg() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.makedirs(os.path.join(folder, "indicators"))
        with open(os.path.join(folder, "indicators", "double.py"), "w") as handle:
            handle.write(SOURCE)
        candles = parse_candles([{"time": i, "open": 1, "high": 2, "low": 1, "close": 1.5 + i, "volume": 1} for i in range(1000)])
        runners = {}
        for isolation in ("container", "bwrap"):
            config = load({"WARMGATE_WORKSPACE": folder, "WARMGATE_AGENT_ISOLATION": isolation, "WARMGATE_INDICATOR_TIMEOUT_MS": "30000"})
            runners[isolation] = UserCode(config, Workspace(folder))
        times: dict[str, list[float]] = {name: [] for name in runners}
        before = loadavg()
        for _ in range(runs):
            for name, runner in runners.items():
                start = time.perf_counter()
                await runner.run("double", candles)
                times[name].append((time.perf_counter() - start) * 1000)
        after = loadavg()
    plain = statistics.median(times["container"])
    sandboxed = statistics.median(times["bwrap"])
    print(f"runs per mode: {runs}; loadavg before {before}, after {after}")
    print(f"container (plain child): median {plain:.0f} ms")
    print(f"bwrap:                   median {sandboxed:.0f} ms")
    print(f"ratio bwrap / container: {sandboxed / plain:.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
