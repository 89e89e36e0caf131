"""Speed of ``suggest_groups`` on a synthetic study of 2,500 raw codes and ~100,000 codings.

500 true concepts, three coders, five label variants per concept (case, plural, hyphen,
word order, a typo); codings put concepts in turns of 200 transcripts. Prints the median of
three runs of ``suggest_groups`` and of the floor it cannot beat, ``rapidfuzz.process.cdist``
(token_sort_ratio) on the same normalised labels, and their ratio.

    python bench/harmonise_bench.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codebench.domain.harmonise import (  # noqa: E402
    RawCode,
    RawCoding,
    normalise_label,
    suggest_groups,
)

CODERS = ("ana", "ben", "chloe")
CONCEPTS, CODES_PER_CONCEPT, CODINGS = 500, 5, 100_000
TRANSCRIPTS, TURNS = 200, 50


def _variant(words: list[str], rng: random.Random) -> str:
    words = list(words)
    change = rng.randrange(5)
    if change == 0:
        words = [w.capitalize() for w in words]
    elif change == 1:
        words[-1] += "s"
    elif change == 2:
        return "-".join(words)
    elif change == 3:
        words.reverse()
    else:
        w = words[0]
        i = rng.randrange(len(w) - 1)
        words[0] = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    return " ".join(words)


def synthetic_study(seed: int = 1) -> tuple[list[RawCode], list[RawCoding]]:
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(4, 9)))
                  for _ in range(400)]
    codes, by_concept = [], []
    for concept in range(CONCEPTS):
        words = rng.sample(vocabulary, rng.randint(2, 3))
        ids = []
        for k in range(CODES_PER_CONCEPT):
            code = RawCode(len(codes) + 1, CODERS[k % 3], _variant(words, rng))
            codes.append(code)
            ids.append(code)
        by_concept.append(ids)
    codings = []
    while len(codings) < CODINGS:
        transcript, turn = f"t{rng.randrange(TRANSCRIPTS):03d}", rng.randrange(TURNS)
        start = turn * 1000 + rng.randrange(600)
        for code in rng.sample(by_concept[rng.randrange(CONCEPTS)], 3):
            jitter = rng.randint(-30, 30)
            codings.append(RawCoding(code.id, transcript, max(turn * 1000, start + jitter),
                                     start + 200 + jitter, turn))
    return codes, codings[:CODINGS]


def _median_seconds(run, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    codes, codings = synthetic_study()
    labels = [normalise_label(c.label) for c in codes]
    engine = _median_seconds(lambda: suggest_groups(codes, codings))
    floor = _median_seconds(lambda: process.cdist(labels, labels, scorer=fuzz.token_sort_ratio,
                                                  workers=-1))
    groups = suggest_groups(codes, codings)
    print(f"{len(codes)} raw codes, {len(codings)} codings -> {len(groups)} suggested groups")
    print(f"suggest_groups   median of 3: {engine:.3f} s")
    print(f"cdist floor      median of 3: {floor:.3f} s")
    print(f"ratio suggest_groups / cdist: {engine / floor:.1f}x")


if __name__ == "__main__":
    main()
