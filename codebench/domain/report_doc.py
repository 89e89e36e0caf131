"""A study report as plain data, rendered to one self-contained HTML or Markdown file.

Images travel as PNG bytes and are embedded as ``data:image/png;base64`` URIs, so the file needs
nothing beside it. Every text is escaped for the target format.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field

FORMATS = (".html", ".md")


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    png: bytes
    alt: str


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the report: paragraphs, then tables, then images."""

    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    images: tuple[Image, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportDoc:
    title: str
    sections: tuple[Section, ...] = field(default_factory=tuple)
    generated: str | None = None


def table(rows: Sequence[dict[str, object]], columns: Sequence[str], caption: str | None = None) -> Table:
    """A Table from dict rows, in ``columns`` order (missing cells empty)."""
    return Table(tuple(columns), tuple(tuple(row.get(c, "") for c in columns) for row in rows), caption)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# -- HTML ---------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1d2430;line-height:1.45}
h1{font-size:1.7rem}h2{font-size:1.3rem;border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.85rem}caption{text-align:left;font-weight:600;
padding:.3rem 0}th,td{border:1px solid #ccd;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#eef1f6}td{white-space:pre-wrap}img{max-width:100%;height:auto;display:block;margin:.8rem 0}
nav ul{columns:2}.meta{color:#667}
""".strip()


def _slug(n: int) -> str:
    return f"s{n}"


def _html_table(t: Table) -> str:
    e = html.escape
    caption = f"<caption>{e(t.caption)}</caption>" if t.caption else ""
    head = "".join(f"<th>{e(c)}</th>" for c in t.columns)
    body = "".join("<tr>" + "".join(f"<td>{e(_cell(v))}</td>" for v in row) + "</tr>" for row in t.rows)
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(doc: ReportDoc) -> str:
    """The report as one HTML5 document with inline CSS and embedded PNG images."""
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{e(doc.title)}</title>",
             f"<style>{_CSS}</style>", "</head>", "<body>", f"<h1>{e(doc.title)}</h1>"]
    if doc.generated:
        parts.append(f'<p class="meta">{e(doc.generated)}</p>')
    parts.append("<nav><ul>" + "".join(f'<li><a href="#{_slug(n)}">{e(s.title)}</a></li>'
                                       for n, s in enumerate(doc.sections, start=1)) + "</ul></nav>")
    for n, section in enumerate(doc.sections, start=1):
        parts.append(f'<section id="{_slug(n)}"><h2>{e(section.title)}</h2>')
        parts += [f"<p>{e(p)}</p>" for p in section.paragraphs]
        parts += [_html_table(t) for t in section.tables]
        parts += [f'<img src="{_data_uri(i.png)}" alt="{e(i.alt)}">' for i in section.images]
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


# -- Markdown -----------------------------------------------------------------------------------------

def _md_cell(value: object) -> str:
    text = html.escape(_cell(value), quote=False)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def _md_text(text: str) -> str:
    """A paragraph that Markdown shows as written (HTML and emphasis characters escaped)."""
    escaped = html.escape(text, quote=False)
    for ch in "\\`*_[]#|":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped


def _md_table(t: Table) -> list[str]:
    lines = [f"**{_md_text(t.caption)}**", ""] if t.caption else []
    lines.append("| " + " | ".join(_md_cell(c) for c in t.columns) + " |")
    lines.append("|" + "---|" * len(t.columns))
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in t.rows]
    return [*lines, ""]


def render_markdown(doc: ReportDoc) -> str:
    """The report as GitHub-flavoured Markdown with images embedded as data URIs."""
    lines = [f"# {_md_text(doc.title)}", ""]
    if doc.generated:
        lines += [_md_text(doc.generated), ""]
    for section in doc.sections:
        lines += [f"## {_md_text(section.title)}", ""]
        for p in section.paragraphs:
            lines += [_md_text(p), ""]
        for t in section.tables:
            lines += _md_table(t)
        for i in section.images:
            lines += [f"![{_md_text(i.alt)}]({_data_uri(i.png)})", ""]
    return "\n".join(lines)
