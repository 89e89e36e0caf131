"""Helpers shared by the benchmark scripts: timing, memory, the machine, log-log slopes."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of repeated runs of one action."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def describe(self) -> str:
        return f"{seconds(self.median)} (median of {len(self.runs)})" if len(self.runs) > 1 else seconds(self.median)


def measure(action: Callable[[], object], repeats: int, setup: Callable[[], object] | None = None) -> Timing:
    """Time ``action`` ``repeats`` times; ``setup`` (untimed) runs before each, e.g. to give it a fresh file,
    and the disk is synced before each."""
    runs = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        os.sync()  # no earlier run's writes still being flushed to disk while this one is timed
        began = time.perf_counter()
        action()
        runs.append(time.perf_counter() - began)
    return Timing(tuple(runs))


def measure_interleaved(ours: Callable[[], object], baseline: Callable[[], object], repeats: int,
                        ours_setup: Callable[[], object] | None = None,
                        baseline_setup: Callable[[], object] | None = None) -> tuple[Timing, Timing]:
    """``measure`` of an action and its baseline taking turns (ours, baseline, ours, ...), so that the
    machine slowing down or speeding up during the runs (it is shared) weighs on both alike."""
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(repeats):
        mine.extend(measure(ours, 1, ours_setup).runs)
        theirs.extend(measure(baseline, 1, baseline_setup).runs)
    return Timing(tuple(mine)), Timing(tuple(theirs))


def seconds(value: float) -> str:
    """A duration in the unit that reads best: 12.3 s, 456 ms, 7.8 ms."""
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.01:
        return f"{value * 1000:.0f} ms"
    return f"{value * 1000:.2f} ms"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    Linux: ``VmHWM`` of /proc/self/status, the high-water mark of this program's own memory. (``ru_maxrss``
    is not used there: a process started by fork + exec inherits its parent's peak in it.) Elsewhere:
    ``ru_maxrss`` (KiB on Linux and BSD, bytes on macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def loglog_slope(sizes: list[int], times: list[float]) -> float:
    """Exponent b of the least-squares fit time = a * size**b (1 = linear growth)."""
    slope, _ = np.polyfit(np.log(sizes), np.log(times), 1)
    return float(slope)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def machine() -> dict[str, str]:
    """What the numbers were measured on, including how busy the machine was."""
    memory = _memory_gb()
    load = os.getloadavg()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} logical CPUs (nproc)",
        "memory": f"{memory:.1f} GB" if memory is not None else "unknown",
        "python": f"{platform.python_implementation()} {sys.version.split()[0]} on {platform.system()} {platform.release()}",
        "load": f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min, at the start)",
    }
