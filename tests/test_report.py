"""The study report: its sections, embedded images, escaping, Markdown, and a real browser render."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _exports_study import N_CODINGS, TRICKY_CODE, build_study
from conftest import Cli

from codebench.services.exports import CODEBOOK_COLUMNS, codebook_rows
from codebench.store.store import Store

CHROMIUM = next((Path(p) for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"),
                                   shutil.which("google-chrome")) if p and Path(p).exists()), None)
SECTIONS = ["Overview", "Harmonisation funnel", "Codebook", "Inter-coder agreement", "Saturation",
            "Co-occurrence", "Frequencies"]
HOSTILE = "<script>alert(1)</script> & co"
PIPE = "hand | tuning"


class _Outline(HTMLParser):
    """Collects h2 titles, image sources, table row counts and script tags."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self.images: list[str] = []
        self.rows: list[int] = []
        self.scripts = 0
        self._in_h2 = False
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._in_h2 = True
            self.titles.append("")
        elif tag == "img":
            self.images.append(dict(attrs)["src"] or "")
        elif tag == "tbody":
            self.rows.append(0)
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows[-1] += 1
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.titles[-1] += data


@pytest.fixture
def study(cli: Cli, tmp_path: Path) -> Cli:
    build_study(cli, tmp_path)
    cli("harmonise", "merge", "ben:reproducibility", "--into", HOSTILE)
    cli("harmonise", "merge", "ben:hand tuning", "--into", PIPE)
    return cli


def _png(uri: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix):], validate=True)


def test_html_report_has_every_section_and_embedded_images(study: Cli, tmp_path: Path) -> None:
    result = study("report", tmp_path / "report.html")
    assert "report written" in result.stdout
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    outline = _Outline()
    outline.feed(text)
    assert outline.titles == SECTIONS
    # saturation curve + one heatmap (methods x contextual factors: the only two categories in use)
    assert len(outline.images) == 2
    assert all(_png(src).startswith(b"\x89PNG\r\n\x1a\n") for src in outline.images)
    assert outline.scripts == 0 and HOSTILE not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text
    store = Store.open(study.url)
    assert len(codebook_rows(store)) in outline.rows  # the codebook table, row for row
    assert f"{N_CODINGS} codings" in text and "café" in text
    assert "alpha (MASI)" in text and "Coders ana, ben, chloe; harmonised codes per turn" in text
    assert not re.search(r"(src|href)=\"(https?:|file:|/)", text)  # nothing outside the file


def test_markdown_report_embeds_images_and_escapes_cells(study: Cli, tmp_path: Path) -> None:
    study("report", tmp_path / "report.md")
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == SECTIONS
    images = re.findall(r"!\[[^\]]*\]\((data:image/png;base64,[A-Za-z0-9+/=]+)\)", text)
    assert len(images) == 2 and all(_png(uri).startswith(b"\x89PNG") for uri in images)
    assert "hand \\| tuning" in text and HOSTILE not in text
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| category | theme | code |"))
    table = [line for line in lines[start:lines.index("", start)] if not line.startswith("|---")]
    cells = {len(re.split(r"(?<!\\)\|", line)) - 2 for line in table}
    assert len(table) == len(codebook_rows(Store.open(study.url))) + 1 and cells == {len(CODEBOOK_COLUMNS)}
    assert any(TRICKY_CODE in line for line in table)


def test_report_needs_html_or_md(study: Cli, tmp_path: Path) -> None:
    result = study("report", tmp_path / "report.pdf", ok=False)
    assert result.exit_code == 2 and ".html or .md" in result.stderr


def test_report_of_an_unharmonised_project_still_renders(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    cli("import", Path(__file__).parent / "fixtures" / "study" / "T01.txt")
    cli("report", tmp_path / "early.html")
    text = (tmp_path / "early.html").read_text(encoding="utf-8")
    outline = _Outline()
    outline.feed(text)
    assert "Not computed: agreement needs two or more coders" in text
    assert outline.titles == SECTIONS and len(outline.images) == 1  # saturation only; no co-occurrence yet


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (/usr/bin/chromium or on PATH): see docs/reporting.md "
                                             "for the manual browser check")
def test_html_report_renders_in_headless_chromium(study: Cli, tmp_path: Path) -> None:
    study("report", tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1280,2000", (tmp_path / "report.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000
