"""The study report: funnel, codebook, agreement, saturation, co-occurrence and frequencies in one
self-contained HTML or Markdown file (images embedded), ready for a paper's supplement."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

from codebench.domain.agreement import Coefficient
from codebench.domain.errors import InputError
from codebench.domain.heatmap import heatmap_png
from codebench.domain.plots import accumulation_plot
from codebench.domain.report_doc import FORMATS, Image, ReportDoc, Section, render_html, render_markdown, table
from codebench.services import analysis, exports
from codebench.services import harmonise as harmonise_service
from codebench.services.agreement import agreement_report
from codebench.services.saturation import saturation_analysis
from codebench.store.store import Store

#: Attributes with at most this many values get their own frequency split.
MAX_GROUPS = 8


def _overview(store: Store) -> Section:
    transcripts, coders, codings = store.read(lambda tx: (tx.transcripts(), tx.coders(), tx.codings()))
    return Section("Overview", (f"{len(transcripts)} transcripts, {len(coders)} coders "
                                f"({', '.join(c.name for c in coders) or 'none'}), {len(codings)} codings.",))


def _funnel(store: Store) -> Section:
    f = harmonise_service.funnel(store)
    rows = [{"step": f"raw codes of {coder}", "count": n} for coder, n in f.raw_per_coder.items()]
    rows += [{"step": "raw codes in total", "count": f.raw_total},
             {"step": "harmonised codes", "count": f.harmonised}, {"step": "themes", "count": f.themes},
             {"step": "categories", "count": f.categories},
             {"step": "raw codes not yet harmonised", "count": f.raw_unharmonised},
             {"step": "harmonised codes without a theme", "count": f.harmonised_without_theme}]
    summary = f"{f.raw_total} raw codes -> {f.harmonised} harmonised codes -> {f.themes} themes -> " \
              f"{f.categories} categories."
    return Section("Harmonisation funnel", (summary,), (table(rows, ["step", "count"]),))


def _codebook(store: Store) -> Section:
    rows = exports.codebook_rows(store)
    note = ("One row per harmonised code; counts are distinct coders, distinct transcripts and codings. "
            "Raw codes not yet harmonised are listed with an empty code.")
    return Section("Codebook", (note,), (table(rows, exports.CODEBOOK_COLUMNS),))


def _coefficient(c: Coefficient) -> str:
    return f"{c.value:.3f}" if c.value is not None else f"undefined ({c.reason})"


def _agreement(store: Store) -> Section:
    title = "Inter-coder agreement"
    try:
        result = agreement_report(store)
    except InputError as exc:
        return Section(title, (f"Not computed: {exc.message}.",))
    r = result.report
    overall = (f"Coders {', '.join(r.coders)}; {result.level} codes per {result.unit}. Whole codebook: "
               f"Krippendorff's alpha (MASI) {_coefficient(r.overall.alpha_masi)}, mean per-code alpha "
               f"{_coefficient(r.overall.mean_alpha)}, unitized alpha {_coefficient(r.overall.u_alpha)}.")
    rows = [{"code": c.code, "alpha": _coefficient(c.alpha), "percent_agreement": _coefficient(c.percent_agreement),
             "fleiss_kappa": _coefficient(c.fleiss_kappa), "gwet_ac1": _coefficient(c.gwet_ac1), "units": c.units}
            for c in r.codes]
    columns = ["code", "alpha", "percent_agreement", "fleiss_kappa", "gwet_ac1", "units"]
    per_code = table(rows, columns, caption="Per code, lowest alpha first")
    return Section(title, (overall, *result.warnings()), (per_code,))


def _saturation(store: Store, has_harmonised: bool) -> Section:
    level = "harmonised" if has_harmonised else "raw"
    report = saturation_analysis(store, level=level).report
    rows = [{"interview": r.name, "codes": r.codes, "new": r.new, "cumulative": r.cumulative}
            for r in report.interviews]
    images: tuple[Image, ...] = ()
    if report.interviews:
        with tempfile.TemporaryDirectory() as folder:
            path = accumulation_plot(report, Path(folder) / "saturation.png")
            images = (Image(path.read_bytes(), f"Accumulation of {level} codes per interview"),)
    return Section("Saturation", (f"Codes at {level} level, interviews in import order. {report.verdict()}",),
                   (table(rows, ["interview", "codes", "new", "cumulative"]),), images)


def _cooccurrence(store: Store) -> Section:
    categories, groups = store.read(lambda tx: (tx.categories(), tx.code_groups()))
    used = [c for c in categories if c in set(groups["category"].values())]
    pairs = list(combinations(used, 2)) or [(None, None)]
    tables, images = [], []
    for rows, cols in pairs:
        m = analysis.cooccurrence_analysis(store, unit="transcript", rows=rows, cols=cols).matrix
        if not m.rows or not m.cols:
            continue
        name = f"{rows} x {cols}" if rows else "all harmonised codes"
        data = [{"code": r, **{c: m.counts[i][j] for j, c in enumerate(m.cols)}} for i, r in enumerate(m.rows)]
        tables.append(table(data, ["code", *m.cols], caption=f"{name}: interviews mentioning both"))
        images.append(Image(heatmap_png(m, title=f"{name} per interview ({m.units} interviews)"), name))
    if not tables:
        return Section("Co-occurrence", ("Nothing to show: no harmonised codes yet.",))
    return Section("Co-occurrence", ("Number of interviews in which codes of one category and codes of another "
                                     "were both applied (by any coder).",), tuple(tables), tuple(images))


def _frequencies(store: Store) -> Section:
    result = analysis.frequency_analysis(store, level="harmonised")
    rows, columns = analysis.frequency_rows(result)
    tables = [table(rows, columns, caption="Harmonised codes")]
    attributes = store.read(lambda tx: tx.transcripts())
    values: dict[str, set[str]] = {}
    for t in attributes:
        for key, value in t.attributes.items():
            values.setdefault(key, set()).add(value)
    for key, seen in sorted(values.items()):
        if 2 <= len(seen) <= MAX_GROUPS:
            split = analysis.frequency_analysis(store, level="theme", by=key)
            rows, columns = analysis.frequency_rows(split)
            sizes = ", ".join(f"{g}: {n}" for g, n in split.groups.items())
            tables.append(table(rows, columns, caption=f"Themes by {key} (interviews: {sizes})"))
    return Section("Frequencies", ("Interviews and codings per code; split by participant attributes with at most "
                                   f"{MAX_GROUPS} values.",), tuple(tables))


def build_report(store: Store, title: str = "Study report") -> ReportDoc:
    """Every section of the report, as plain data."""
    has_harmonised = bool(harmonise_service.harmonised_codes(store))
    sections = (_overview(store), _funnel(store), _codebook(store), _agreement(store),
                _saturation(store, has_harmonised), _cooccurrence(store), _frequencies(store))
    when = f"Generated by codebench on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC."
    return ReportDoc(title, sections, when)


def write_report(store: Store, dest: Path, title: str = "Study report") -> list[str]:
    """Write the report as ``.html`` or ``.md`` (by suffix); returns the section titles."""
    suffix = dest.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"the report file must end in .html or .md, not {dest.suffix or '(none)'}", where=str(dest))
    doc = build_report(store, title=title)
    text = render_html(doc) if suffix == ".html" else render_markdown(doc)
    dest.write_text(text, encoding="utf-8")
    return [s.title for s in doc.sections]
