"""Inter-coder agreement of a project: read transcripts, turns and codings, pick level, units, coders,
codes and transcripts, then let ``codebench.domain.agreement`` compute the coefficients.

The CLI and the TUI lead view call :func:`agreement_report` and :func:`disagreements`.

Choices made here (documented in ``docs/agreement.md``):

- Units. A turn unit is the turn's speech, ``speech_start``..``end``: the speaker label is not part of
  what was said, so a coding that touches only the label does not code the turn. Sentences and
  paragraphs are cut from these speech spans (``codebench.domain.units.units_for``). A transcript
  without turns has no turn units; its sentences and paragraphs are cut from the whole text.
- Level. ``None`` (the default) means harmonised when any coding's raw code is harmonised, else raw.
  At harmonised level codings whose raw code has no harmonised code are left out and counted.
  At raw level a code is the case-folded label (``AnalysisCoding.key("raw")``).
- Coders. Default: every coder who observed (marked done, or coded in) at least one chosen transcript.
- Codes. Default: every code the chosen coders used in the chosen transcripts. The whole-codebook
  coefficients are computed over the reported codes only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Literal

import numpy as np

from codebench.domain.agreement import (
    AgreementInput,
    AgreementReport,
    CodingTable,
    TranscriptUnits,
    compute_agreement,
    disagreement_labels,
    find_all_disagreements,
)
from codebench.domain.errors import InputError, NotFoundError
from codebench.domain.units import UNIT_KINDS, units_for
from codebench.store.repo_reads import CodingIds, TurnRow
from codebench.store.store import Store

Level = Literal["harmonised", "raw"]
LEVELS: tuple[Level, ...] = ("harmonised", "raw")


@dataclass(frozen=True)
class AgreementResult:
    """The domain report plus how it was obtained.

    ``level_auto`` is True when the level was chosen from the data (no ``level`` given);
    ``unharmonised_codings`` counts the chosen coders' codings (in the chosen transcripts) left out at
    harmonised level because their raw code has no harmonised code.
    """

    report: AgreementReport
    level: Level
    level_auto: bool
    unit: str
    transcripts: tuple[str, ...]
    min_overlap: int
    bootstrap: int
    seed: int
    unharmonised_codings: int

    def warnings(self) -> list[str]:
        """Plain sentences about what the report leaves out (empty when nothing is)."""
        return _warnings(self.unharmonised_codings)

    def reported_alphas(self) -> dict[str, float]:
        """The alphas ``--min-alpha`` checks: every defined per-code alpha and the MASI whole-codebook alpha."""
        alphas = {code.code: code.alpha.value for code in self.report.codes if code.alpha.value is not None}
        if self.report.overall.alpha_masi.value is not None:
            alphas["whole codebook (MASI)"] = self.report.overall.alpha_masi.value
        return alphas

    def below(self, threshold: float) -> dict[str, float]:
        """Reported alphas strictly below ``threshold``."""
        return {name: value for name, value in self.reported_alphas().items() if value < threshold}

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of issue 5 plus extension keys (never renamed contract keys)."""
        return {
            **self.report.to_dict(),
            "level_auto": self.level_auto,
            "transcripts": list(self.transcripts),
            "min_overlap": self.min_overlap,
            "bootstrap": self.bootstrap,
            "seed": self.seed if self.bootstrap else None,
            "unharmonised_codings": self.unharmonised_codings,
        }


@dataclass(frozen=True)
class QuoteDisagreement:
    """A unit where the coders who observed it differ on a code, with the text and a link back.

    ``turn`` is the 1-based turn number (as in the quotes sheet), ``None`` for a transcript without
    turns; ``labels`` maps each coder with the code to the raw labels they used there.
    """

    code: str
    transcript: str
    turn: int | None
    speaker: str | None
    start: int
    end: int
    text: str
    coders_with: tuple[str, ...]
    coders_without: tuple[str, ...]
    labels: Mapping[str, tuple[str, ...]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "transcript": self.transcript, "turn": self.turn, "speaker": self.speaker,
            "start": self.start, "end": self.end, "text": self.text, "coders_with": list(self.coders_with),
            "coders_without": list(self.coders_without),
            "labels": {coder: list(labels) for coder, labels in self.labels.items()},
        }


@dataclass(frozen=True)
class DisagreementsResult:
    """The disagreements of the chosen codes, in code order then text order."""

    level: Level
    level_auto: bool
    unit: str
    coders: tuple[str, ...]
    rows: tuple[QuoteDisagreement, ...]
    unharmonised_codings: int

    def warnings(self) -> list[str]:
        """Plain sentences about what the listing leaves out (empty when nothing is)."""
        return _warnings(self.unharmonised_codings)

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "level_auto": self.level_auto, "unit": self.unit, "coders": list(self.coders),
                "unharmonised_codings": self.unharmonised_codings,
                "disagreements": [row.to_dict() for row in self.rows]}


def _warnings(unharmonised_codings: int) -> list[str]:
    if not unharmonised_codings:
        return []
    return [f"{unharmonised_codings} coding(s) left out: their raw code has no harmonised code"]


@dataclass(frozen=True)
class _Prepared:
    """The agreement input for the chosen options, and what is needed to link units back to the text.

    ``data.codings`` is a ``CodingTable`` of the counted codings (chosen coders and transcripts, with a code at
    the chosen level); ``raw_labels`` gives each of its rows' raw label.
    """

    data: AgreementInput
    level: Level
    level_auto: bool
    unit: str
    codes: list[str] | None
    unharmonised: int
    raw_labels: Sequence[str]
    texts: Mapping[str, str]
    turns: Mapping[str, list[TurnRow]]


def agreement_report(
    store: Store,
    *,
    level: Level | None = None,
    unit: str = "turn",
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    transcripts: Sequence[str] | None = None,
    min_overlap: int = 1,
    bootstrap: int = 0,
    seed: int = 0,
) -> AgreementResult:
    """Per-code and whole-codebook agreement of the chosen coders (see the module docstring for defaults).

    ``bootstrap`` resamples give each alpha a 95% interval, reproducible for a given ``seed``.
    Raises ``NotFoundError`` for unknown coders, codes or transcripts and ``InputError`` for bad options.
    """
    if bootstrap < 0:
        raise InputError("bootstrap must be 0 (no interval) or a number of resamples")
    prepared = _prepare(store, level, unit, coders, codes, transcripts)
    report = compute_agreement(prepared.data, codes=prepared.codes, min_overlap=min_overlap, bootstrap=bootstrap,
                               seed=seed, level=prepared.level, unit=prepared.unit)
    return AgreementResult(report=report, level=prepared.level, level_auto=prepared.level_auto, unit=prepared.unit,
                           transcripts=tuple(t.name for t in prepared.data.transcripts), min_overlap=min_overlap,
                           bootstrap=bootstrap, seed=seed, unharmonised_codings=prepared.unharmonised)


def disagreements(
    store: Store,
    *,
    level: Level | None = None,
    unit: str = "turn",
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    transcripts: Sequence[str] | None = None,
    min_overlap: int = 1,
) -> DisagreementsResult:
    """Units where the chosen coders differ on a code (every code used, or ``codes``), with text and turn."""
    prepared = _prepare(store, level, unit, coders, codes, transcripts)
    chosen = prepared.codes if prepared.codes is not None else prepared.data.codings.used_codes()
    found = find_all_disagreements(prepared.data, chosen, min_overlap)
    labels = iter(disagreement_labels(prepared.data.codings, prepared.raw_labels, found, min_overlap))
    turn_starts = {name: [turn[3] for turn in turns] for name, turns in prepared.turns.items()}
    rows = []
    for code, found_in_code in found.items():
        for row in found_in_code:
            start, end = row.unit
            turn = _turn_at(prepared.turns.get(row.transcript, []), turn_starts.get(row.transcript, []), start)
            rows.append(QuoteDisagreement(
                code=code, transcript=row.transcript, turn=None if turn is None else turn[1] + 1,
                speaker=None if turn is None else turn[2], start=start, end=end,
                text=prepared.texts[row.transcript][start:end], coders_with=row.coders_with,
                coders_without=row.coders_without, labels=next(labels),
            ))
    return DisagreementsResult(level=prepared.level, level_auto=prepared.level_auto, unit=prepared.unit,
                               coders=prepared.data.coders, rows=tuple(rows),
                               unharmonised_codings=prepared.unharmonised)


def _prepare(
    store: Store,
    level: Level | None,
    unit: str,
    coders: Sequence[str] | None,
    codes: Sequence[str] | None,
    transcripts: Sequence[str] | None,
) -> _Prepared:
    """Read the project in one transaction and build the agreement input for the chosen options."""
    if level is not None and level not in LEVELS:
        raise InputError(f"level must be one of {', '.join(LEVELS)} (got {level!r})")
    if unit not in UNIT_KINDS:
        raise InputError(f"unit must be one of {', '.join(UNIT_KINDS)} (got {unit!r})")

    def read(tx) -> tuple:  # noqa: ANN001 - Tx
        return (tx.transcript_texts(), tx.coders(), tx.code_placements(), tx.coding_ids(), tx.observed(),
                tx.turn_rows())

    transcript_rows, coder_rows, placements, coding_ids, observed, turn_rows = store.read(read)
    all_transcripts = [name for _, name, _ in transcript_rows]
    all_coders = [coder.name for coder in coder_rows]
    texts = {name: text for _, name, text in transcript_rows}
    turns = _turns_by_name(transcript_rows, turn_rows)
    coder_id, transcript_id, start, end, code_id = _columns(coding_ids)
    used = [placements[int(i)] for i in np.unique(code_id)]
    chosen_level: Level = level or ("harmonised" if any(p.harmonised for p in used) else "raw")
    names = _chosen("transcript", transcripts, all_transcripts)
    chosen_names = set(names)
    if coders is None:
        coders = [c for c in all_coders if observed.get(c, frozenset()) & chosen_names]
    chosen_coders = _chosen("coder", coders, all_coders)
    if len(chosen_coders) < 2:
        raise InputError(f"agreement needs two or more coders who observed the chosen transcripts "
                         f"(got {', '.join(chosen_coders) or 'none'})")
    keys = {p.id: p.key(chosen_level) for p in placements.values()}
    wanted = None if codes is None else _chosen_codes(codes, {keys[p.id] for p in used} - {None}, chosen_level)
    code_names = sorted(set(keys.values()) - {None})
    coder_index = _positions({c.id: c.name for c in coder_rows}, chosen_coders)
    transcript_index = _positions({i: name for i, name, _ in transcript_rows}, names)
    code_index = _positions(keys, code_names)
    picked = (coder_index[coder_id] >= 0) & (transcript_index[transcript_id] >= 0)
    counted = picked & (code_index[code_id] >= 0)
    table = CodingTable(tuple(chosen_coders), tuple(names), tuple(code_names), np.stack(
        [coder_index[coder_id], transcript_index[transcript_id], code_index[code_id], start, end], axis=1)[counted])
    raw_labels = _by_id({p.id: p.raw for p in placements.values()}, None, object)[code_id[counted]]
    data = AgreementInput(
        coders=tuple(chosen_coders),
        transcripts=tuple(TranscriptUnits(name, len(texts[name]), _units(texts[name], turns.get(name, []), unit))
                          for name in names),
        observed={c: observed.get(c, frozenset()) & chosen_names for c in chosen_coders},
        codings=table,
    )
    return _Prepared(data=data, level=chosen_level, level_auto=level is None, unit=unit, codes=wanted,
                     unharmonised=int(picked.sum() - counted.sum()), raw_labels=raw_labels,
                     texts=texts, turns=turns)


def _columns(rows: Sequence[CodingIds]) -> np.ndarray:
    """The (coder id, transcript id, start, end, code id) rows as five int64 columns."""
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=5 * len(rows))
    return flat.reshape(-1, 5).T


def _by_id(values: Mapping[int, Any], missing: Any, dtype: type) -> np.ndarray:
    """An array indexed by database id: ``values[id]`` at each given id, ``missing`` at every other."""
    out = np.full(max(values, default=-1) + 1, missing, dtype=dtype)
    out[list(values)] = list(values.values())
    return out


def _positions(names: Mapping[int, str | None], chosen: Sequence[str]) -> np.ndarray:
    """By database id: the position of the id's name in ``chosen``, -1 where it is not chosen."""
    position = {name: i for i, name in enumerate(chosen)}
    return _by_id({i: position.get(name, -1) for i, name in names.items()}, -1, np.int64)


def _turns_by_name(transcripts: Sequence[tuple[int, str, str]], turns: Sequence[TurnRow]) -> dict[str, list[TurnRow]]:
    """Each transcript's turns, in turn order, by transcript name (transcripts without turns left out)."""
    name_of = {i: name for i, name, _ in transcripts}
    out: dict[str, list[TurnRow]] = {}
    for row in turns:
        out.setdefault(name_of[row[0]], []).append(row)
    return out


def _units(text: str, turns: list[TurnRow], kind: str) -> tuple[tuple[int, int], ...]:
    """The units of one transcript, cut from the turns' speech spans (``speech_start``..``end``)."""
    return tuple(units_for(text, [(speech_start, end) for *_, speech_start, end in turns], kind))


def _chosen(kind: str, given: Sequence[str] | None, known: Sequence[str]) -> list[str]:
    """The given names (duplicates dropped, order kept), or all known ones; unknown names raise NotFoundError."""
    if given is None:
        return list(known)
    unknown = [name for name in given if name not in known]
    if unknown:
        listed = ", ".join(known) or "none yet"
        raise NotFoundError(f"unknown {kind}(s) {', '.join(map(repr, unknown))}; the project's {kind}s: {listed}")
    return list(dict.fromkeys(given))


def _chosen_codes(given: Sequence[str], known: set[str], level: Level) -> list[str]:
    """Code keys for the given names: case-insensitive at raw level, exact harmonised names otherwise;
    ``known`` are the keys of the codes used."""
    keys = [name.casefold() if level == "raw" else name for name in given]
    unknown = [name for name, key in zip(given, keys, strict=True) if key not in known]
    if unknown:
        raise NotFoundError(f"unknown code(s) at {level} level: {', '.join(map(repr, unknown))}")
    return list(dict.fromkeys(keys))


def _turn_at(turns: list[TurnRow], starts: Sequence[int], offset: int) -> TurnRow | None:
    """The turn whose span contains ``offset`` (the last turn starting at or before it); ``starts`` are the
    turns' start offsets."""
    position = bisect_right(starts, offset) - 1
    return turns[position] if position >= 0 else None
