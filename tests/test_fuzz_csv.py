"""Fuzzing the CSV readers: whatever the bytes, only codebench's own errors come out."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from codebench.domain.csvsafe import read_csv_rows
from codebench.domain.errors import CodebenchError
from codebench.services.coders import add_coders
from codebench.services.codings import codings, import_codings
from codebench.services.project import init_project
from codebench.services.transcripts import import_transcripts

TEXT = "Interviewer: How did you pick the learning rate?\n\nMara: A short sweep, then I trusted the curve.\n"
HEADER = ["transcript", "coder", "code", "quote", "start", "end", "memo"]

csv_bytes = st.one_of(
    st.binary(max_size=400),
    st.text(alphabet=st.sampled_from(list(",\"'\n\r\t=+-@ ab\x00\u00e9\ufeff")), max_size=200).map(
        lambda s: s.encode("utf-8")),
)

cell = st.one_of(
    st.sampled_from(["ok", "ana", "ben", "", " ", "sweep", "A short sweep", "-3", "0", "12", "99999", "=1+1",
                     "'=x", "trusted the curve", "curve\nnext"]),
    st.text(max_size=12),
)
rows = st.lists(st.lists(cell, min_size=5, max_size=8), max_size=6)


def write(data: bytes) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)
    handle.write(data)
    handle.close()
    return Path(handle.name)


@settings(max_examples=400, deadline=None)
@given(csv_bytes)
def test_read_csv_rows_raises_only_codebench_errors(data: bytes) -> None:
    path = write(data)
    try:
        rows_read = read_csv_rows(path)
    except CodebenchError:
        return
    finally:
        path.unlink()
    assert all(isinstance(r, dict) for r in rows_read)


@settings(max_examples=150, deadline=None)
@given(rows, st.booleans(), st.booleans())
def test_codings_import_raises_only_codebench_errors(tmp_path_factory, body: list[list[str]], add: bool,
                                                     skip_bad: bool) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "ok.txt").write_text(TEXT, encoding="utf-8")
    store, _ = init_project(f"sqlite:///{folder / 'p.db'}")
    try:
        add_coders(store, ["ana"])
        import_transcripts(store, [folder / "ok.txt"])
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        for row in body:
            writer.writerow((row + [""] * len(HEADER))[: len(HEADER)])
        path = folder / "codings.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            result = import_codings(store, path, add_coders=add, skip_bad=skip_bad)
        except CodebenchError:
            assert codings(store) == []  # all-or-nothing
            return
        stored = codings(store)
        assert len(stored) == result.stored
        for c in stored:
            assert TEXT[c.start:c.end] == c.quote and 0 <= c.start < c.end <= len(TEXT)
    finally:
        store.close()
