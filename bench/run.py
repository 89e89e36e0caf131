"""The benchmark suite: codebench's steps on a synthetic study, each against a baseline timed in the same run.

    python bench/run.py                 # the large study (200 interviews x 12,000 words); writes docs/benchmarks.md
    python bench/run.py --quick --no-write                 # a small study, to prove the scripts work (CI)
    python bench/run.py --only agreement saturation        # some steps (docs/benchmarks.md is not written)
    python bench/run.py --peers         # also time the peer tools (bench/peers.py) on the same transcripts
    python bench/run.py --profile codings                  # cProfile one step's codebench call

Every figure is the median of several runs; the baseline is measured in the same process right after (for the
imports, taking turns with codebench's runs).
Peak memory is measured per step in a fresh subprocess that runs the step once.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import pstats
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rapidfuzz import fuzz, process  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from _common import Timing, loglog_slope, machine, measure, measure_interleaved, peak_rss_mb, seconds  # noqa: E402
from make_study import StudySize, StudySummary, make_study  # noqa: E402

from codebench.domain.harmonise import normalise_label  # noqa: E402
from codebench.services.agreement import agreement_report  # noqa: E402
from codebench.services.codings import import_codings  # noqa: E402
from codebench.services.exports import codebook_rows, export_codebook, export_quotes, quote_rows  # noqa: E402
from codebench.services.harmonise import import_codebook, suggest  # noqa: E402
from codebench.services.project import init_project, open_project  # noqa: E402
from codebench.services.saturation import saturation_analysis  # noqa: E402
from codebench.services.transcripts import expand_paths, import_attributes, import_transcripts, read_transcript  # noqa: E402
from codebench.store.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
QUICK = StudySize(interviews=12, words=1500)
FULL = StudySize()
SCALING_SIZES = (25, 50, 100, 200)
PERMUTATIONS = 1_000
NLTK_SAMPLE = 10  # codes timed with NLTK; the time for all codes is extrapolated from them
MEMORY_LIMIT_MB = 500
START, END = "<!-- bench:run:start -->", "<!-- bench:run:end -->"
PEERS_START, PEERS_END = "<!-- bench:peers:start -->", "<!-- bench:peers:end -->"

RAW_SCHEMA = """
CREATE TABLE transcripts (id INTEGER PRIMARY KEY, name TEXT UNIQUE, text TEXT, source_format TEXT);
CREATE TABLE turns (id INTEGER PRIMARY KEY, transcript_id INTEGER REFERENCES transcripts(id), idx INTEGER,
                    speaker TEXT, start INTEGER, speech_start INTEGER, "end" INTEGER, start_time REAL, end_time REAL);
CREATE TABLE codings (id INTEGER PRIMARY KEY, transcript TEXT, coder TEXT, code TEXT, quote TEXT);
"""


@dataclass
class Result:
    """One row of the results table."""

    step: str
    ours: Timing | None
    baseline: Timing | None
    baseline_name: str
    target: str
    met: bool | None = None  # None: no target applies (quick run) or nothing measured
    note: str = ""
    baseline_seconds: float | None = None  # when the baseline is extrapolated rather than timed in full

    @property
    def base(self) -> float | None:
        if self.baseline_seconds is not None:
            return self.baseline_seconds
        return self.baseline.median if self.baseline else None

    @property
    def ratio(self) -> float | None:
        return self.ours.median / self.base if self.ours and self.base else None


def unavailable(step: str, baseline_name: str, target: str, why: str) -> Result:
    return Result(step, None, None, baseline_name, target, None, f"not yet available: {why}")


# -- the workspace: the study and projects built from it -------------------------------------------

def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def copy_db(source: Path, dest: Path) -> None:
    """A consistent copy through SQLite's backup API (the WAL included)."""
    remove_db(dest)
    with sqlite3.connect(source) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)
    dst.close()
    src.close()


@dataclass
class Workspace:
    """A folder holding the study and the projects built from it (each built once, then copied)."""

    root: Path
    size: StudySize
    repeats: int
    summary: StudySummary | None = None
    _stores: list[Store] = field(default_factory=list)

    @property
    def study(self) -> Path:
        folder = self.root / "study"
        if not (folder / "codebook.csv").exists():
            self.summary = make_study(self.size, folder)
        return folder

    def coder_files(self) -> list[Path]:
        return sorted(self.study.glob("codings_*.csv"))

    def scratch(self, name: str) -> Path:
        path = self.root / name
        remove_db(path)
        return path

    def store(self, path: Path) -> Store:
        store = open_project(sqlite_url(path))
        self._stores.append(store)
        return store

    def fresh_project(self, name: str) -> Store:
        store, _ = init_project(sqlite_url(self.scratch(name)))
        self._stores.append(store)
        return store

    def close(self) -> None:
        for store in self._stores:
            store.close()
        self._stores.clear()

    def project(self, stage: str) -> Path:
        """The project with transcripts + attributes ("transcripts"), + codings ("coded"), + codebook ("full")."""
        path = self.root / f"{stage}.db"
        if path.exists():
            return path
        if stage == "transcripts":
            store = self.fresh_project(path.name)
            import_transcripts(store, [self.study])
            import_attributes(store, self.study / "participants.csv")
        else:
            previous = {"coded": "transcripts", "full": "coded"}[stage]
            copy_db(self.project(previous), path)
            store = self.store(path)
            if stage == "coded":
                for coder_file in self.coder_files():
                    import_codings(store, coder_file, add_coders=True)
            else:
                import_codebook(store, self.study / "codebook.csv")
        store.close()
        return path


# -- the steps --------------------------------------------------------------------------------------

def raw_connection(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 database with the pragmas codebench uses (WAL, synchronous=NORMAL, foreign keys)."""
    remove_db(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(RAW_SCHEMA)
    return conn


class Holder:
    """The current store or connection of a timed action, replaced by each setup."""

    value: object = None


def step_transcripts(ws: Workspace) -> Result:
    """Parse + store every transcript into a fresh project vs sqlite3 executemany of the parsed text and turns."""
    parsed = [(path.stem, read_transcript(path)) for path in expand_paths([ws.study])]
    target, raw = Holder(), Holder()

    def fresh() -> None:
        ws.close()
        target.value = ws.fresh_project("bench-transcripts.db")

    def raw_fresh() -> None:
        if raw.value is not None:
            raw.value.close()
        raw.value = raw_connection(ws.root / "raw-transcripts.db")

    def raw_import() -> None:
        conn = raw.value
        with conn:
            conn.executemany("INSERT INTO transcripts VALUES (?, ?, ?, ?)",
                             [(i, name, doc.text, doc.source_format) for i, (name, doc) in enumerate(parsed, 1)])
            conn.executemany(
                "INSERT INTO turns (transcript_id, idx, speaker, start, speech_start, \"end\", start_time, end_time)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(i, k, t.speaker, t.start, t.speech_start, t.end, t.start_time, t.end_time)
                 for i, (_, doc) in enumerate(parsed, 1) for k, t in enumerate(doc.turns)])

    ours, baseline = measure_interleaved(lambda: import_transcripts(target.value, [ws.study]), raw_import, ws.repeats,
                                         fresh, raw_fresh)
    ws.close()
    raw.value.close()
    turns = sum(len(doc.turns) for _, doc in parsed)
    return Result(f"import {len(parsed)} transcripts (parse + store)", ours, baseline,
                  f"sqlite3 executemany of the parsed text and {turns:,} turns, one transaction", "<= 3x baseline",
                  note="codebench parses (txt/docx/vtt) inside the timing; the baseline gets the parsed result")


def step_codings(ws: Workspace) -> Result:
    """Import every coder's codings CSV (quotes located in the text) vs csv + sqlite3 executemany of the rows."""
    files = ws.coder_files()
    transcripts = ws.project("transcripts")
    target, raw = Holder(), Holder()

    def fresh() -> None:
        ws.close()
        path = ws.scratch("bench-codings.db")
        copy_db(transcripts, path)
        target.value = ws.store(path)

    def raw_fresh() -> None:
        if raw.value is not None:
            raw.value.close()
        raw.value = raw_connection(ws.root / "raw-codings.db")

    def raw_import() -> None:
        conn = raw.value
        with conn:
            for path in files:
                with path.open(newline="", encoding="utf-8") as f:
                    reader = csv.reader(f)
                    next(reader)
                    conn.executemany("INSERT INTO codings (transcript, coder, code, quote) VALUES (?, ?, ?, ?)", reader)

    stored = []
    ours, baseline = measure_interleaved(
        lambda: stored.append(sum(import_codings(target.value, f, add_coders=True).stored for f in files)),
        raw_import, ws.repeats, fresh, raw_fresh)
    ws.close()
    raw.value.close()
    return Result(f"import {stored[-1]:,} codings ({len(files)} CSV files)", ours, baseline,
                  "csv module + sqlite3 executemany of the same rows, one transaction", "<= 3x baseline",
                  note="codebench validates each row, locates each quote in its transcript and creates the codes")


def unit_values(store: Store) -> tuple[list[str], list[tuple[str, int]], dict[str, dict[str, set[tuple[str, int]]]]]:
    """Coders, turn units and, per harmonised code and coder, the units their codings overlap (>= 1 character)."""
    from bisect import bisect_left, bisect_right  # noqa: PLC0415

    def read(tx):  # noqa: ANN001, ANN202
        return [c.name for c in tx.coders()], tx.all_turns(), tx.analysis_codings()

    coders, turns, codings = store.read(read)
    units = [(name, t.idx) for name, ts in turns.items() for t in ts]
    starts = {name: [t.start for t in ts] for name, ts in turns.items()}
    ends = {name: [t.end for t in ts] for name, ts in turns.items()}
    values: dict[str, dict[str, set[tuple[str, int]]]] = {}
    for c in codings:
        if c.harmonised is None:
            continue
        first = bisect_right(ends[c.transcript], c.start)  # first turn ending after the coding starts
        last = bisect_left(starts[c.transcript], c.end)  # turns starting before the coding ends
        coded = values.setdefault(c.harmonised, {}).setdefault(c.coder, set())
        coded.update((c.transcript, turns[c.transcript][i].idx) for i in range(first, last))
    return coders, units, values


def nltk_alpha(coders: list[str], units: list[tuple[str, int]], coded: dict[str, set[tuple[str, int]]]) -> float:
    """NLTK's Krippendorff alpha of one code's binary values (every coder observed every unit)."""
    from nltk.metrics.agreement import AnnotationTask  # noqa: PLC0415

    triples = [(coder, f"{name}#{idx}", int((name, idx) in coded.get(coder, ())))
               for coder in coders for name, idx in units]
    return AnnotationTask(data=triples).alpha()


def step_agreement(ws: Workspace) -> Result:
    name, baseline_name = "agreement, all codes, all coefficients but bootstrap", "NLTK AnnotationTask.alpha() per code"
    target = "<= 2 s and >= 10x faster than baseline"
    store = ws.store(ws.project("full"))
    ours = measure(lambda: agreement_report(store, level="harmonised"), ws.repeats)
    coders, units, values = unit_values(store)
    codes = sorted(values)
    sample = codes[:: max(len(codes) // NLTK_SAMPLE, 1)][:NLTK_SAMPLE]
    nltk: list[list[float]] = []
    baseline = measure(lambda: nltk.append([nltk_alpha(coders, units, values[k]) for k in sample]), 1)
    mine = {c.code: c.alpha.value for c in agreement_report(store, level="harmonised").report.codes}
    ws.close()
    gap = max(abs(mine[k] - a) for k, a in zip(sample, nltk[-1], strict=True) if mine[k] is not None)
    extrapolated = baseline.median / len(sample) * len(codes)
    speedup = extrapolated / ours.median
    return Result(f"{name} ({len(codes)} codes, {len(units):,} turns)", ours, baseline, baseline_name, target,
                  None, f"NLTK timed on {len(sample)} codes, extrapolated to {len(codes)}: codebench {speedup:.0f}x "
                  f"faster; largest alpha difference from NLTK on those codes {gap:.1e}",
                  baseline_seconds=extrapolated)


def step_harmonise(ws: Workspace) -> Result:
    store = ws.store(ws.project("coded"))
    labels = [normalise_label(c.label) for c in store.read(lambda tx: tx.codes())]
    suggestions = []
    ours = measure(lambda: suggestions.append(len(suggest(store))), ws.repeats)
    ws.close()
    baseline = measure(lambda: process.cdist(labels, labels, scorer=fuzz.token_sort_ratio, workers=-1), ws.repeats)
    return Result(f"harmonise suggest on {len(labels):,} raw codes", ours, baseline,
                  "rapidfuzz process.cdist (token_sort_ratio) on the same labels (the floor)", "<= 3 s",
                  note=f"{suggestions[-1]} suggested groups")


def step_saturation(ws: Workspace) -> Result:
    store = ws.store(ws.project("full"))
    report = []
    ours = measure(lambda: report.append(saturation_analysis(store, level="harmonised", permutations=PERMUTATIONS)),
                   ws.repeats)
    baseline = measure(lambda: saturation_analysis(store, level="harmonised"), ws.repeats)
    ws.close()
    return Result(f"saturation, harmonised level, {PERMUTATIONS:,} permutations", ours, baseline,
                  "the same call without permutations (one pass)", "<= 1 s",
                  note=f"the permutations themselves: {seconds(ours.median - baseline.median)} (the rest reads the "
                       f"project); {report[-1].report.verdict()}")


def step_exports(ws: Workspace) -> Result:
    store = ws.store(ws.project("full"))
    out = ws.root / "exports"
    out.mkdir(exist_ok=True)
    counts = []
    ours = measure(lambda: counts.append((export_codebook(store, out / "codebook.csv"),
                                          export_quotes(store, out / "quotes.csv"))), ws.repeats)
    book = codebook_rows(store)
    quotes, header = quote_rows(store)
    ws.close()

    def write(rows: list[dict[str, object]], columns: list[str], path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, columns)
            writer.writeheader()
            writer.writerows(rows)

    baseline = measure(lambda: (write(book, list(book[0]), out / "raw-codebook.csv"),
                                write(quotes, header, out / "raw-quotes.csv")), ws.repeats)
    return Result(f"codebook export ({counts[-1][0]} rows) + quotes export ({counts[-1][1]:,} rows)", ours, baseline,
                  "csv module writing the same rows", "<= 1 s",
                  note="codebench reads the project, builds the rows and writes CSV-injection-safe cells")


def step_tui(ws: Workspace) -> Result:
    """Run bench/tui_bench.py (its own 25,000-word transcript, Pilot) and read its two medians."""
    name, baseline_name = "TUI: open a 25,000-word transcript / tag a quote", "no baseline (absolute targets)"
    target = "<= 300 ms / <= 50 ms"
    script = ROOT / "bench" / "tui_bench.py"
    if ws.size == QUICK:
        return Result(name, None, None, baseline_name, target, None, "not run with --quick")
    if not script.exists():
        return unavailable(name, baseline_name, target, "bench/tui_bench.py has not landed")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=900, check=False,
                          cwd=ROOT)
    found = [float(m) for m in re.findall(r"median ([0-9.]+) ms", done.stdout)]
    if done.returncode != 0 or len(found) != 2:
        tail = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        return Result(name, None, None, baseline_name, target, None, f"bench/tui_bench.py failed: {tail}")
    first_paint, keypress = found
    return Result(name, None, None, baseline_name, target, None if ws.size != FULL else (
        first_paint <= 300 and keypress <= 50), f"first paint {first_paint:.0f} ms, keypress to highlight "
        f"{keypress:.0f} ms (medians printed by bench/tui_bench.py, Pilot, headless)")


STEPS: dict[str, Callable[[Workspace], Result]] = {
    "transcripts": step_transcripts,
    "codings": step_codings,
    "agreement": step_agreement,
    "harmonise": step_harmonise,
    "saturation": step_saturation,
    "exports": step_exports,
    "tui": step_tui,
}


def check_targets(results: dict[str, Result]) -> None:
    """Mark each result met / not met against the issue's targets (full run only)."""
    rules: dict[str, Callable[[Result], bool]] = {
        "transcripts": lambda r: r.ratio <= 3,
        "codings": lambda r: r.ratio <= 3,
        "agreement": lambda r: r.ours.median <= 2 and r.ratio <= 0.1,
        "harmonise": lambda r: r.ours.median <= 3,
        "saturation": lambda r: r.ours.median <= 1,
        "exports": lambda r: r.ours.median <= 1,
    }
    for key, result in results.items():
        if key in rules and result.ours is not None and result.ratio is not None:
            result.met = rules[key](result)


# -- memory: one fresh process per step -------------------------------------------------------------

MEMORY_ACTIONS: dict[str, Callable[[Workspace], object]] = {
    "transcripts": lambda ws: import_transcripts(ws.fresh_project("mem-transcripts.db"), [ws.study]),
    "codings": lambda ws: [import_codings(ws.store(_copied(ws, "transcripts", "mem-codings.db")), f, add_coders=True)
                           for f in ws.coder_files()],
    "agreement": lambda ws: agreement_report(ws.store(ws.project("full")), level="harmonised"),
    "harmonise": lambda ws: suggest(ws.store(ws.project("coded"))),
    "saturation": lambda ws: saturation_analysis(ws.store(ws.project("full")), level="harmonised",
                                                 permutations=PERMUTATIONS),
    "exports": lambda ws: (export_codebook(ws.store(ws.project("full")), ws.root / "mem-codebook.csv"),
                           export_quotes(ws.store(ws.project("full")), ws.root / "mem-quotes.csv")),
}


def _copied(ws: Workspace, stage: str, name: str) -> Path:
    path = ws.scratch(name)
    copy_db(ws.project(stage), path)
    return path


def memory_child(ws: Workspace, step: str) -> None:
    """Run one step once in this (fresh) process and print its peak memory as JSON."""
    before = peak_rss_mb()
    MEMORY_ACTIONS[step](ws)
    ws.close()
    print(json.dumps({"step": step, "before_mb": before, "peak_mb": peak_rss_mb()}))


def measure_memory(ws: Workspace, steps: list[str], quick: bool) -> dict[str, tuple[float, float]]:
    """Peak RSS (MB) of a fresh process running each step once, and the RSS before the step."""
    out = {}
    for step in steps:
        if step not in MEMORY_ACTIONS:
            continue
        command = [sys.executable, __file__, "--memory-step", step, "--work", str(ws.root)]
        done = subprocess.run(command + (["--quick"] if quick else []), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"memory measurement of {step} failed:\n{done.stderr}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        out[step] = (figures["peak_mb"], figures["before_mb"])
    return out


# -- scaling ----------------------------------------------------------------------------------------

def scaling(root: Path, repeats: int, full: dict[str, Result]) -> dict[str, dict[int, float]]:
    """Median seconds of import (transcripts + codings), agreement and saturation at each study size."""
    times: dict[str, dict[int, float]] = {"import": {}, "agreement": {}, "saturation": {}}
    for n in SCALING_SIZES:
        if n == FULL.interviews and {"transcripts", "codings", "saturation"} <= set(full):
            results = full
        else:
            ws = Workspace(root / f"scale-{n}", StudySize(interviews=n), repeats)
            results = {key: STEPS[key](ws) for key in ("transcripts", "codings", "agreement", "saturation")}
            ws.close()
        times["import"][n] = results["transcripts"].ours.median + results["codings"].ours.median
        times["saturation"][n] = results["saturation"].ours.median
        if results.get("agreement") and results["agreement"].ours is not None:
            times["agreement"][n] = results["agreement"].ours.median
    return times


# -- output -----------------------------------------------------------------------------------------

def verdict(result: Result) -> str:
    return {True: "met", False: "NOT met", None: "-"}[result.met]


def ratio_text(result: Result) -> str:
    return "-" if result.ratio is None else f"{result.ratio:.2f}x"


def rows(results: list[Result]) -> list[list[str]]:
    return [[r.step, r.ours.describe() if r.ours else "-",
             (seconds(r.base) + (" (extrapolated)" if r.baseline_seconds is not None else "")) if r.base else "-",
             r.baseline_name, ratio_text(r), r.target, verdict(r), r.note] for r in results]


HEADER = ["step", "codebench", "baseline", "baseline is", "codebench / baseline", "target", "verdict", "note"]


def print_table(console: Console, results: list[Result], memory: dict[str, tuple[float, float]]) -> None:
    """A compact table (it must read in an 80-column CI log), then each step's baseline and note."""
    table = Table(title="codebench benchmarks")
    for column in ("step", "codebench", "baseline", "ratio", "target", "verdict"):
        table.add_column(column, overflow="fold")
    for row in rows(results):
        table.add_row(row[0], row[1], row[2], row[4], row[5], row[6])
    console.print(table)
    for result in results:
        console.print(f"- {result.step}: baseline = {result.baseline_name}; {result.note}", highlight=False)
    for step, (peak, before) in memory.items():
        console.print(f"peak memory, {step}: {peak:.0f} MB (process before the step: {before:.0f} MB)")


def memory_row(memory: dict[str, tuple[float, float]], quick: bool) -> Result | None:
    if not memory:
        return None
    step, (peak, _) = max(memory.items(), key=lambda item: item[1][0])
    result = Result("peak memory of the largest step", None, None, "-", f"<= {MEMORY_LIMIT_MB} MB",
                    None if quick else peak <= MEMORY_LIMIT_MB, f"{peak:.0f} MB peak RSS ({step}, fresh process)")
    return result


def markdown_table(header: list[str], body: list[list[str]]) -> str:
    escape = lambda cell: cell.replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in body]
    return "\n".join(lines)


def render(machine_info: dict[str, str], summary: StudySummary | None, size: StudySize, repeats: int,
           results: list[Result], memory: dict[str, tuple[float, float]],
           scale: dict[str, dict[int, float]] | None) -> str:
    parts = [f"Generated by `python bench/run.py` on {machine_info['date']}; re-running replaces this block.", "",
             "**Machine**", ""]
    parts += [f"- {key}: {value}" for key, value in machine_info.items() if key != "date"]
    parts += ["", "**Study** (`bench/make_study.py`, seed %d)" % size.seed, ""]
    if summary is None:
        parts.append(f"{size.interviews} interviews x {size.words:,} words, {size.coders} coders (reused from --work).")
    else:
        parts.append(f"{summary.interviews} interviews, {summary.words:,} words "
                     f"({', '.join(f'{n} {f}' for f, n in summary.formats.items())}), {size.coders} coders, "
                     f"{summary.codings:,} codings, {summary.raw_codes:,} raw codes -> "
                     f"{summary.harmonised_codes} harmonised codes (generated in {summary.seconds:.1f} s).")
    parts += ["", f"**Results** (median of {repeats} runs unless noted)", "", markdown_table(HEADER, rows(results))]
    if memory:
        parts += ["", "**Peak memory per step** (peak RSS of a fresh Python process running the step once)", ""]
        parts.append(markdown_table(["step", "peak RSS", "RSS before the step (interpreter + imports)"],
                                    [[s, f"{p:.0f} MB", f"{b:.0f} MB"] for s, (p, b) in memory.items()]))
    if scale:
        parts += ["", "**Scaling** (12,000-word interviews; slope of the log-log fit of time vs interviews: "
                  "1 = linear)", ""]
        body = [[what, *(seconds(by_n[n]) if n in by_n else "-" for n in SCALING_SIZES),
                 f"{loglog_slope(list(by_n), list(by_n.values())):.2f}" if len(by_n) >= 2 else "-"]
                for what, by_n in scale.items()]
        parts.append(markdown_table(["step", *(f"{n} interviews" for n in SCALING_SIZES), "slope"], body))
    return "\n".join(parts)


def write_block(text: str, start: str, end: str, path: Path = DOCS) -> None:
    """Replace the block between ``start`` and ``end`` in ``path`` (appending it if absent); the rest stays."""
    block = f"{start}\n{text}\n{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else (
        "# Benchmarks\n\nHow fast codebench is on a large synthetic study, measured against baselines in the same "
        "run. Reproduce with `python bench/run.py` (and `--peers`). Notes outside the generated blocks are "
        "kept when the suite is re-run.\n")
    if start in current and end in current:
        before, rest = current.split(start, 1)
        current = before + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")


def profile(ws: Workspace, step: str, console: Console) -> None:
    """cProfile one run of a step's codebench call and print the 30 costliest functions (cumulative)."""
    action = MEMORY_ACTIONS[step]
    ws.study  # noqa: B018 - generate outside the profile
    for stage in ("transcripts", "coded", "full"):
        ws.project(stage)
    profiler = cProfile.Profile()
    profiler.runcall(action, ws)
    ws.close()
    stats = pstats.Stats(profiler, stream=console.file)
    stats.sort_stats("cumulative").print_stats(30)


# -- main -------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small study (12 x 1,500 words): proves the scripts work")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--only", nargs="+", choices=list(STEPS), metavar="STEP",
                        help=f"run only these steps ({', '.join(STEPS)})")
    parser.add_argument("--peers", action="store_true", help="also time the peer tools (bench/peers.py)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per figure (default 5, quick 2)")
    parser.add_argument("--work", type=Path, default=None, help="keep the study and projects in this folder")
    parser.add_argument("--profile", choices=list(MEMORY_ACTIONS), default=None, help="cProfile one step and stop")
    parser.add_argument("--memory-step", choices=list(MEMORY_ACTIONS), default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    size = QUICK if args.quick else FULL
    repeats = args.repeats or (2 if args.quick else 5)
    console = Console()
    work = args.work or Path(tempfile.mkdtemp(prefix="codebench-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    ws = Workspace(work, size, repeats)
    try:
        if args.memory_step:
            memory_child(ws, args.memory_step)
            return 0
        if args.profile:
            profile(ws, args.profile, console)
            return 0
        machine_info = machine()
        steps = args.only or list(STEPS)
        console.print(f"study: {size.interviews} interviews x {size.words:,} words in {ws.study}")
        results: dict[str, Result] = {}
        for key in steps:
            console.print(f"[bold]{key}[/]...")
            results[key] = STEPS[key](ws)
            ws.close()
        if not args.quick:
            check_targets(results)
        memory = measure_memory(ws, steps, args.quick)
        listed = list(results.values())
        peak = memory_row(memory, args.quick)
        if peak is not None:
            listed.append(peak)
        print_table(console, listed, memory)
        scale = None
        if not args.quick and not args.only:
            console.print("[bold]scaling[/] (25, 50, 100 interviews)...")
            scale = scaling(work, max(repeats // 2, 1), results)
        if args.peers:
            from peers import run_peers  # noqa: PLC0415
            # qc's REFI-QDA import slows down as a project grows: its statistics use the 25-interview project.
            small = work / "scale-25" / "full.db"
            peer_text = run_peers(ws.study, work / "peers", repeats=max(repeats // 2, 1), console=console,
                                  project_db=small if small.exists() else ws.project("full"))
            if not args.no_write:
                write_block(peer_text, PEERS_START, PEERS_END)
        if args.no_write or args.quick or args.only:
            console.print("docs/benchmarks.md not written (--no-write, --quick or --only)")
        else:
            write_block(render(machine_info, ws.summary, size, repeats, listed, memory, scale), START, END)
            console.print(f"wrote {DOCS}")
        return 0
    finally:
        ws.close()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
