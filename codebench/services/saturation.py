"""Saturation of a project: read its transcripts and codings, pick the level and coders, run the analysis.

The CLI, the demo and the TUI all call :func:`saturation_analysis` (or :func:`saturation_report`); this
module does the store reading and the shaping, ``codebench.domain.saturation`` does the arithmetic.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from codebench.domain.errors import InputError, NotFoundError
from codebench.domain.saturation import Interview, RunsMode, SaturationReport, order_interviews, saturation
from codebench.store.repo_reads import CodePlacement
from codebench.store.store import Store

Level = Literal["raw", "harmonised", "theme"]
LEVELS: tuple[Level, ...] = ("raw", "harmonised", "theme")
_GROUP_KINDS = ("category", "theme")


@dataclass(frozen=True)
class SaturationResult:
    """A project's saturation report and what was left out to compute it.

    ``coders`` are the coders whose codings were counted; ``order`` is the order option as given.
    ``unharmonised_codings`` counts codings left out at harmonised/theme level because their raw code has
    no harmonised code; ``codings_without_theme`` those left out at theme level because their harmonised
    code has no theme. With ``--by-category``, ``ungrouped_codes`` counts the codes (at the level) that
    belong to no category / no theme, and ``split_codes`` lists raw codes whose codings sit in more than
    one category or theme (each is counted in the group most of its codings belong to).
    """

    report: SaturationReport
    coders: tuple[str, ...]
    order: str
    unharmonised_codings: int
    codings_without_theme: int
    ungrouped_codes: Mapping[str, int] | None
    split_codes: tuple[str, ...]

    @property
    def left_out(self) -> int:
        """Codings that have no code at the chosen level."""
        return self.unharmonised_codings + self.codings_without_theme

    def warnings(self) -> list[str]:
        """Plain sentences about what the report does not cover (empty when everything was counted)."""
        lines = []
        if self.unharmonised_codings:
            lines.append(f"{self.unharmonised_codings} coding(s) left out: their raw code has no harmonised code")
        if self.codings_without_theme:
            lines.append(f"{self.codings_without_theme} coding(s) left out: their harmonised code has no theme")
        for kind, count in (self.ungrouped_codes or {}).items():
            if count:
                lines.append(f"{count} code(s) belong to no {kind} and are in no per-{kind} report")
        if self.split_codes:
            lines.append(f"raw code(s) in more than one category or theme, counted where most of their codings "
                         f"are: {', '.join(self.split_codes)}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The report's JSON contract plus this project's extension keys."""
        return {
            **self.report.to_dict(),
            "coders": list(self.coders),
            "order_by": self.order,
            "unharmonised_codings": self.unharmonised_codings,
            "codings_without_theme": self.codings_without_theme,
            "ungrouped_codes": None if self.ungrouped_codes is None else dict(self.ungrouped_codes),
            "split_codes": list(self.split_codes),
        }


def saturation_analysis(
    store: Store,
    *,
    level: Level = "raw",
    by_category: bool = False,
    coders: Sequence[str] | None = None,
    order: str = "import",
    base: int = 4,
    run: int = 2,
    threshold: float = 0.05,
    runs: RunsMode = "sliding",
    permutations: int = 0,
    seed: int = 0,
) -> SaturationResult:
    """Saturation of the project's interviews (every transcript, coded or not) in the chosen order.

    ``coders``: whose codings count (None = the union of all coders). ``order``: ``import``, ``name``,
    ``attribute:NAME`` or ``file:PATH`` (a text file naming one transcript per line). The remaining
    options are those of :func:`codebench.domain.saturation.saturation`.
    """
    if level not in LEVELS:
        raise InputError(f"level must be one of {', '.join(LEVELS)} (got {level!r})")
    if order == "file":
        raise InputError("order by file needs its path: file:PATH")
    file_order = _read_order_file(order) if order.startswith("file:") else None

    def read(tx) -> tuple[list, list[str], dict[int, CodePlacement], list[tuple[str, str, int, int]]]:  # noqa: ANN001
        return tx.transcripts(), [c.name for c in tx.coders()], tx.code_placements(), tx.coding_counts()

    transcripts, known_coders, placements, counts = store.read(read)
    chosen = _chosen_coders(coders, known_coders)
    names = order_interviews(
        [t.name for t in transcripts],
        "file" if file_order is not None else order,
        attributes={t.name: t.attributes for t in transcripts},
        file_order=file_order,
    )
    uses: Counter[int] = Counter()  # raw code id -> codings by the chosen coders
    found_ids: dict[str, set[int]] = defaultdict(set)  # transcript -> raw code ids used there
    for transcript, coder, code_id, n in counts:
        if coder in chosen:
            uses[code_id] += n
            found_ids[transcript].add(code_id)
    used = {i: placements[i] for i in uses}
    unharmonised = sum(uses[i] for i, p in used.items() if p.harmonised is None) if level != "raw" else 0
    without_theme = (sum(uses[i] for i, p in used.items() if p.harmonised is not None and p.theme is None)
                     if level == "theme" else 0)
    keys = {i: key for i, p in used.items() if (key := p.key(level)) is not None}
    labels = _display_labels(used, keys, uses, level)
    found = {t: {labels[keys[i]] for i in ids if i in keys} for t, ids in found_ids.items()}
    interviews = [Interview(name, frozenset(found.get(name, ()))) for name in names]
    groups, ungrouped, split = _groups(used, keys, uses, labels, level) if by_category else (None, None, ())
    report = saturation(interviews, base=base, run=run, threshold=threshold, runs=runs,
                        permutations=permutations, seed=seed, groups=groups, level=level)
    return SaturationResult(report=report, coders=tuple(sorted(chosen)), order=order,
                            unharmonised_codings=unharmonised, codings_without_theme=without_theme,
                            ungrouped_codes=ungrouped, split_codes=split)


def saturation_report(store: Store, **options: Any) -> SaturationReport:
    """Just the report (for the demo and the TUI); options as for :func:`saturation_analysis`."""
    return saturation_analysis(store, **options).report


def _read_order_file(order: str) -> list[str]:
    """Transcript names from ``file:PATH``: one per line, blank lines and ``#`` comments ignored."""
    path = Path(order.removeprefix("file:"))
    if path == Path("."):
        raise InputError("order file:PATH needs a file path")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the order file: {exc.strerror}", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError("the order file is not UTF-8 text", where=str(path)) from exc
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _chosen_coders(coders: Sequence[str] | None, known: Sequence[str]) -> set[str]:
    if coders is None:
        return set(known)
    unknown = [c for c in coders if c not in known]
    if unknown:
        listed = ", ".join(known) or "none yet"
        raise NotFoundError(f"unknown coder(s) {', '.join(map(repr, unknown))}; the project's coders: {listed}")
    return set(coders)


def _display_labels(codes: Mapping[int, CodePlacement], keys: Mapping[int, str], uses: Mapping[int, int],
                    level: Level) -> dict[str, str]:
    """Code key -> the name shown in the report; at raw level the commonest spelling (by number of
    codings; ties: first by name)."""
    if level != "raw":
        return {key: key for key in keys.values()}
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for i, key in keys.items():
        spellings[key][codes[i].raw] += uses[i]
    return {key: min(counts, key=lambda s: (-counts[s], s)) for key, counts in spellings.items()}


def _groups(
    codes: Mapping[int, CodePlacement], keys: Mapping[int, str], uses: Mapping[int, int],
    labels: Mapping[str, str], level: Level,
) -> tuple[dict[str, dict[str, str]], dict[str, int], tuple[str, ...]]:
    """{kind: {code: group}} for the per-category/per-theme reports, codes outside every group, split codes.

    A harmonised code has one theme and one category; a raw code reaches them through its harmonised
    code, so the codings of one raw label can point to several (then the most frequent wins, ties by name).
    At theme level only the per-category split is meaningful. ``codes`` are the raw codes used, ``keys``
    their keys at the level (codes without one are not counted), ``uses`` their numbers of codings.
    """
    kinds = ("category",) if level == "theme" else _GROUP_KINDS
    votes: dict[str, dict[str, Counter[str]]] = {kind: defaultdict(Counter) for kind in kinds}
    for i, key in keys.items():
        code = labels[key]
        for kind in kinds:
            group = getattr(codes[i], kind)
            if group is not None:
                votes[kind][code][group] += uses[i]
    groups = {
        kind: {code: min(counts, key=lambda g: (-counts[g], g)) for code, counts in by_code.items()}
        for kind, by_code in votes.items()
    }
    all_codes = set(labels.values())
    ungrouped = {kind: len(all_codes - set(mapping)) for kind, mapping in groups.items()}
    split = tuple(sorted({code for by_code in votes.values() for code, counts in by_code.items() if len(counts) > 1}))
    return groups, ungrouped, split
