"""Where a transcript's characters go on screen, and how a cursor moves through them.

Pure Python (no Textual): the transcript view keeps one ``TextLayout`` per width and asks it
to map character offsets (which index the stored text) to screen lines and back.
Every character is taken to be one cell wide.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from codebench.domain.model import Turn

WORD = re.compile(r"\S+")
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Line:
    """One screen line: ``kind`` is "speaker" (the turn's label), "text" or "blank"."""

    kind: str
    start: int
    end: int
    turn: int
    label: str = ""


def document_turns(text: str, turns: tuple[Turn, ...] | list[Turn]) -> list[Turn]:
    """The turns to show; a text without turns is one turn without a speaker."""
    return list(turns) or [Turn(0, "", 0, 0, len(text))]


def trimmed(text: str, start: int, end: int) -> Span:
    """The span without leading and trailing whitespace (may become empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def wrap(text: str, start: int, end: int, width: int) -> list[Span]:
    """Greedy word wrap of ``text[start:end]`` (no newlines inside) into spans of at most ``width``."""
    width = max(width, 1)
    spans: list[Span] = []
    pos = start
    while end - pos > width:
        cut = text.rfind(" ", pos, pos + width + 1)
        if cut <= pos:
            spans.append((pos, pos + width))
            pos += width
        else:
            spans.append((pos, cut))
            pos = cut + 1
    spans.append((pos, end))
    return spans


def sentences(text: str, turns: list[Turn]) -> list[Span]:
    """Sentence spans of every turn's speech, in text order (paragraphs end sentences too)."""
    out: list[Span] = []
    for turn in turns:
        pos = turn.speech_start
        for para in text[turn.speech_start:turn.end].split("\n"):
            para_end = pos + len(para)
            begin = pos
            for match in SENTENCE_END.finditer(text, pos, para_end):
                out.append(trimmed(text, begin, match.end()))
                begin = match.end()
            out.append(trimmed(text, begin, para_end))
            pos = para_end + 1
    return [s for s in out if s[0] < s[1]]


class TextLayout:
    """Screen lines of a transcript at one width, with the cursor motions the view needs."""

    def __init__(self, text: str, turns: list[Turn], width: int) -> None:
        self.text = text
        self.turns = turns
        self.width = max(width, 10)
        self.lines: list[Line] = []
        self.text_rows: list[int] = []  # screen row of each text line
        for i, turn in enumerate(turns):
            if i:
                self.lines.append(Line("blank", turn.start, turn.start, i))
            if turn.speaker:
                self.lines.append(Line("speaker", turn.speech_start, turn.speech_start, i, turn.speaker))
            pos = turn.speech_start
            for para in text[turn.speech_start:turn.end].split("\n"):
                for a, b in wrap(text, pos, pos + len(para), self.width):
                    self.text_rows.append(len(self.lines))
                    self.lines.append(Line("text", a, b, i))
                pos += len(para) + 1
        self.text_starts = [self.lines[row].start for row in self.text_rows]

    @property
    def height(self) -> int:
        return len(self.lines)

    def row_of(self, pos: int) -> int:
        """Screen row of the text line holding offset ``pos``."""
        i = max(bisect_right(self.text_starts, pos) - 1, 0)
        return self.text_rows[i] if self.text_rows else 0

    def point_of(self, pos: int) -> tuple[int, int]:
        """(row, column) of offset ``pos``."""
        row = self.row_of(pos)
        line = self.lines[row] if self.lines else Line("text", 0, 0, 0)
        return row, min(max(pos - line.start, 0), line.end - line.start)

    def offset_at(self, row: int, col: int) -> int:
        """Offset under screen cell (row, column); label and blank lines map to the nearest text."""
        if not self.lines:
            return 0
        row = min(max(row, 0), len(self.lines) - 1)
        line = self.lines[row]
        if line.kind == "text":
            return line.start + min(max(col, 0), line.end - line.start)
        i = bisect_left(self.text_rows, row)
        if line.kind == "speaker" and i < len(self.text_rows):
            return self.lines[self.text_rows[i]].start
        return self.lines[self.text_rows[i - 1]].end if i else 0

    def vertical(self, pos: int, rows: int) -> int:
        """Offset ``rows`` text lines above (negative) or below ``pos``, keeping the column."""
        row, col = self.point_of(pos)
        i = bisect_left(self.text_rows, row) + rows
        i = min(max(i, 0), len(self.text_rows) - 1)
        return self.offset_at(self.text_rows[i], col) if self.text_rows else pos


def word_right(text: str, pos: int) -> int:
    """End of the word at or after ``pos``."""
    match = WORD.search(text, pos)
    return match.end() if match else len(text)


def word_left(text: str, pos: int) -> int:
    """Start of the word before ``pos``."""
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    while pos > 0 and not text[pos - 1].isspace():
        pos -= 1
    return pos


def unit_edge(units: list[Span], pos: int, *, forward: bool, to_end: bool) -> int:
    """The next (or previous) start or end of a unit (sentence, turn) beyond ``pos``."""
    edges = [u[1] if to_end else u[0] for u in units]
    if forward:
        i = bisect_right(edges, pos)
        return edges[i] if i < len(edges) else pos
    i = bisect_left(edges, pos) - 1
    return edges[i] if i >= 0 else pos


def unit_at(units: list[Span], pos: int) -> Span | None:
    """The unit holding ``pos`` (or the one just before it)."""
    i = bisect_right([u[0] for u in units], pos) - 1
    return units[i] if i >= 0 else (units[0] if units else None)
