"""Harmonisation decisions: merge raw codes into harmonised codes, themes and categories.

Nothing is ever destroyed: raw codes and codings stay as they are, the mapping is many-to-one, and
every decision is appended to the merge log with who, when, the score and a rationale.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from codebench.domain.csvsafe import read_csv_rows
from codebench.domain.errors import InputError, NotFoundError, RowError
from codebench.domain.harmonise import DEFAULT_THRESHOLD, RawCode, RawCoding, suggest_groups
from codebench.services.semantic import require_embedder
from codebench.store.repo_harmonise import Decision, HarmonisedInfo
from codebench.store.store import Store

CODEBOOK_COLUMNS = ("category", "theme", "code", "definition", "coder", "raw_code")


def parse_ref(ref: str) -> tuple[str, str]:
    """``CODER:LABEL`` -> (coder, label)."""
    coder, sep, label = ref.partition(":")
    if not sep or not coder.strip() or not label.strip():
        raise InputError(f"a raw code is written CODER:LABEL, not {ref!r}")
    return coder.strip(), label.strip()


@dataclass(frozen=True)
class Funnel:
    raw_per_coder: dict[str, int]
    raw_total: int
    harmonised: int
    themes: int
    categories: int
    raw_unharmonised: int
    harmonised_without_theme: int


def _merge(tx, refs: list[tuple[str, str]], into: str, definition: str | None, *, by: str | None,  # noqa: ANN001
           note: str | None, score: float | None) -> int | None:
    """Map raw codes to ``into`` and log it; returns the decision id, or None when nothing changed."""
    payload = tx.map_raw_codes(refs, into, definition)
    return None if payload is None else tx.log_decision("merge", payload, by=by, note=note, score=score)


def merge(store: Store, refs: list[str], into: str, *, definition: str | None = None, by: str | None = None,
          note: str | None = None, score: float | None = None) -> int | None:
    if not refs:
        raise InputError("name at least one raw code (CODER:LABEL)")
    parsed = [parse_ref(r) for r in refs]
    return store.write(lambda tx: _merge(tx, parsed, into, definition, by=by, note=note, score=score))


def reject(store: Store, a: str, b: str, *, by: str | None = None, note: str | None = None,
           score: float | None = None) -> bool:
    """Remember that two raw codes must never be merged (they are not proposed again)."""
    (ca, la), (cb, lb) = parse_ref(a), parse_ref(b)

    def apply(tx) -> bool:  # noqa: ANN001
        code_a, code_b = tx.raw_code(ca, la), tx.raw_code(cb, lb)
        if not tx.add_never_merge(code_a.id, code_b.id):
            return False
        tx.log_decision("reject", {"codes": [[ca, code_a.label], [cb, code_b.label]]}, by=by, note=note, score=score)
        return True

    return store.write(apply)


def split(store: Store, refs: list[str], *, by: str | None = None, note: str | None = None) -> int:
    """Unmap raw codes from their harmonised code (the codes and codings stay)."""
    parsed = [parse_ref(r) for r in refs]

    def apply(tx) -> int:  # noqa: ANN001
        payload = tx.unmap_raw_codes(parsed)
        tx.log_decision("split", payload, by=by, note=note)
        return len(payload["codes"])

    return store.write(apply)


def rename(store: Store, old: str, new: str, *, by: str | None = None, note: str | None = None) -> None:
    store.write(lambda tx: tx.log_decision("rename", tx.rename_harmonised(old, new), by=by, note=note))


def add_theme(store: Store, name: str, category: str | None, definition: str | None = None, *,
              by: str | None = None) -> None:
    def apply(tx) -> None:  # noqa: ANN001
        tx.add_theme(name, category, definition)
        tx.log_decision("theme_add", {"theme": name, "category": category}, by=by)

    store.write(apply)


def _assign(tx, codes: list[str], theme: str, *, by: str | None, note: str | None) -> int | None:  # noqa: ANN001
    payload = tx.assign_to_theme(codes, theme)
    return None if payload is None else tx.log_decision("theme_assign", payload, by=by, note=note)


def assign_theme(store: Store, codes: list[str], theme: str, *, by: str | None = None,
                 note: str | None = None) -> int:
    """Put harmonised codes under a theme; returns 1 when something changed, else 0."""
    return store.write(lambda tx: 0 if _assign(tx, codes, theme, by=by, note=note) is None else 1)


def move_theme(store: Store, theme: str, category: str | None, *, by: str | None = None,
               note: str | None = None) -> bool:
    """Put a theme in another category (None: in none). False when it was there already (nothing logged)."""

    def apply(tx) -> bool:  # noqa: ANN001
        payload = tx.set_theme_category(theme, category)
        if payload is not None:
            tx.log_decision("theme_move", payload, by=by, note=note)
        return payload is not None

    return store.write(apply)


def add_category(store: Store, name: str) -> None:
    if not name.strip():
        raise InputError("a category needs a name")
    store.write(lambda tx: tx.ensure_categories([name.strip()]))


def categories(store: Store) -> list[str]:
    return store.read(lambda tx: tx.categories())


def undo(store: Store, *, by: str | None = None) -> Decision | None:
    """Revert the last decision that is not undone yet; the log keeps both entries."""

    def apply(tx) -> Decision | None:  # noqa: ANN001
        last = tx.last_undoable()
        if last is None:
            return None
        tx.revert(last.action, last.payload)
        tx.mark_undone(last.id)
        tx.log_decision("undo", {"undid": last.id, "action": last.action}, by=by)
        return last

    return store.write(apply)


def decisions(store: Store) -> list[Decision]:
    return store.read(lambda tx: tx.decisions())


def harmonised_codes(store: Store) -> list[HarmonisedInfo]:
    return store.read(lambda tx: tx.harmonised_codes())


def themes(store: Store) -> list[tuple[str, str | None, str | None, int]]:
    return store.read(lambda tx: tx.themes())


def funnel(store: Store) -> Funnel:
    def build(tx) -> Funnel:  # noqa: ANN001
        raw = tx.codes()
        per_coder: dict[str, int] = {}
        for code in raw:
            per_coder[code.coder] = per_coder.get(code.coder, 0) + 1
        hcs = [h for h in tx.harmonised_codes() if h.raw_codes]
        return Funnel(
            raw_per_coder=dict(sorted(per_coder.items())), raw_total=len(raw), harmonised=len(hcs),
            themes=len({h.theme for h in hcs if h.theme}), categories=len({h.category for h in hcs if h.category}),
            raw_unharmonised=sum(1 for c in raw if c.harmonised is None),
            harmonised_without_theme=sum(1 for h in hcs if not h.theme),
        )

    return store.read(build)


def import_codebook(store: Store, path: Path, *, by: str | None = None) -> int:
    """Apply a long-format codebook (category,theme,code,definition,coder,raw_code); all-or-nothing.

    Creates categories, themes and harmonised codes as needed, logs each change, and is idempotent:
    a second import of the same file changes and logs nothing. Returns the number of decisions logged.
    """
    rows = read_csv_rows(path)
    if rows:
        missing = [c for c in CODEBOOK_COLUMNS if c not in rows[0]]
        if missing:
            raise InputError(f"missing column(s): {', '.join(missing)}", where=str(path))
    note = f"codebook import {path.name}"

    def apply(tx) -> int:  # noqa: ANN001
        coders = set(tx.coder_ids())
        bad: list[tuple[int, str]] = []
        for n, r in enumerate(rows, start=2):
            coder, raw = r["coder"].strip(), r["raw_code"].strip()
            if coder not in coders:
                bad.append((n, f"unknown coder {coder!r}"))
                continue
            try:
                tx.raw_code(coder, raw)
            except NotFoundError as exc:
                bad.append((n, exc.message))
                continue
            if r["theme"].strip() and not r["code"].strip():
                bad.append((n, "a theme needs a code"))
        if bad:
            raise RowError(str(path), bad)
        logged = 0
        for r in rows:
            category, theme, code = r["category"].strip(), r["theme"].strip(), r["code"].strip()
            if not code:
                continue  # a raw code left unharmonised
            if category:
                tx.ensure_categories([category])
            if theme and tx.find_theme(theme) is None:
                tx.add_theme(theme, category or None, None)
                tx.log_decision("theme_add", {"theme": theme, "category": category or None}, by=by, note=note)
                logged += 1
            definition = r["definition"].strip() or None
            if _merge(tx, [(r["coder"].strip(), r["raw_code"].strip())], code, definition, by=by, note=note,
                      score=None) is not None:
                logged += 1
            if theme and _assign(tx, [code], theme, by=by, note=note) is not None:
                logged += 1
        return logged

    return store.write(apply)


# -- suggestions ------------------------------------------------------------------------------

GLOSSARY_KEY = "glossary"


@dataclass(frozen=True)
class Suggestion:
    codes: tuple[tuple[str, str], ...]  # (coder, label)
    score: float
    label_similarity: float
    overlap: float
    shared_quotes: int
    example: str | None
    semantic: float | None

    def to_dict(self) -> dict:
        return {"codes": [{"coder": c, "label": lab} for c, lab in self.codes], "score": round(self.score, 4),
                "label_similarity": round(self.label_similarity, 4), "overlap": round(self.overlap, 4),
                "shared_quotes": self.shared_quotes, "example_quote": self.example,
                "semantic": None if self.semantic is None else round(self.semantic, 4)}


def glossary(store: Store) -> dict[str, str]:
    return store.read(lambda tx: dict(tx.setting(GLOSSARY_KEY, {})))


def set_glossary(store: Store, entries: dict[str, str | None]) -> dict[str, str]:
    """Add (or with None remove) abbreviation expansions, e.g. {"bo": "bayesian optimization"}."""

    def apply(tx) -> dict[str, str]:  # noqa: ANN001
        current = dict(tx.setting(GLOSSARY_KEY, {}))
        for abbr, expansion in entries.items():
            key = abbr.strip().casefold()
            if expansion is None:
                current.pop(key, None)
            else:
                current[key] = expansion.strip()
        tx.set_setting(GLOSSARY_KEY, current)
        return current

    return store.write(apply)


def _turn_index(starts: list[int], position: int) -> int:
    return max(bisect_right(starts, position) - 1, 0)


def suggest(store: Store, *, threshold: float = DEFAULT_THRESHOLD, semantic: bool = False) -> list[Suggestion]:
    """Groups of raw codes that probably mean the same thing, best first (decisions are remembered).

    ``semantic`` adds the sentence-embedding column; it needs the extra ``codebench[semantic]``.
    """
    embedder = require_embedder() if semantic else None

    def gather(tx):  # noqa: ANN001, ANN202
        turns = {name: [start for start, _, _ in marks] for name, marks in tx.turn_marks().items()}
        texts = tx.all_texts()
        codings = [RawCoding(code_id, name, start, end, _turn_index(turns.get(name, [0]), start))
                   for _, name, start, end, code_id in tx.coding_spans()]  # spans only, no quote text
        codes = [RawCode(c.id, c.coder, c.label) for c in tx.codes()]
        return (codes, codings, texts, tx.never_merge_pairs(), tx.merged_groups(), dict(tx.setting(GLOSSARY_KEY, {})))

    codes, codings, texts, never, merged, gloss = store.read(gather)
    by_id = {c.id: c for c in codes}
    groups = suggest_groups(codes, codings, threshold=threshold, glossary=gloss, never_merge=never,
                            already_merged=merged, semantic=embedder)
    out = []
    for g in groups:
        example = None
        if g.example_quote is not None:
            name, start, end = g.example_quote
            example = f"{name}: {' '.join(texts[name][start:end].split())}"
        out.append(Suggestion(tuple((by_id[i].coder, by_id[i].label) for i in g.code_ids), g.score,
                              g.label_similarity, g.overlap, g.shared_quotes, example, g.semantic))
    return out
