"""The transcript view: turns with speaker labels, a cursor, a selection and the coder's highlights.

A Line API ``ScrollView``: only the visible lines are rendered, so a keypress on a long transcript
re-renders about one screenful, never the whole document.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from codebench.domain.model import Coding, Turn
from codebench.tui.widgets.text_layout import (
    Span,
    TextLayout,
    document_turns,
    sentences,
    trimmed,
    unit_at,
    unit_edge,
    word_left,
    word_right,
)

GUTTER = 3  # cells left of the text: up to two coding marks and a space
PALETTE = ("#1f5f8b", "#7a3e9d", "#2e7d32", "#a15c00", "#8e2443", "#00697a", "#5d4037", "#4a5d23",
           "#6a1b9a", "#b23c17")
SPEAKER = Style(bold=True, color="#d7af5f")
SELECTED = Style(bgcolor="#4a4a8a", color="white")
CURSOR = Style(reverse=True)
MATCH = Style(bgcolor="#c9a400", color="black")
OVERLAP = Style(underline=True, bold=True)


def code_colour(code_id: int) -> str:
    """A stable colour per code."""
    return PALETTE[code_id % len(PALETTE)]


@dataclass(frozen=True, slots=True)
class Mark:
    """A highlighted coding as the view needs it."""

    coding_id: int
    code_id: int
    start: int
    end: int


def _mark_order(mark: Mark) -> tuple[int, int]:
    """Marks are kept by start, the longer first, so that inner codings paint over outer ones."""
    return mark.start, -mark.end


def _key(*keys: str) -> str:
    return ",".join(keys)


class TranscriptView(ScrollView, can_focus=True):
    """Shows one transcript. Attributes down (``show``, ``set_codings``), messages up (``CursorMoved``)."""

    BINDINGS = [
        Binding("right", "move('word', 1)", "Next word", show=False, id="view.word_next",
                tooltip="Cursor to the end of the next word"),
        Binding("left", "move('word', -1)", "Previous word", show=False, id="view.word_prev"),
        Binding("shift+right", "move('word', 1, True)", "Extend by word", show=False, id="view.extend_word_next"),
        Binding("shift+left", "move('word', -1, True)", "Shrink by word", show=False, id="view.extend_word_prev"),
        Binding("down", "move('line', 1)", "Next line", show=False, id="view.line_next"),
        Binding("up", "move('line', -1)", "Previous line", show=False, id="view.line_prev"),
        Binding("shift+down", "move('line', 1, True)", "Extend by line", show=False, id="view.extend_line_next"),
        Binding("shift+up", "move('line', -1, True)", "Extend by line up", show=False, id="view.extend_line_prev"),
        Binding(")", "move('sentence', 1)", "Next sentence", show=False, id="view.sentence_next"),
        Binding("(", "move('sentence', -1)", "Previous sentence", show=False, id="view.sentence_prev"),
        Binding("}", "move('turn', 1)", "Next turn", show=False, id="view.turn_next"),
        Binding("{", "move('turn', -1)", "Previous turn", show=False, id="view.turn_prev"),
        Binding("pagedown", "move('page', 1)", "Page down", show=False, id="view.page_down"),
        Binding("pageup", "move('page', -1)", "Page up", show=False, id="view.page_up"),
        Binding(_key("home", "g"), "move('end', -1)", "Start of transcript", show=False, id="view.top"),
        Binding(_key("end", "G"), "move('end', 1)", "End of transcript", show=False, id="view.bottom"),
        Binding("v", "toggle_extend", "Select mode", id="view.select_mode",
                tooltip="Start a selection at the cursor; every move then extends it (v again or Esc ends)"),
        Binding("s", "select_unit('sentence')", "Sentence", id="view.select_sentence",
                tooltip="Select the sentence under the cursor"),
        Binding("S", "select_unit('turn')", "Select turn", show=False, id="view.select_turn",
                tooltip="Select the whole turn under the cursor"),
        Binding("o", "swap_ends", "Swap selection ends", show=False, id="view.swap_ends",
                tooltip="Move the other end of the selection"),
    ]

    class CursorMoved(Message):
        """The cursor or the selection changed."""

        def __init__(self, view: TranscriptView, cursor: int, selection: Span | None) -> None:
            super().__init__()
            self.view = view
            self.cursor = cursor
            self.selection = selection

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.text = ""
        self.turns: list[Turn] = []
        self.marks: list[Mark] = []
        self._mark_starts: list[int] = []
        self.matches: list[Span] = []
        self.cursor = 0
        self.anchor: int | None = None
        self.extending = False
        self._sentences: list[Span] = []
        self._turn_spans: list[Span] = []
        self._layout = TextLayout("", [], 80)
        self._dragging = False

    # -- data in --------------------------------------------------------------------------------
    def show(self, text: str, turns: tuple[Turn, ...], codings: list[Coding]) -> None:
        """Show a transcript (cursor at its start) with the coder's codings."""
        self.text = text
        self.turns = document_turns(text, turns)
        self._sentences = sentences(text, self.turns)
        self._turn_spans = [s for s in (trimmed(text, t.speech_start, t.end) for t in self.turns) if s[0] < s[1]]
        self.cursor = self._turn_spans[0][0] if self._turn_spans else 0
        self.anchor, self.extending, self.matches = None, False, []
        self._relayout(force=True)
        self.set_codings(codings)

    def set_codings(self, codings: list[Coding]) -> None:
        self.marks = sorted((Mark(c.id, c.code_id, c.start, c.end) for c in codings), key=_mark_order)
        self._mark_starts = [m.start for m in self.marks]
        self.refresh()

    def add_coding(self, coding: Coding) -> None:
        """Highlight one more coding, repainting only the screen lines it covers."""
        mark = Mark(coding.id, coding.code_id, coding.start, coding.end)
        i = bisect_right(self.marks, _mark_order(mark), key=_mark_order)
        self.marks.insert(i, mark)
        self._mark_starts.insert(i, mark.start)
        first, last = self._layout.row_of(mark.start), self._layout.row_of(max(mark.end - 1, mark.start))
        self.refresh_lines(first, last - first + 1)

    def set_matches(self, matches: list[Span]) -> None:
        self.matches = matches
        self.refresh()

    # -- what the screen asks ---------------------------------------------------------------------
    @property
    def selection(self) -> Span | None:
        """The selected span (trimmed), or None."""
        if self.anchor is None or self.anchor == self.cursor:
            return None
        span = trimmed(self.text, min(self.anchor, self.cursor), max(self.anchor, self.cursor))
        return span if span[0] < span[1] else None

    def marks_at(self, pos: int) -> list[Mark]:
        """Codings covering ``pos``, innermost (latest start) last."""
        return [m for m in self.marks[:self._upto(pos + 1)] if m.end > pos]

    def select_span(self, start: int, end: int, *, extending: bool = False) -> None:
        self.anchor, self.cursor, self.extending = start, end, extending
        self._moved()

    def goto(self, pos: int) -> None:
        self.anchor, self.extending = None, False
        self.cursor = pos
        self._moved()

    def clear_selection(self) -> bool:
        """Drop the selection; False when there was none."""
        had = self.anchor is not None
        self.anchor, self.extending = None, False
        self._moved()
        return had

    # -- actions ------------------------------------------------------------------------------------
    def action_move(self, unit: str, step: int, extend: bool = False) -> None:
        extend = extend or self.extending
        if extend and self.anchor is None:
            self.anchor = self.cursor
        elif not extend:
            self.anchor = None
        forward = step > 0
        pos = self.cursor
        if unit == "word":
            pos = word_right(self.text, pos) if forward else word_left(self.text, pos)
        elif unit == "line":
            pos = self._layout.vertical(pos, step)
        elif unit == "page":
            pos = self._layout.vertical(pos, step * max(self.size.height - 1, 1))
        elif unit == "end":
            pos = len(self.text) if forward else 0
        else:
            units = self._sentences if unit == "sentence" else self._turn_spans
            to_end = extend and (self.cursor > self.anchor or (self.cursor == self.anchor and forward))
            pos = unit_edge(units, pos, forward=forward, to_end=to_end)
        self.cursor = pos
        self._moved()

    def action_toggle_extend(self) -> None:
        self.extending = not self.extending
        self.anchor = self.cursor if self.extending else None
        self._moved()

    def action_select_unit(self, unit: str) -> None:
        span = unit_at(self._sentences if unit == "sentence" else self._turn_spans, self.cursor)
        if span is not None:
            self.select_span(*span)

    def action_swap_ends(self) -> None:
        if self.anchor is not None:
            self.anchor, self.cursor = self.cursor, self.anchor
            self._moved()

    # -- mouse ----------------------------------------------------------------------------------------
    def _offset_of(self, event: events.MouseEvent) -> int:
        x, y = event.x + int(self.scroll_x) - GUTTER, event.y + int(self.scroll_y)
        return self._layout.offset_at(y, x)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.focus()
        self.anchor = self.cursor = self._offset_of(event)
        self.extending = False
        self._dragging = True
        self.capture_mouse()
        self._moved(scroll=False)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging:
            self.cursor = self._offset_of(event)
            self._moved()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()
            self.cursor = self._offset_of(event)
            if self.cursor == self.anchor:
                self.anchor = None
            self._moved()

    # -- layout and rendering ---------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def _relayout(self, force: bool = False) -> None:
        width = max(self.scrollable_content_region.width - GUTTER - 1, 10)
        if force or width != self._layout.width:
            self._layout = TextLayout(self.text, self.turns, width)
            self.virtual_size = Size(width + GUTTER, self._layout.height)
            self._scroll_to_cursor()
            self.refresh()

    def _moved(self, scroll: bool = True) -> None:
        if scroll:
            self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor, self.selection))

    def _scroll_to_cursor(self) -> None:
        row, col = self._layout.point_of(self.cursor)
        self.scroll_to_region(Region(0, max(row - 1, 0), 1, 3), animate=False, immediate=True)

    def _upto(self, end: int) -> int:
        return bisect_left(self._mark_starts, end)

    def render_line(self, y: int) -> Strip:
        row = y + int(self.scroll_y)
        width = self.size.width
        lines = self._layout.lines
        if row >= len(lines):
            return Strip.blank(width, self.rich_style)
        line = lines[row]
        if line.kind == "speaker":
            return Strip([Segment(" " * GUTTER), Segment(f"{line.label}:", SPEAKER)]).adjust_cell_length(width)
        if line.kind == "blank":
            return Strip.blank(width, self.rich_style)
        here = [m for m in self.marks[:self._upto(line.end)] if m.end > line.start]
        return Strip([*self._gutter(here), *self._text_segments(line.start, line.end, here)]).adjust_cell_length(
            width)

    @staticmethod
    def _gutter(here: list[Mark]) -> list[Segment]:
        codes = list(dict.fromkeys(m.code_id for m in here))
        marks = [Segment("▌", Style(color=code_colour(c))) for c in codes[:2]]
        more = "+" if len(codes) > 2 else " "
        return [*marks, Segment(" " * (GUTTER - 1 - len(marks))), Segment(more, Style(dim=True))]

    def _text_segments(self, start: int, end: int, here: list[Mark]) -> list[Segment]:
        selection = None if self.anchor is None else (min(self.anchor, self.cursor), max(self.anchor, self.cursor))
        matches = [s for s in self.matches if s[1] > start and s[0] < end]
        cuts = {start, end}
        for a, b in [*[(m.start, m.end) for m in here], *matches, *([selection] if selection else [])]:
            cuts.update(p for p in (a, b) if start < p < end)
        if start <= self.cursor < end:
            cuts.update({self.cursor, self.cursor + 1})
        ordered = sorted(p for p in cuts if start <= p <= end)
        segments = []
        for a, b in zip(ordered, ordered[1:], strict=False):
            covering = [m for m in here if m.start <= a < m.end]
            style = Style()
            if covering:
                style += Style(bgcolor=code_colour(covering[-1].code_id), color="white")
                if len(covering) > 1:
                    style += OVERLAP
            if any(s[0] <= a < s[1] for s in matches):
                style += MATCH
            if selection and selection[0] <= a < selection[1]:
                style += SELECTED
            if a == self.cursor and self.has_focus:
                style += CURSOR
            segments.append(Segment(self.text[a:b], style))
        if self.cursor == end and self.has_focus and (end == start or self.text[end:end + 1] in ("", "\n", " ")):
            segments.append(Segment(" ", CURSOR))
        return segments

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
