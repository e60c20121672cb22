"""``campaigns report``: one self-contained HTML page of every campaign's history.

Charts are inline SVG drawn here at build time; the page loads nothing from
anywhere (a Content-Security-Policy forbids it) and runs no script. Every text
that came from a page is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from extractors.kinds import YOY_KINDS, label
from warehouse.queries import describe_organizer
from warehouse.report_data import CampaignReport, CrawlHealth

__all__ = ["CSP", "bar_chart", "render_report"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #c0392b;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.6rem 0;width:100%}th,td{border:1px solid #ddd;padding:.25rem .45rem}
th{background:#f6f6f6;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{border:1px solid #eee;padding:.3rem}
.conflict{color:#b03a2e;font-weight:600}.muted{color:#777}q{font-style:italic}
details{margin:.5rem 0}summary{cursor:pointer;font-weight:600}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _num(value: Any, approx: str | None = None) -> str:
    if value is None:
        return ""
    v = float(value)
    text = f"{int(v):,}".replace(",", ".") if v.is_integer() else f"{v:,.1f}"
    marks = {"more_than": "> ", "nearly": "≈ ", "about": "~ ", "at_least": "≥ "}
    return marks.get(approx or "", "") + text


def bar_chart(title: str, years: Sequence[int], target: Sequence[Any], achieved: Sequence[Any]) -> str:
    """Grouped bars per year: target (outlined) beside achieved (filled), as inline SVG."""
    width, height, pad, top = 360, 210, 34, 44
    values = [float(v) for v in (*target, *achieved) if v is not None]
    peak = max(values) if values else 1.0
    slot = (width - 2 * pad) / max(len(years), 1)
    bar = max(min(slot / 3, 28), 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{_e(title)}"><title>{_e(title)}</title>',
        f'<text x="{pad}" y="16" font-size="13" font-weight="600">{_e(title)}</text>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#999"/>',
    ]
    for i, year in enumerate(years):
        x0 = pad + i * slot + (slot - 2 * bar) / 2
        for j, (val, style) in enumerate(
            ((target[i], 'fill="#fff" stroke="#c0392b" stroke-width="1.5"'), (achieved[i], 'fill="#c0392b"'))
        ):
            if val is None:
                continue
            h = (height - pad - top) * float(val) / peak
            x, y = x0 + j * bar, height - pad - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" {style}/>')
            parts.append(
                f'<text x="{x + bar / 2 - 1:.1f}" y="{y - 3:.1f}" font-size="9" text-anchor="middle">'
                f"{_e(_num(val))}</text>"
            )
        parts.append(
            f'<text x="{pad + i * slot + slot / 2:.1f}" y="{height - pad + 14}" font-size="11" '
            f'text-anchor="middle">{year}</text>'
        )
    parts.append(
        f'<rect x="{width - 150}" y="6" width="10" height="10" fill="#fff" stroke="#c0392b"/>'
        f'<text x="{width - 136}" y="15" font-size="10">target</text>'
        f'<rect x="{width - 90}" y="6" width="10" height="10" fill="#c0392b"/>'
        f'<text x="{width - 76}" y="15" font-size="10">achieved</text></svg>'
    )
    return "".join(parts)


def _charts(camp: CampaignReport) -> str:
    years = sorted({int(r["year"]) for r in camp.summary})
    charts = []
    for kind in YOY_KINDS:
        rows = {int(r["year"]): r for r in camp.summary if r["kind"] == kind}
        if not rows:
            continue
        target = [rows.get(y, {}).get("target_value") for y in years]
        achieved = [rows.get(y, {}).get("achieved_value") for y in years]
        charts.append(f'<div class="chart">{bar_chart(label(kind), years, target, achieved)}</div>')
    return (
        f'<div class="charts">{"".join(charts)}</div>' if charts else '<p class="muted">No figures yet.</p>'
    )


def _yoy_table(camp: CampaignReport) -> str:
    if not camp.yoy:
        return ""
    kinds = [k for k in YOY_KINDS if f"{k}_target" in camp.yoy[0]]
    head = "".join(f"<th>{_e(label(k))} target</th><th>{_e(label(k))} achieved</th>" for k in kinds)
    body = []
    for row in camp.yoy:
        inferred = row.get("inferred_articles") or 0
        articles = f"{row.get('articles')} ({inferred} inferred)" if inferred else row.get("articles")
        written = [w for w in row.get("organizers_as_written") or () if w != camp.organizer]
        year = f"{row['year']} (as {', '.join(written)})" if written else row["year"]
        conflicts = set(row.get("conflicts") or ())
        cells = []
        for k in kinds:
            for role in ("target", "achieved"):
                flag = f"{k}/{role}" in conflicts
                mark = ' class="n conflict" title="sources disagree"' if flag else ' class="n"'
                cells.append(f"<td{mark}>{_e(_num(row.get(f'{k}_{role}')))}{' ⚠' if flag else ''}</td>")
        body.append(f"<tr><td>{_e(year)}</td><td class='n'>{_e(articles)}</td>{''.join(cells)}</tr>")
    return (
        f"<table><thead><tr><th>Year</th><th>Articles</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _figures_table(figures: Iterable[dict[str, Any]]) -> str:
    rows = []
    for f in figures:
        value = _num(f["value"], f["approx"])
        if f.get("value_max") is not None:
            value += f"–{_num(f['value_max'])}"
        inferred = ' <span class="muted">(organiser inferred)</span>' if f.get("organizer_inferred") else ""
        rows.append(
            f"<tr><td>{_e(f['year'])}</td><td>{_e(f['kind'])}</td><td>{_e(f['role'])}</td>"
            f"<td class='n'>{_e(value)}</td><td><q>{_e(f['quote'])}</q></td>"
            f'<td><a href="{_e(f["source_url"])}" rel="noreferrer">{_e(f["title"] or f["source_url"])}</a>'
            f"{inferred}</td>"
            f"<td>{_e((f['published'] or '')[:10])}</td><td>{_e((f['captured_at'] or '')[:19])}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Year</th><th>Kind</th><th>Role</th><th>Value</th><th>Quote</th>"
        "<th>Article</th><th>Published</th><th>Captured</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _health(health: CrawlHealth) -> str:
    pages = "".join(
        f"<tr><td>{_e(r['night'])}</td><td>{_e(r['source'])}</td><td class='n'>{r['fetched']}</td>"
        f"<td class='n'>{r['unchanged']}</td><td class='n'>{r['failed']}</td><td class='n'>{r['deferred']}</td></tr>"
        for r in health.pages
    )
    fails = "".join(
        f"<tr><td>{_e(r['source'])}</td><td>{_e(r['reason'])}</td><td class='n'>{r['count']}</td></tr>"
        for r in health.failures
    )
    return (
        "<h2>Crawl health</h2><table><thead><tr><th>Night</th><th>Site</th><th>Fetched</th><th>Unchanged</th>"
        f"<th>Failed</th><th>Deferred</th></tr></thead><tbody>{pages}</tbody></table>"
        "<h3>Failures by reason</h3><table><thead><tr><th>Site</th><th>Reason</th><th>Count</th></tr></thead>"
        f"<tbody>{fails or '<tr><td colspan=3 class=muted>none</td></tr>'}</tbody></table>"
    )


def _inferred_note(camp: CampaignReport) -> str:
    n = camp.inferred_articles
    if not n:
        return ""
    return (
        f'<p class="muted">Organiser inferred for {n} {"article" if n == 1 else "articles"} naming none: '
        "their site names only this one for the campaign.</p>"
    )


def render_report(
    campaigns: Sequence[CampaignReport], health: CrawlHealth, *, generated: str | None = None
) -> str:
    """The whole page as one string."""
    when = generated or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    blocks = []
    ids: dict[str, int] = {}
    for camp in campaigns:
        ids[camp.key] = ids.get(camp.key, 0) + 1
        anchor = camp.key if ids[camp.key] == 1 else f"{camp.key}-{ids[camp.key]}"
        title = camp.name or camp.key
        span = f"{camp.years[0]}–{camp.years[-1]}" if camp.years else "no year"
        blocks.append(
            f'<section id="{_e(anchor)}"><h2>{_e(title)} — {_e(describe_organizer(camp.organizer, camp.organizers_as_written, camp.organizer_candidates))}</h2>'
            f'<p class="muted">key <code>{_e(camp.key)}</code> · {_e(span)} · {len(camp.figures)} figures</p>'
            f"{_inferred_note(camp)}{_charts(camp)}{_yoy_table(camp)}"
            f"<details><summary>Every number, with its words and source</summary>{_figures_table(camp.figures)}"
            "</details></section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Campaign archive report</title><style>{_STYLE}</style></head><body>"
        f'<h1>Campaign archive report</h1><p class="muted">Generated {_e(when)} · {len(campaigns)} campaigns</p>'
        f"{''.join(blocks) or '<p>No campaigns in the warehouse yet.</p>'}{_health(health)}</body></html>\n"
    )
