"""Thematic saturation (Guest, Namey & Chen 2020) and its robustness to the interview order.

Definitions (the project's methods note on saturation):

- ``new_i``: codes that first appear in interview ``i`` (in no earlier interview, in analysis order);
- ``B``: unique codes in interviews ``1..base`` (the fixed denominator);
- runs of ``run`` consecutive interviews after the base, sliding by one or in non-overlapping blocks
  (an incomplete trailing block is not a run); ratio = new codes in the run / ``B``;
- the saturation point is the last interview of the first run whose ratio is ``<= threshold``.

The same arithmetic serves the analysis order and every random order: the study becomes a code ->
interviews incidence list once, an order becomes the rank of every interview, and the first appearance
of each code is the minimum rank over the interviews holding it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from codebench.domain.errors import InputError

RunsMode = Literal["sliding", "block"]
GROUP_KEYS = {"category": "categories", "theme": "themes"}
_CHUNK_ELEMENTS = 4_000_000  # permutations are processed in chunks of about this many (order, coding) cells


@dataclass(frozen=True)
class Interview:
    """One interview in analysis order and the distinct codes found in it."""

    name: str
    codes: frozenset[str]


@dataclass(frozen=True)
class InterviewRow:
    """Accumulation at one interview: distinct codes, codes new here (sorted), cumulative unique codes."""

    name: str
    codes: int
    new: int
    new_codes: tuple[str, ...]
    cumulative: int


@dataclass(frozen=True)
class RunRatio:
    """One run after the base: its first and last interview, its new codes and new / B (None when B = 0)."""

    start: str
    end: str
    new: int
    ratio: float | None


@dataclass(frozen=True)
class PermutationSummary:
    """Saturation over ``n`` seeded random orders of the same interviews.

    ``median``/``p5``/``p95`` are percentiles (numpy's linear rule) of the 1-based saturation index over
    the orders that reach saturation (None when none does); ``p_not_reached`` is the share that never does.
    ``p_saturated_by[k - 1]`` is the share of orders saturated by interview ``k``. The ``mean_*`` and
    ``cumulative_p5``/``cumulative_p95`` curves are estimates from the permutations; the
    ``expected_*_exact`` curves come from the closed form over all orders.
    """

    n: int
    seed: int
    median: float | None
    p5: float | None
    p95: float | None
    p_not_reached: float
    p_saturated_by: tuple[float, ...]
    mean_cumulative: tuple[float, ...]
    mean_new: tuple[float, ...]
    cumulative_p5: tuple[float, ...]
    cumulative_p95: tuple[float, ...]
    expected_cumulative_exact: tuple[float, ...]
    expected_new_exact: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "seed": self.seed,
            "median": self.median,
            "p5": self.p5,
            "p95": self.p95,
            "percentiles_over": "orders that reach saturation",
            "p_not_reached": self.p_not_reached,
            "p_saturated_by": list(self.p_saturated_by),
            "mean_cumulative": list(self.mean_cumulative),
            "mean_new": list(self.mean_new),
            "cumulative_p5": list(self.cumulative_p5),
            "cumulative_p95": list(self.cumulative_p95),
            "expected_cumulative_exact": list(self.expected_cumulative_exact),
            "expected_new_exact": list(self.expected_new_exact),
            "exact": ["expected_cumulative_exact", "expected_new_exact"],
            "estimated": [
                "median", "p5", "p95", "p_not_reached", "p_saturated_by",
                "mean_cumulative", "mean_new", "cumulative_p5", "cumulative_p95",
            ],
        }


@dataclass(frozen=True)
class SaturationReport:
    """The saturation analysis of one ordered study.

    ``status`` is ``reached``, ``not_reached``, ``too_few_interviews`` (no complete run after the base)
    or ``empty_base`` (B = 0, every ratio undefined). ``confirming`` counts the interviews after the
    saturation point that added no new code; ``later`` counts all interviews after it.
    ``by_category`` maps "categories"/"themes" to group name -> the report restricted to that group's codes.
    """

    level: str
    order: tuple[str, ...]
    interviews: tuple[InterviewRow, ...]
    base: int
    run: int
    threshold: float
    runs_mode: RunsMode
    denominator: int | None
    runs: tuple[RunRatio, ...]
    saturation_index: int | None
    confirming: int
    later: int
    status: str
    permutations: PermutationSummary | None = None
    by_category: Mapping[str, Mapping[str, SaturationReport]] | None = None

    @property
    def saturation_point(self) -> str | None:
        """Name of the interview where saturation is reached, or None."""
        return None if self.saturation_index is None else self.order[self.saturation_index - 1]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (keys are only ever added, never renamed)."""
        return {
            "level": self.level,
            "order": list(self.order),
            "interviews": [
                {"name": r.name, "codes": r.codes, "new": r.new, "new_codes": list(r.new_codes),
                 "cumulative": r.cumulative}
                for r in self.interviews
            ],
            "base": self.base,
            "run": self.run,
            "threshold": self.threshold,
            "runs": [{"end": r.end, "ratio": r.ratio, "start": r.start, "new": r.new} for r in self.runs],
            "saturation_point": self.saturation_point,
            "saturation_index": self.saturation_index,
            "confirming": self.confirming,
            "permutations": None if self.permutations is None else self.permutations.to_dict(),
            "by_category": None if self.by_category is None else {
                kind: {name: _group_dict(report) for name, report in reports.items()}
                for kind, reports in self.by_category.items()
            },
            "runs_mode": self.runs_mode,
            "denominator": self.denominator,
            "status": self.status,
            "later": self.later,
        }

    def verdict(self) -> str:
        """One plain-language line; interview numbers are 1-based positions in the analysis order."""
        rule = f"base {self.base}, run {self.run}, <= {_percent(self.threshold)}"
        if self.status == "reached":
            head = f"saturation reached at interview {self.saturation_index} ({rule})"
            if self.later == 0:
                return f"{head}; no later interviews to confirm it"
            if self.confirming == self.later:
                return f"{head}; {_count(self.later, 'later interview')} added no new code"
            after = sum(r.new for r in self.interviews[self.saturation_index :])  # type: ignore[misc]
            return (f"{head}; {self.confirming} of {self.later} later interviews added no new code "
                    f"({_count(after, 'new code')} after it)")
        if self.status == "empty_base":
            return f"saturation undefined ({rule}): the first {self.base} interviews have no codes, ratios undefined"
        if self.status == "too_few_interviews":
            return (f"saturation not assessed ({rule}): {_count(len(self.order), 'interview')}, "
                    f"at least {self.base + self.run} needed")
        last = self.runs[-1]
        return (f"saturation not reached ({rule}): the last run added {_count(last.new, 'new code')} "
                f"({_percent(last.ratio or 0.0)})")


def _group_dict(report: SaturationReport) -> dict[str, Any]:
    data = report.to_dict()
    del data["permutations"], data["by_category"]
    return data


def _percent(x: float) -> str:
    return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- the shared arithmetic -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Incidence:
    """Code -> interviews lists, flattened: ``holders[offsets[c]:offsets[c + 1]]`` hold code ``codes[c]``."""

    codes: tuple[str, ...]
    holders: np.ndarray
    offsets: np.ndarray
    n_interviews: int

    @classmethod
    def build(cls, code_sets: Sequence[frozenset[str]]) -> _Incidence:
        codes = tuple(sorted(set().union(*code_sets)))
        column = {code: j for j, code in enumerate(codes)}
        rows = [i for i, found in enumerate(code_sets) for _ in found]
        cols = [column[code] for found in code_sets for code in found]
        by_code = np.argsort(np.asarray(cols, dtype=np.int64), kind="stable")
        holders = np.asarray(rows, dtype=np.int64)[by_code]
        counts = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(codes))
        offsets = np.concatenate(([0], np.cumsum(counts)))
        return cls(codes, holders, offsets, len(code_sets))

    @property
    def frequencies(self) -> np.ndarray:
        """f_c: how many interviews hold each code."""
        return np.diff(self.offsets)

    def first_positions(self, orders: np.ndarray) -> np.ndarray:
        """(orders x codes) 0-based position where each code first appears in each order."""
        n_orders, n = orders.shape
        rank = np.empty_like(orders, dtype=np.int32)
        np.put_along_axis(rank, orders, np.arange(n, dtype=np.int32)[None, :].repeat(n_orders, 0), axis=1)
        if not self.codes:
            return np.zeros((n_orders, 0), dtype=np.int32)
        return np.minimum.reduceat(rank[:, self.holders], self.offsets[:-1], axis=1)

    def new_per_position(self, orders: np.ndarray) -> np.ndarray:
        """(orders x interviews) count of codes new at each position, chunked to bound memory."""
        n_orders, n = orders.shape
        new = np.zeros((n_orders, n), dtype=np.int64)
        chunk = max(1, _CHUNK_ELEMENTS // max(1, len(self.holders)))
        for lo in range(0, n_orders, chunk):
            first = self.first_positions(orders[lo : lo + chunk])
            shift = np.arange(first.shape[0])[:, None] * n
            flat = np.bincount((first + shift).ravel(), minlength=first.shape[0] * n)
            new[lo : lo + chunk] = flat.reshape(first.shape[0], n)
        return new


def _run_ends(n: int, base: int, run: int, mode: RunsMode) -> np.ndarray:
    """0-based last interview of each complete run after the base."""
    step = 1 if mode == "sliding" else run
    return np.arange(base + run - 1, n, step, dtype=np.int64)


def _first_saturation(new: np.ndarray, base: int, run: int, mode: RunsMode, threshold: Fraction) -> np.ndarray:
    """1-based saturation index for each row of ``new`` (orders x interviews); 0 where not reached."""
    n_orders, n = new.shape
    ends = _run_ends(n, base, run, mode)
    if n < base or len(ends) == 0:
        return np.zeros(n_orders, dtype=np.int64)
    total = np.concatenate((np.zeros((n_orders, 1), dtype=np.int64), np.cumsum(new, axis=1)), axis=1)
    denominator = total[:, base]
    allowed = (threshold.numerator * denominator) // threshold.denominator
    run_new = total[:, ends + 1] - total[:, ends + 1 - run]
    ok = (run_new <= allowed[:, None]) & (denominator > 0)[:, None]
    return np.where(ok.any(axis=1), ends[ok.argmax(axis=1)] + 1, 0)


def expected_accumulation(frequencies: Iterable[int], n: int) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    """Exact expectations over all orders of ``n`` interviews, given each code's frequency f_c.

    Returns (cumulative, new): ``cumulative[k - 1]`` = sum_c [1 - C(n - f_c, k) / C(n, k)] for k = 1..n and
    ``new[k]`` = sum_c f_c / (n - k) * C(n - f_c, k) / C(n, k), the expected new codes at position k + 1.
    Codes are grouped by frequency, so the work is O(n * distinct frequencies) big-integer binomials.
    """
    by_f: dict[int, int] = {}
    for f in frequencies:
        if not 1 <= f <= n:
            raise InputError(f"a code frequency must lie in 1..{n}, got {f}")
        by_f[f] = by_f.get(f, 0) + 1
    m = sum(by_f.values())
    cumulative = tuple(
        m - Fraction(sum(count * math.comb(n - f, k) for f, count in by_f.items()), math.comb(n, k))
        for k in range(1, n + 1)
    )
    new = tuple(
        Fraction(sum(count * f * math.comb(n - f, k) for f, count in by_f.items()), (n - k) * math.comb(n, k))
        for k in range(n)
    )
    return cumulative, new


# --- the analysis ----------------------------------------------------------------------------------


def saturation(
    interviews: Sequence[Interview],
    *,
    base: int = 4,
    run: int = 2,
    threshold: float = 0.05,
    runs: RunsMode = "sliding",
    permutations: int = 0,
    seed: int = 0,
    groups: Mapping[str, Mapping[str, str]] | None = None,
    level: str = "raw",
) -> SaturationReport:
    """Saturation of ``interviews`` (already in analysis order); see the module docstring.

    ``permutations`` > 0 adds the distribution over that many seeded random orders; ``groups`` maps
    "category"/"theme" to {code: group name} and adds the same analysis per group.
    """
    _check(interviews, base, run, threshold, runs, permutations)
    report = _analyse(interviews, base, run, threshold, runs, level)
    extra: dict[str, Any] = {}
    if permutations:
        extra["permutations"] = _permute(interviews, base, run, threshold, runs, permutations, seed)
    if groups is not None:
        extra["by_category"] = _by_group(interviews, groups, base, run, threshold, runs, level)
    return replace(report, **extra) if extra else report


def _check(interviews: Sequence[Interview], base: int, run: int, threshold: float, runs: str, permutations: int) -> None:
    if base < 1 or run < 1:
        raise InputError(f"base and run must be at least 1 (got base {base}, run {run})")
    if not 0 <= threshold <= 1:
        raise InputError(f"threshold is a share between 0 and 1 (got {threshold})")
    if runs not in ("sliding", "block"):
        raise InputError(f"runs must be 'sliding' or 'block' (got {runs!r})")
    if permutations < 0:
        raise InputError(f"permutations must be 0 or more (got {permutations})")
    _check_unique([i.name for i in interviews])


def _check_unique(names: Sequence[str]) -> None:
    twice = sorted(n for n, k in Counter(names).items() if k > 1)
    if twice:
        raise InputError(f"interview names must be unique; repeated: {', '.join(twice)}")


def _threshold(threshold: float) -> Fraction:
    """The threshold as the short fraction it was meant to be (0.05 -> 1/20), so ``<=`` is exact."""
    return Fraction(threshold).limit_denominator(10**6)


def _analyse(
    interviews: Sequence[Interview], base: int, run: int, threshold: float, mode: RunsMode, level: str
) -> SaturationReport:
    n = len(interviews)
    incidence = _Incidence.build([i.codes for i in interviews])
    identity = np.arange(n, dtype=np.int64)[None, :]
    first = incidence.first_positions(identity)[0]
    new = incidence.new_per_position(identity)
    cumulative = np.cumsum(new[0])
    introduced: list[list[str]] = [[] for _ in interviews]
    for code, position in zip(incidence.codes, first.tolist()):
        introduced[position].append(code)  # codes are sorted, so each list is too
    rows = tuple(
        InterviewRow(
            name=iv.name,
            codes=len(iv.codes),
            new=int(new[0, i]),
            new_codes=tuple(introduced[i]),
            cumulative=int(cumulative[i]),
        )
        for i, iv in enumerate(interviews)
    )
    denominator = int(cumulative[base - 1]) if n >= base else None
    run_rows = tuple(
        RunRatio(
            start=interviews[e + 1 - run].name,
            end=interviews[e].name,
            new=(k := int(new[0, e + 1 - run : e + 1].sum())),
            ratio=k / denominator if denominator else None,
        )
        for e in _run_ends(n, base, run, mode)
    )
    index = int(_first_saturation(new, base, run, mode, _threshold(threshold))[0]) or None
    if index is not None:
        status = "reached"
    elif denominator is None or not run_rows:
        status = "too_few_interviews"
    elif denominator == 0:
        status = "empty_base"
    else:
        status = "not_reached"
    return SaturationReport(
        level=level,
        order=tuple(i.name for i in interviews),
        interviews=rows,
        base=base,
        run=run,
        threshold=threshold,
        runs_mode=mode,
        denominator=denominator,
        runs=run_rows,
        saturation_index=index,
        confirming=0 if index is None else int((new[0, index:] == 0).sum()),
        later=0 if index is None else n - index,
        status=status,
    )


def _permute(
    interviews: Sequence[Interview], base: int, run: int, threshold: float, mode: RunsMode, count: int, seed: int
) -> PermutationSummary:
    n = len(interviews)
    incidence = _Incidence.build([i.codes for i in interviews])
    rng = np.random.default_rng(seed)
    orders = rng.permuted(np.tile(np.arange(n, dtype=np.int64), (count, 1)), axis=1)
    new = incidence.new_per_position(orders)
    cumulative = np.cumsum(new, axis=1)
    index = _first_saturation(new, base, run, mode, _threshold(threshold))
    reached = index[index > 0]
    p5, median, p95 = (float(v) for v in np.percentile(reached, [5, 50, 95])) if len(reached) else (None,) * 3
    by_k = np.bincount(index, minlength=n + 1)[1:]
    exact_cumulative, exact_new = expected_accumulation(incidence.frequencies.tolist(), n) if n else ((), ())
    band = np.percentile(cumulative, [5, 95], axis=0) if n else np.zeros((2, 0))
    return PermutationSummary(
        n=count,
        seed=seed,
        median=median,
        p5=p5,
        p95=p95,
        p_not_reached=float((index == 0).mean()),
        p_saturated_by=tuple((np.cumsum(by_k) / count).tolist()),
        mean_cumulative=tuple(cumulative.mean(axis=0).tolist()),
        mean_new=tuple(new.mean(axis=0).tolist()),
        cumulative_p5=tuple(band[0].tolist()),
        cumulative_p95=tuple(band[1].tolist()),
        expected_cumulative_exact=tuple(float(x) for x in exact_cumulative),
        expected_new_exact=tuple(float(x) for x in exact_new),
    )


def _by_group(
    interviews: Sequence[Interview],
    groups: Mapping[str, Mapping[str, str]],
    base: int,
    run: int,
    threshold: float,
    mode: RunsMode,
    level: str,
) -> dict[str, dict[str, SaturationReport]]:
    unknown = sorted(set(groups) - set(GROUP_KEYS))
    if unknown:
        raise InputError(f"groups keys must be 'category' or 'theme'; unknown: {', '.join(unknown)}")
    result: dict[str, dict[str, SaturationReport]] = {}
    for key, plural in GROUP_KEYS.items():
        mapping = groups.get(key)
        if mapping is None:
            continue
        result[plural] = {
            name: _analyse(
                [Interview(iv.name, frozenset(c for c in iv.codes if mapping.get(c) == name)) for iv in interviews],
                base, run, threshold, mode, level,
            )
            for name in sorted(set(mapping.values()))
        }
    return result


# --- ordering --------------------------------------------------------------------------------------

OrderMode = str  # "import" | "name" | "attribute:NAME" | "file"


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts P2 before P10: digit runs compare as numbers, the rest case-insensitively."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold())
                 for part in re.split(r"(\d+)", text) if part)


def order_interviews(
    names_in_import_order: Sequence[str],
    mode: OrderMode,
    attributes: Mapping[str, Mapping[str, str]] | None = None,
    file_order: Sequence[str] | None = None,
) -> list[str]:
    """The analysis order of interviews.

    ``mode``: "import" (as imported), "name" (natural sort), "attribute:NAME" (by that attribute's value,
    numerically when every value is a number; ties keep import order; every interview needs a value) or
    "file" (``file_order`` lists every interview exactly once).
    """
    names = list(names_in_import_order)
    _check_unique(names)
    if mode == "import":
        return names
    if mode == "name":
        return sorted(names, key=natural_key)
    if mode.startswith("attribute:") and mode != "attribute:":
        return _by_attribute(names, mode.removeprefix("attribute:"), attributes or {})
    if mode == "file":
        return _by_file(names, file_order)
    raise InputError(f"unknown order {mode!r}; use import, name, attribute:NAME or file")


def _by_attribute(names: list[str], attribute: str, attributes: Mapping[str, Mapping[str, str]]) -> list[str]:
    values = {n: attributes.get(n, {}).get(attribute) for n in names}
    missing = [n for n, v in values.items() if v is None or not str(v).strip()]
    if missing:
        raise InputError(f"no value of attribute {attribute!r} for: {', '.join(missing)}")
    try:
        numbers = {n: float(v) for n, v in values.items()}  # type: ignore[arg-type]
    except ValueError:
        return sorted(names, key=lambda n: str(values[n]).strip().casefold())
    return sorted(names, key=numbers.__getitem__)


def _by_file(names: list[str], file_order: Sequence[str] | None) -> list[str]:
    if file_order is None:
        raise InputError("order 'file' needs a list of interview names")
    listed = list(file_order)
    known, wanted = set(names), set(listed)
    problems = []
    unknown = [n for n in listed if n not in known]
    missing = [n for n in names if n not in wanted]
    repeated = sorted(n for n, k in Counter(listed).items() if k > 1)
    if unknown:
        problems.append(f"unknown: {', '.join(unknown)}")
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    if repeated:
        problems.append(f"listed twice: {', '.join(repeated)}")
    if problems:
        raise InputError("the order file must list every interview once; " + "; ".join(problems))
    return listed
