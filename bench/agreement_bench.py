"""Benchmark: compute_agreement against NLTK's AnnotationTask alpha, per code, on the same synthetic data.

Synthetic project (built in memory, seeded): 200 transcripts of 60 turns (~150 characters each),
3 coders who observed every transcript, 100,000 codings over 500 codes (Zipf-like code popularity,
most codings cover one turn, some spill into the next). Run: ``python bench/agreement_bench.py``.
Both sides are timed as the median of 3 runs in the same process; NLTK runs on ``NLTK_CODES`` codes and is
extrapolated to all codes. The load average is printed because other work on the machine slows both sides.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from codebench.domain.agreement.report import AgreementInput, TranscriptUnits, compute_agreement
from codebench.domain.model import CodedSpan

TRANSCRIPTS, TURNS, TURN_LENGTH, CODERS, CODINGS, CODES = 200, 60, 150, 3, 100_000, 500
NLTK_CODES = 10


def synthetic(seed: int = 7) -> AgreementInput:
    """Coders who mostly agree: each of ~33,000 reference codings (one turn, Zipf-like code popularity) is
    coded by every coder, who keeps its code with probability 0.8 and jitters its span inside the turn."""
    rng = np.random.default_rng(seed)
    coders = tuple(f"coder{i}" for i in range(CODERS))
    transcripts = tuple(
        TranscriptUnits(f"interview{t:03d}", TURNS * TURN_LENGTH,
                        tuple((u * TURN_LENGTH, (u + 1) * TURN_LENGTH) for u in range(TURNS)))
        for t in range(TRANSCRIPTS)
    )
    popularity = 1.0 / np.arange(1, CODES + 1)
    references = CODINGS // CODERS + 1
    transcript = np.tile(rng.integers(0, TRANSCRIPTS, references), CODERS)[:CODINGS]
    turn = np.tile(rng.integers(0, TURNS, references), CODERS)[:CODINGS]
    code = np.tile(rng.choice(CODES, references, p=popularity / popularity.sum()), CODERS)[:CODINGS]
    coder = np.repeat(np.arange(CODERS), references)[:CODINGS]
    code = np.where(rng.random(CODINGS) < 0.8, code, rng.integers(0, CODES, CODINGS))
    start = turn * TURN_LENGTH + rng.integers(0, TURN_LENGTH // 2, CODINGS)
    end = start + rng.integers(10, TURN_LENGTH // 2, CODINGS)
    codings = tuple(
        CodedSpan(coders[c], transcripts[t].name, int(s), int(e), f"code{k:03d}")
        for c, t, s, e, k in zip(coder, transcript, start, end, code, strict=True)
    )
    observed = {c: frozenset(t.name for t in transcripts) for c in coders}
    return AgreementInput(coders, transcripts, observed, codings)


def timed(function, repeats: int = 3) -> float:
    """Median wall time of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def nltk_triples(data: AgreementInput, codes: list[str]) -> list[list[tuple[str, str, int]]]:
    """Per code, NLTK (coder, unit, value) triples of the same binary unit values (turn units, overlap >= 1)."""
    turns = [(t.name, i) for t in data.transcripts for i in range(len(t.units))]
    per_code = []
    for code in codes:
        triples = []
        for coder in data.coders:
            coded = {
                (span.transcript, turn)
                for span in data.codings if span.coder == coder and span.code == code
                for turn in range(span.start // TURN_LENGTH, (span.end - 1) // TURN_LENGTH + 1)
            }
            triples += [(coder, f"{name}#{i}", int((name, i) in coded)) for name, i in turns]
        per_code.append(triples)
    return per_code


def nltk_alphas(per_code: list[list[tuple[str, str, int]]]) -> list[float]:
    """NLTK's AnnotationTask alpha (binary distance) for each code's triples."""
    from nltk.metrics.agreement import AnnotationTask

    return [AnnotationTask(data=triples).alpha() for triples in per_code]


def main() -> None:
    data = synthetic()
    ours = timed(lambda: compute_agreement(data))
    report = compute_agreement(data)
    codes = [c.code for c in report.codes if c.alpha.value is not None][:NLTK_CODES]
    triples = nltk_triples(data, codes)
    nltk_seconds = timed(lambda: nltk_alphas(triples))
    reference = nltk_alphas(triples)
    mine = {c.code: c.alpha.value for c in report.codes}
    worst = max(abs(mine[code] - a) for code, a in zip(codes, reference, strict=True))
    nltk_all = nltk_seconds / len(codes) * CODES
    print(f"data: {TRANSCRIPTS} transcripts x {TURNS} turns, {CODERS} coders, {CODINGS} codings, {CODES} codes")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"compute_agreement (all codes, overall, unitized): {ours:.2f} s (median of 3)")
    print(f"NLTK AnnotationTask.alpha: {nltk_seconds:.2f} s for {len(codes)} codes (median of 3), "
          f"extrapolated {nltk_all:.0f} s for {CODES} codes")
    print(f"ratio NLTK / compute_agreement: {nltk_all / ours:.0f}x; largest alpha difference {worst:.2e}")


if __name__ == "__main__":
    main()
