"""Codings import with worker processes: the same codings, counts and errors as in one process,
and the bulk transaction leaves SQLite's foreign keys on."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from codebench.domain.errors import RowError
from codebench.domain.quotes import check_span, locate_quote
from codebench.services import codings as service
from codebench.services.project import init_project, open_project
from codebench.services.transcripts import import_transcripts
from codebench.store.store import Store

SAMPLES = Path(__file__).parent.parent / "sample_transcripts"
COLUMNS = ["transcript", "coder", "code", "quote", "start", "end", "memo"]

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked on Linux only")


def project(url: str) -> Store:
    store, _ = init_project(url)
    import_transcripts(store, sorted(p for p in SAMPLES.iterdir() if p.name.startswith("P")))
    return store


def write_codings(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def mixed_rows(texts: dict[str, str], n: int, seed: int) -> list[dict[str, object]]:
    """Rows of every kind: exact, re-spaced and misspelt quotes, right and wrong offsets, quotes that
    are nowhere, unknown transcripts, repeats, memos, and a coder none of whose rows can be placed."""
    rng = random.Random(seed)
    names = sorted(texts)
    rows: list[dict[str, object]] = []
    while len(rows) < n:
        name = rng.choice(names)
        text = texts[name]
        start = rng.randrange(0, len(text) - 200)
        start += len(text[start:]) - len(text[start:].lstrip())
        end = start + rng.randrange(30, 150)
        quote = text[start:end].strip()
        end = start + len(quote)
        row: dict[str, object] = {"transcript": name, "coder": f"coder{rng.randrange(3)}",
                                  "code": rng.choice(["Cost", "cost ", "Tools", "trust", "Time pressure"]),
                                  "quote": quote, "memo": rng.choice(["", "", "", "a memo"])}
        kind = rng.randrange(10)
        if kind == 0:
            row["quote"] = "  ".join(quote.split())
        elif kind == 1 and len(quote) > 40:
            row["quote"] = quote[:20] + quote[21:]  # one character lost: a fuzzy match
        elif kind in (2, 3):
            row["start"], row["end"] = start, end
        elif kind == 4:
            row["start"], row["end"] = start + 3, end + 3  # the quote is not there
        elif kind == 5:
            row["quote"] = "words that no participant ever said, in this order"
        elif kind == 6 and rows:
            row = dict(rng.choice(rows))  # a repeat
        elif kind == 7:
            row["transcript"] = "P99"
        rows.append(row)
    rows.append({"transcript": names[0], "coder": "nobody", "code": "lost", "quote": "not in any transcript",
                 "memo": ""})
    rows.append({"transcript": names[0], "coder": "coder0", "code": "never placed", "quote": "nor this one",
                 "memo": ""})
    return rows


def stored(store: Store) -> list[tuple[object, ...]]:
    return sorted((c.transcript, c.coder, c.code, c.start, c.end, c.quote, c.memo) for c in service.codings(store))


def codes(store: Store) -> list[tuple[str, str, int]]:
    return sorted((c.coder, c.label, c.uses) for c in store.read(lambda tx: tx.codes()))


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_store_what_one_process_stores(db_url: str, tmp_path: Path, workers: int) -> None:
    serial = project(f"sqlite:///{tmp_path / 'serial.db'}")
    rows = mixed_rows(serial.read(lambda tx: tx.all_texts()), 600, seed=workers)
    path = write_codings(tmp_path / "codings.csv", rows)
    parallel = project(db_url)

    expected = service.import_codings(serial, path, add_coders=True, skip_bad=True, workers=0)
    got = service.import_codings(parallel, path, add_coders=True, skip_bad=True, workers=workers)

    assert got == expected
    assert expected.duplicates and expected.skipped and set(expected.located) == {
        "exact", "whitespace", "fuzzy", "offsets"}
    assert stored(parallel) == stored(serial)
    assert codes(parallel) == codes(serial)
    # the rows of "nobody" and of "never placed" were all skipped: neither the coder nor the code is kept
    assert "nobody" not in got.coders_added and "nobody" not in [c.name for c in parallel.read(lambda tx: tx.coders())]
    assert "never placed" not in [label for _, label, _ in codes(parallel)]
    assert all(n > 0 for *_, n in codes(parallel))
    again = service.import_codings(parallel, path, add_coders=True, skip_bad=True, workers=workers)
    assert (again.stored, again.duplicates) == (0, expected.stored + expected.duplicates)
    serial.close()
    parallel.close()


@pytest.mark.parametrize("workers", [0, 1])
def test_bad_rows_abort_the_import_with_every_reason(db_url: str, tmp_path: Path, workers: int) -> None:
    store = project(db_url)
    rows = mixed_rows(store.read(lambda tx: tx.all_texts()), 200, seed=7)
    path = write_codings(tmp_path / "codings.csv", rows)
    expected = service.import_codings(project(f"sqlite:///{tmp_path / 'ref.db'}"), path, add_coders=True,
                                      skip_bad=True, workers=0)

    with pytest.raises(RowError) as error:
        service.import_codings(store, path, add_coders=True, workers=workers)

    assert error.value.rows == expected.skipped
    assert stored(store) == [] and codes(store) == []
    assert store.read(lambda tx: tx.coders()) == []
    store.close()


def _foreign_keys_on(store: Store) -> bool:
    """Foreign keys on and the page cache back to its default, on the pooled connection."""
    with store.engine.connect() as conn:
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        return conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1 and cache == -2000


def test_a_bulk_import_leaves_the_foreign_keys_on_and_the_cache_as_they_were(sqlite_url: str, tmp_path: Path) -> None:
    store = project(sqlite_url)
    rows = mixed_rows(store.read(lambda tx: tx.all_texts()), 100, seed=3)
    path = write_codings(tmp_path / "codings.csv", rows)
    with pytest.raises(RowError):
        service.import_codings(store, path, add_coders=True)
    assert _foreign_keys_on(store)
    assert service.import_codings(store, path, add_coders=True, skip_bad=True).stored
    assert _foreign_keys_on(store)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    coding = service.codings(store)[0]
    with pytest.raises(IntegrityError):  # a coding of a code that does not exist is refused again
        store.write(lambda tx: tx.insert_codings([(1, 10_000, 1, coding.start, coding.end, coding.quote, None)]))
    store.close()


def test_the_cli_imports_a_large_file_with_workers_as_one_process_does(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    serial = project(f"sqlite:///{tmp_path / 'serial.db'}")
    project(url).close()
    rows = mixed_rows(serial.read(lambda tx: tx.all_texts()), service.PARALLEL_MIN_ROWS + 500, seed=11)
    path = write_codings(tmp_path / "codings.csv", rows)
    expected = service.import_codings(serial, path, add_coders=True, skip_bad=True, workers=0)

    done = subprocess.run([sys.executable, "-m", "codebench", "codings", "import", str(path), "--db", url,
                           "--add-coders", "--skip-bad"], capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    assert f"{expected.stored:,}" in done.stdout or str(expected.stored) in done.stdout
    cli = open_project(url)
    assert stored(cli) == stored(serial)
    cli.close()
    serial.close()


def expected_codings(texts: dict[str, str], rows: list[dict[str, object]]) -> set[tuple[object, ...]]:
    """What an import should store, worked out row by row with locate_quote and check_span."""
    known: dict[tuple[str, str], str] = {}  # (coder, label key) -> the label first written
    expected = set()
    for row in rows:
        name, quote = str(row["transcript"]), str(row["quote"])
        if name not in texts:
            continue
        text = texts[name]
        coder, label = str(row["coder"]), " ".join(str(row["code"]).split())
        label = known.setdefault((coder, label.casefold()), label)  # a code is named by its first spelling
        if row.get("start") not in (None, ""):
            start, end = int(row["start"]), int(row["end"])  # type: ignore[call-overload]
            if check_span(text, start, end, quote):
                continue
        elif located := locate_quote(text, quote):
            start, end = located.start, located.end
        else:
            continue
        expected.add((name, coder, label, start, end, text[start:end]))
    return expected


@pytest.mark.parametrize("workers", [0, 1])
def test_every_row_is_stored_where_locate_quote_puts_it(sqlite_url: str, tmp_path: Path, workers: int) -> None:
    store = project(sqlite_url)
    texts = store.read(lambda tx: tx.all_texts())
    rows = mixed_rows(texts, 3_000, seed=5)
    rows += [{**row, "start": "", "end": ""} for row in rows[:200]]  # the same quotes again, located this time
    blank = {"transcript": sorted(texts)[0], "coder": "coder1", "code": "Cost", "memo": ""}
    rows += [{**blank, "quote": quote} for quote in ("", "   ", "\n")]  # never placed, though str.find finds them
    path = write_codings(tmp_path / "codings.csv", rows)

    result = service.import_codings(store, path, add_coders=True, skip_bad=True, workers=workers)

    got = {(c.transcript, c.coder, c.code, c.start, c.end, c.quote) for c in service.codings(store)}
    assert got == expected_codings(texts, rows)
    assert result.stored == len(got)
    assert result.stored + result.duplicates + len(result.skipped) == len(rows)
    store.close()
