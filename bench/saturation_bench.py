"""Time saturation with 1,000 permutations on a synthetic 200-interview x 500-code study.

Plain script: ``python bench/saturation_bench.py``. Prints the median of 5 timings of one pass without
permutations (the baseline) and with 1,000 permutations, and their ratio. Target: <= 1 s with permutations.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from codebench.domain.saturation import Interview, saturation

INTERVIEWS, CODES, PERMUTATIONS, REPEATS = 200, 500, 1_000, 5


def synthetic_study(seed: int = 0) -> list[Interview]:
    """Code prevalence follows a power law (a few common codes, many rare ones); early interviews are richer."""
    rng = np.random.default_rng(seed)
    prevalence = 0.9 / np.arange(1, CODES + 1) ** 0.6
    richness = 1.5 - np.linspace(0, 1, INTERVIEWS)  # the first interviews are the longest
    present = rng.random((INTERVIEWS, CODES)) < np.clip(richness[:, None] * prevalence[None, :], 0, 1)
    return [Interview(f"P{i + 1}", frozenset(f"code{j}" for j in np.flatnonzero(row))) for i, row in enumerate(present)]


def median_seconds(action, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    interviews = synthetic_study()
    codings = sum(len(i.codes) for i in interviews)
    baseline = median_seconds(lambda: saturation(interviews))
    permuted = median_seconds(lambda: saturation(interviews, permutations=PERMUTATIONS))
    report = saturation(interviews, permutations=PERMUTATIONS)
    print(f"study: {INTERVIEWS} interviews x {len(set().union(*(i.codes for i in interviews)))} codes, "
          f"{codings} interview-code pairs; {report.verdict()}")
    print(f"one pass, no permutations:   {baseline * 1000:8.1f} ms (median of {REPEATS})")
    print(f"with {PERMUTATIONS:,} permutations:  {permuted * 1000:8.1f} ms (median of {REPEATS})")
    print(f"ratio: {permuted / baseline:.1f}x the single pass")


if __name__ == "__main__":
    main()
