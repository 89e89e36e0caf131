"""Write a synthetic interview study for the benchmarks.

The study has what a real one has, at any size: transcripts in the import formats (mostly ``.txt``
with ``Interviewer:`` / ``P001:`` labels, some ``.docx`` and ``.vtt``), ``participants.csv``, one
codings CSV per coder (``transcript,coder,code,quote``, every quote copied verbatim from the transcript)
and ``codebook.csv`` (the long format ``codebench codebook import`` reads) mapping every raw code to
its harmonised code, theme and category.

Coding model: each interview holds *passages* about a concept (one of ``--concepts``). Each coder codes
a passage with probability 0.8, with its own span (start and end moved by a few words, so spans overlap
but rarely coincide), and names it with one of their own labels for the concept: coders differ in
spelling (optimisation / optimization), synonyms, abbreviations, hyphens, word order, case and plurals.
One coding in ten names a neighbouring concept instead (coders disagree). The text is words drawn
from a fixed vocabulary, in sentences; it reads as nonsense but parses like a transcript.

    python bench/make_study.py --out /tmp/study                      # the large default study
    python bench/make_study.py --interviews 12 --words 1500 --out /tmp/small
"""

from __future__ import annotations

import argparse
import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from docx import Document

CODE_PROBABILITY = 0.8  # a coder codes a given passage
SWAP_PROBABILITY = 0.1  # a coding names a neighbouring concept
CODINGS_PER_WORD = 100_000 / (200 * 12_000)  # the large study's density
RAW_CODES_PER_CONCEPT = 5  # about 2,500 raw codes for 500 concepts across 3 coders
QUOTE_WORDS = (8, 40)
JITTER_WORDS = 3
FORMATS = {"txt": 0.8, "docx": 0.1, "vtt": 0.1}
CATEGORIES = ("methods", "goals", "contextual factors")

VOCABULARY = """
the a and to of in that it is was we for on with as but so this they be at by or not have what
if would then there which when just one more all about because like really very also some can
model models data run runs training train trained value values result results time week team
project paper baseline experiment experiments dataset validation test loss curve curves metric
accuracy error learning rate batch size layers network search grid random budget cluster server
compute hours days cost deadline reviewer reviewers colleague supervisor manager client customer
library framework default defaults configuration config setting settings parameter parameters
choice choices range ranges guess intuition experience habit rule thumb literature benchmark
performance speed memory noise seed seeds variance stable unstable better worse good bad best
first second last next early late small large big tiny huge fast slow cheap expensive simple
careful quick rough fine coarse manual automatic automated tool tools script scripts notebook
spreadsheet log logs dashboard plot plots chart trial trials attempt attempts change changed
changing tried trying look looked looking see saw seemed felt thought think know knew wanted
needed started stopped kept gave took made used using use work worked working done enough
again always usually often sometimes never maybe probably perhaps mostly mainly honestly exactly
""".split()

CONCEPT_HEADS = {  # head noun -> category of the concepts built on it
    "search": "methods", "tuning": "methods", "sweep": "methods", "heuristic": "methods",
    "schedule": "methods", "sampling": "methods", "optimisation": "methods", "defaults": "methods",
    "pruning": "methods", "ensemble": "methods",
    "accuracy": "goals", "robustness": "goals", "fairness": "goals", "speed": "goals",
    "reproducibility": "goals", "generalisation": "goals", "stability": "goals", "cost": "goals",
    "budget": "contextual factors", "deadline": "contextual factors", "hardware": "contextual factors",
    "team": "contextual factors", "review": "contextual factors", "data": "contextual factors",
    "infrastructure": "contextual factors", "experience": "contextual factors",
    "behaviour": "contextual factors", "tooling": "contextual factors",
}
CONCEPT_MODIFIERS = """
manual random grid bayesian adaptive early coarse fine staged parallel sequential greedy
informed blind cheap expensive limited shared personal local remote cloud gpu cpu team
external internal model training validation learning reviewer client baseline benchmark
""".split()
SYNONYMS = {
    "search": "exploration", "tuning": "adjustment", "sweep": "scan", "heuristic": "rule of thumb",
    "schedule": "plan", "sampling": "draws", "defaults": "presets", "cost": "expense",
    "budget": "allowance", "deadline": "time pressure", "hardware": "machines", "team": "group",
    "review": "peer review", "data": "dataset", "speed": "runtime", "manual": "by hand",
    "random": "stochastic", "cheap": "low-cost", "expensive": "costly", "limited": "scarce",
    "personal": "own", "remote": "offsite", "external": "outside", "informed": "guided",
}
SPELLINGS = {"optimisation": "optimization", "generalisation": "generalization", "behaviour": "behavior"}
ABBREVIATIONS = {"bayesian": "bayes", "optimisation": "opt", "validation": "val", "reproducibility": "repro",
                 "infrastructure": "infra", "hardware": "hw", "generalisation": "generalis.",
                 "experience": "exp.", "learning": "lr", "training": "train"}
FIELDS = ("academia", "industry", "government", "nonprofit")
ROLES = ("PhD student", "postdoc", "data scientist", "ML engineer", "research scientist", "professor")
DOMAINS = ("vision", "NLP", "tabular", "speech", "recommender", "forecasting", "robotics")
SKILLS = ("novice", "intermediate", "expert")


@dataclass(frozen=True)
class Concept:
    """A harmonised code: its name, theme (its head noun) and category."""

    name: str
    theme: str
    category: str


@dataclass(frozen=True)
class Turn:
    """One turn: its speaker and the positions of its words in the interview's token array."""

    speaker: str
    first: int
    last: int  # exclusive


@dataclass(frozen=True)
class Interview:
    name: str
    tokens: list[str]
    turns: list[Turn]

    def words(self, first: int, last: int) -> str:
        return " ".join(self.tokens[first:last])


@dataclass(frozen=True)
class StudySize:
    interviews: int = 200
    words: int = 12_000
    coders: int = 3
    seed: int = 1
    concepts: int = 500
    codings: int | None = None  # default: the large study's density

    @property
    def target_codings(self) -> int:
        return self.codings if self.codings is not None else round(CODINGS_PER_WORD * self.interviews * self.words)


@dataclass(frozen=True)
class StudySummary:
    """What was written, for the caller to report."""

    out: Path
    interviews: int
    words: int
    formats: dict[str, int]
    codings: int
    raw_codes: int
    harmonised_codes: int
    seconds: float


# -- text -------------------------------------------------------------------------------------------

def _token_table() -> np.ndarray:
    """Each vocabulary word four ways: plain, capitalised, with a full stop, capitalised with a full stop."""
    plain = np.array(VOCABULARY, dtype=object)
    capital = np.array([w.capitalize() for w in VOCABULARY], dtype=object)
    return np.concatenate([plain, capital, plain + ".", capital + "."])


def _interview(name: str, words: int, rng: np.random.Generator, table: np.ndarray,
               weights: np.ndarray) -> Interview:
    """Alternating interviewer questions (10-30 words) and participant answers (60-260 words)."""
    lengths = []
    total = 0
    while total < words:
        question, answer = int(rng.integers(10, 31)), int(rng.integers(60, 261))
        lengths += [question, answer]
        total += question + answer
    n = len(VOCABULARY)
    ids = rng.choice(n, size=total, p=weights)
    ends = np.cumsum(rng.integers(6, 19, size=total))  # sentence lengths
    sentence_end = np.zeros(total, dtype=bool)
    sentence_end[ends[ends < total]] = True
    bounds = np.cumsum([0, *lengths])
    sentence_end[bounds[1:] - 1] = True  # a turn ends a sentence
    sentence_start = np.roll(sentence_end, 1)
    sentence_start[bounds[:-1]] = True
    tokens = table[ids + n * sentence_start + 2 * n * sentence_end].tolist()
    turns = [Turn("Interviewer" if i % 2 == 0 else name, int(bounds[i]), int(bounds[i + 1]))
             for i in range(len(lengths))]
    return Interview(name, tokens, turns)


def _turn_text(interview: Interview, turn: Turn) -> str:
    return interview.words(turn.first, turn.last)


def _write_txt(interview: Interview, path: Path) -> None:
    paragraphs = (f"{t.speaker}: {_turn_text(interview, t)}" for t in interview.turns)
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def _write_docx(interview: Interview, path: Path) -> None:
    document = Document()
    for turn in interview.turns:
        # One run per paragraph, written directly: python-docx's Run.text setter goes character by character.
        document.add_paragraph()._p.add_r().add_t(f"{turn.speaker}: {_turn_text(interview, turn)}")
    document.save(str(path))


def _stamp(seconds: float) -> str:
    """WebVTT time ``hh:mm:ss.mmm`` (rounded to the millisecond first, so 59.9996 s never prints as 60)."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis // 1000:02d}.{millis % 1000:03d}"


def _write_vtt(interview: Interview, path: Path, cue_words: int = 14) -> None:
    """One cue per ``cue_words`` words, ``<v Speaker>`` voice tags; a speaker's consecutive cues form one turn."""
    lines, clock = ["WEBVTT", ""], 1.0
    for turn in interview.turns:
        for first in range(turn.first, turn.last, cue_words):
            last = min(first + cue_words, turn.last)
            end = clock + 0.4 * (last - first)
            lines += [f"{_stamp(clock)} --> {_stamp(end)}", f"<v {turn.speaker}>{interview.words(first, last)}", ""]
            clock = end + 0.3
    path.write_text("\n".join(lines), encoding="utf-8")


WRITERS = {"txt": _write_txt, "docx": _write_docx, "vtt": _write_vtt}


# -- codes ------------------------------------------------------------------------------------------

def _concepts(count: int, rng: np.random.Generator) -> list[Concept]:
    """``count`` distinct "modifier head" names; the head noun is the theme and decides the category."""
    heads = list(CONCEPT_HEADS)
    pairs = [(m, h) for h in heads for m in CONCEPT_MODIFIERS]
    if count > len(pairs):
        raise SystemExit(f"at most {len(pairs)} concepts")
    picked = rng.choice(len(pairs), size=count, replace=False)
    return [Concept(f"{pairs[i][0]} {pairs[i][1]}", pairs[i][1], CONCEPT_HEADS[pairs[i][1]]) for i in sorted(picked)]


def _variants(name: str) -> list[str]:
    """Other ways of writing a concept's name: synonyms, spelling, abbreviations, hyphen, order, case, plural."""
    words = name.split()
    swap = lambda table: " ".join(table.get(w, w) for w in words)  # noqa: E731
    out = [
        swap(SYNONYMS), swap(SPELLINGS), swap(ABBREVIATIONS), "-".join(words),
        f"{words[-1]} ({' '.join(words[:-1])})", name.capitalize(), name.title(), f"{name}s",
        "".join(w[0] for w in words).upper() + f" {words[-1]}",
    ]
    return [v for v in dict.fromkeys(out) if v.casefold() != name.casefold()]


def _coder_labels(concepts: list[Concept], coders: int, rng: np.random.Generator) -> list[list[list[str]]]:
    """labels[coder][concept]: the coder's one or two labels for the concept (first = usual one).

    A label never names two concepts for the same coder, so the codebook stays a function.
    """
    base = {c.name.casefold(): k for k, c in enumerate(concepts)}
    second = RAW_CODES_PER_CONCEPT / coders - 1  # probability that a coder has a second label for a concept
    labels: list[list[list[str]]] = []
    for _ in range(coders):
        taken = dict(base)
        mine = []
        for k, concept in enumerate(concepts):
            options = _variants(concept.name)
            rng.shuffle(options)
            wanted = 1 + int(rng.random() < second)
            chosen = [] if rng.random() < 0.5 / coders else [concept.name]  # most coders use the plain name
            for option in options:
                if len(chosen) >= wanted:
                    break
                if taken.get(option.casefold(), k) == k:
                    taken[option.casefold()] = k
                    chosen.append(option)
            mine.append(chosen or [concept.name])
        labels.append(mine)
    return labels


# -- the study --------------------------------------------------------------------------------------

def _passages(interview: Interview, count: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """``count`` (first, last) word ranges inside participant turns, each 8-40 words."""
    answers = [t for t in interview.turns if t.speaker != "Interviewer"]
    sizes = np.array([t.last - t.first for t in answers], dtype=float)
    chosen = rng.choice(len(answers), size=count, p=sizes / sizes.sum())
    out = []
    for i in chosen:
        turn = answers[i]
        length = int(min(rng.integers(*QUOTE_WORDS), turn.last - turn.first))
        first = int(rng.integers(turn.first, turn.last - length + 1))
        out.append((first, first + length))
    return out


def _jitter(span: tuple[int, int], turn: Turn, moves: tuple[int, int]) -> tuple[int, int]:
    """A coder's own span for a passage: both ends moved by ``moves`` words, kept in the turn, >= 3 words."""
    first = max(turn.first, min(span[0] + moves[0], span[1] - 3))
    last = min(turn.last, max(span[1] + moves[1], first + 3))
    return first, last


def make_study(size: StudySize, out: Path) -> StudySummary:
    """Write the study into ``out`` (created if needed) and return what was written."""
    began = time.perf_counter()
    rng = np.random.default_rng(size.seed)
    out.mkdir(parents=True, exist_ok=True)
    table = _token_table()
    weights = 1.0 / np.arange(1, len(VOCABULARY) + 1) ** 0.9
    weights = weights / weights.sum()
    concepts = _concepts(size.concepts, rng)
    popularity = 1.0 / np.arange(1, len(concepts) + 1) ** 0.7
    popularity = rng.permutation(popularity / popularity.sum())
    labels = _coder_labels(concepts, size.coders, rng)
    coders = [f"coder{c + 1}" for c in range(size.coders)]
    per_interview = size.target_codings / max(size.interviews, 1) / (size.coders * CODE_PROBABILITY)
    formats = rng.choice(list(FORMATS), size=size.interviews, p=list(FORMATS.values()))
    rows: list[list[list[str]]] = [[] for _ in coders]
    used: set[tuple[int, int, str]] = set()  # (coder, concept, label)
    written = {f: 0 for f in FORMATS}
    for i in range(size.interviews):
        name = f"P{i + 1:03d}"
        interview = _interview(name, size.words, rng, table, weights)
        WRITERS[str(formats[i])](interview, out / f"{name}.{formats[i]}")
        written[str(formats[i])] += 1
        firsts = np.array([t.first for t in interview.turns])
        spans = _passages(interview, int(rng.poisson(per_interview)), rng)
        topics = rng.choice(len(concepts), size=len(spans), p=popularity)
        coded = rng.random((len(spans), size.coders)) < CODE_PROBABILITY
        swapped = rng.random((len(spans), size.coders)) < SWAP_PROBABILITY
        neighbour = rng.integers(1, 4, size=(len(spans), size.coders))
        usual = rng.random((len(spans), size.coders)) < 0.7
        moves = rng.integers(-JITTER_WORDS, JITTER_WORDS + 1, size=(len(spans), size.coders, 2)).tolist()
        for p, span in enumerate(spans):
            turn = interview.turns[int(np.searchsorted(firsts, span[0], side="right")) - 1]
            for c in np.flatnonzero(coded[p]):
                k = int((topics[p] + neighbour[p, c] * swapped[p, c]) % len(concepts))
                options = labels[c][k]
                label = options[0] if len(options) == 1 or usual[p, c] else options[1]
                first, last = _jitter(span, turn, moves[p][c])
                rows[c].append([name, coders[c], label, interview.words(first, last)])
                used.add((int(c), k, label))
    for c, coder in enumerate(coders):
        _write_rows(out / f"codings_{coder}.csv", ["transcript", "coder", "code", "quote"], rows[c])
    _write_rows(out / "codebook.csv", ["category", "theme", "code", "definition", "coder", "raw_code"],
                [[concepts[k].category, concepts[k].theme.capitalize(), concepts[k].name,
                  f"Passages about {concepts[k].name}.", coders[c], label] for c, k, label in sorted(used)])
    _write_rows(out / "participants.csv", ["transcript", "field", "role", "years_experience", "skill_level", "domain"],
                [[f"P{i + 1:03d}", rng.choice(FIELDS), rng.choice(ROLES), str(rng.integers(1, 25)),
                  rng.choice(SKILLS), rng.choice(DOMAINS)] for i in range(size.interviews)])
    return StudySummary(out, size.interviews, size.interviews * size.words, written, sum(map(len, rows)),
                        len({(c, label.casefold()) for c, _, label in used}), len({k for _, k, _ in used}),
                        time.perf_counter() - began)


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> StudySummary:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = StudySize()
    parser.add_argument("--interviews", type=int, default=defaults.interviews)
    parser.add_argument("--words", type=int, default=defaults.words, help="words per interview")
    parser.add_argument("--coders", type=int, default=defaults.coders)
    parser.add_argument("--concepts", type=int, default=defaults.concepts, help="harmonised codes")
    parser.add_argument("--codings", type=int, default=None, help="about this many codings in all")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.interviews < 1 or args.words < 100 or args.coders < 1:
        parser.error("need at least 1 interview of 100 words and 1 coder")
    summary = make_study(StudySize(args.interviews, args.words, args.coders, args.seed, args.concepts, args.codings),
                         args.out)
    print(f"{summary.out}: {summary.interviews} interviews ({summary.words:,} words; "
          f"{', '.join(f'{n} {f}' for f, n in summary.formats.items())}), {summary.codings:,} codings, "
          f"{summary.raw_codes:,} raw codes -> {summary.harmonised_codes} harmonised codes "
          f"in {summary.seconds:.1f} s")
    return summary


if __name__ == "__main__":
    main()
