"""Great Expectations Data Docs made to open with no network (run by publish on its copy).

GX's pages fetch Bootstrap, jQuery, Vega and their logo from public CDNs, and build their index
with those scripts, so opened offline the index is blank and the pages unstyled. This rewrites the
published copy: every reference to the internet is removed, with the scripts (interactivity only:
the results are in the HTML), each page links a stylesheet of our own shipped beside it
(static/styles/offline.css), the logo is the copy GX ships in static/, each validation page names
the table it checked (GX prints "Data asset: None" and "PandasDataFrame" for the frame the gate reads
from the warehouse), and the index is written here as a plain list of the validations and suites.
GX calls a validation "Failed" when any expectation failed; one whose failures are all warnings
(the gate's severity, which GX does not know) is shown "Passed with warnings", on its page and in
the index, since the gate passed it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*>\s*", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.IGNORECASE | re.DOTALL)
EXTERNAL_IMAGE = re.compile(r"(<img\b[^>]*\bsrc=\")https?://[^\"]*logo[^\"]*(\")", re.IGNORECASE)
EXTERNAL_HREF = re.compile(r"\bhref=\"https?://[^\"]*\"", re.IGNORECASE)
STATUS = re.compile(r"Status:\s*(?:<[^>]*>\s*)*(Succeeded|Failed)", re.IGNORECASE)
WARNED = "Passed with warnings"
# validations/<suite>/<run name>/<run time>/<datasource>-<schema>.<table>.html
VALIDATION_PAGE = re.compile(r"^[^-]+-(?P<table>.+)\.html$")

STYLESHEET = """/* Data Docs offline: our own styles for the classes GX's pages use (no Bootstrap needed). */
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1d2733; margin: 0; font-size: 14px; line-height: 1.45; }
a { color: #1f4e79; } .container, .container-fluid { padding: 16px 28px; }
.navbar { display: flex; align-items: center; gap: 16px; padding: 8px 28px; border-bottom: 1px solid #c9d1d9; background: #f6f8fa; }
.navbar-brand img { height: 28px; } .breadcrumb { display: inline-flex; list-style: none; gap: 8px; margin: 0; padding: 0; }
.row { display: flex; flex-wrap: wrap; } .col-12, .col-md-10, .col-lg-10, .col-xs-12 { flex: 1 1 100%; }
.col-lg-2, .col-md-2 { flex: 0 0 220px; } .col-md-10.col-lg-10 { flex: 1 1 0; min-width: 0; } .col-6 { flex: 0 0 50%; }
.nav { list-style: none; padding: 0; margin: 0; } .nav-link { display: block; padding: 3px 6px; }
.sticky { position: sticky; top: 12px; } .d-none { display: none; }
.card, .ge-section { border: 1px solid #c9d1d9; border-radius: 4px; margin: 0 0 16px; padding: 8px 12px; background: #fff; }
.card-header { font-weight: 600; border-bottom: 1px solid #c9d1d9; margin-bottom: 6px; padding-bottom: 4px; }
.alert { background: #f6f8fa; border: 1px solid #c9d1d9; border-radius: 4px; padding: 6px 10px; margin: 6px 0; }
table, .table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid #c9d1d9; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #1f4e79; color: #fff; font-weight: 600; }
.badge { display: inline-block; padding: 1px 6px; border-radius: 8px; background: #e1e6eb; font-size: 12px; }
.text-success { color: #1e6b2e; } .text-danger { color: #a4161a; } .lead { font-size: 16px; }
.fas.fa-check-circle::before { content: "\\2714"; } .fas.fa-times::before, .fas.fa-times-circle::before { content: "\\2718"; }
.fas { font-style: normal; } .h6 { font-weight: 600; }
.failed { color: #a4161a; font-weight: 600; } .succeeded { color: #1e6b2e; font-weight: 600; }
.passed-with-warnings { color: #7a4a00; font-weight: 600; }
"""


@dataclass(frozen=True)
class Validation:
    page: Path
    suite: str
    table: str
    run_time: str
    status: str


def make_offline(docs: Path, warned_only: frozenset[str] = frozenset()) -> list[Validation]:
    """Rewrite the Data Docs under docs in place to open with no network; returns the validations.
    warned_only: the validations (suite__dataset, as GX names them) whose failed expectations are
    all warnings."""
    (docs / "static" / "styles").mkdir(parents=True, exist_ok=True)
    (docs / "static" / "styles" / "offline.css").write_text(STYLESHEET, encoding="utf-8")
    validations = []
    for page in sorted(docs.rglob("*.html")):
        if page == docs / "index.html":
            continue
        text = page.read_text(encoding="utf-8")
        relative = "../" * (len(page.relative_to(docs).parts) - 1)
        table = _table_of(page)
        if table:
            text = text.replace("Data asset: None", f"Data asset: {html.escape(table)}")
            text = text.replace(">PandasDataFrame<", f">the rows of {html.escape(table)}, read from the DuckDB warehouse<")
        parts = page.relative_to(docs).parts
        found = STATUS.search(text) if parts[0] == "validations" else None
        status = found.group(1).capitalize() if found else "Unknown"
        if found and status == "Failed" and parts[1] in warned_only:
            status = WARNED
            text = text[: found.start(1)] + WARNED + text[found.end(1) :]
        page.write_text(offline_page(text, relative), encoding="utf-8")
        if parts[0] == "validations":
            validations.append(
                Validation(page=Path(*parts), suite=parts[1], table=table or "", run_time=_run_time(parts), status=status)
            )
    suites = sorted(path.relative_to(docs) for path in (docs / "expectations").glob("*.html"))
    (docs / "index.html").write_text(index_page(validations, suites), encoding="utf-8")
    return validations


def offline_page(text: str, relative: str) -> str:
    """A GX page with nothing fetched from the internet and our stylesheet linked."""
    text = EXTERNAL_LINK.sub("", text)
    text = SCRIPT.sub("", text)
    text = EXTERNAL_IMAGE.sub(rf"\g<1>{relative}static/images/logo-long.png\g<2>", text)
    text = EXTERNAL_HREF.sub('href="#"', text)
    link = f'<link rel="stylesheet" href="{relative}static/styles/offline.css">'
    return text.replace("</head>", f"{link}\n</head>", 1) if "</head>" in text else link + text


def index_page(validations: list[Validation], suites: list[Path]) -> str:
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(quote(v.page.as_posix()))}">{html.escape(v.suite)}</a></td><td>{html.escape(v.table)}</td>'
        f'<td>{html.escape(v.run_time)}</td><td class="{v.status.lower().replace(" ", "-")}">{html.escape(v.status)}</td></tr>'
        for v in sorted(validations, key=lambda v: (v.run_time, v.suite), reverse=True)
    )
    suite_items = "\n".join(
        f'<li><a href="{html.escape(quote(path.as_posix()))}">{html.escape(path.stem)}</a></li>' for path in suites
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Data Docs: the quality gate's validations</title>
<link rel="stylesheet" href="static/styles/offline.css"></head>
<body><div class="container">
<h1>Data Docs: the quality gate's validations</h1>
<p class="lead">Each validation of the published build's quality gate, newest first: the suite, the table it checked,
when and whether it passed ("Passed with warnings": every check it failed is a warning, which never stops a
publish). Great Expectations wrote the pages; this index and their styles are the warehouse's own,
so everything opens with no network.</p>
<table class="validations"><thead><tr><th>Suite</th><th>Table checked</th><th>Run (UTC)</th><th>Status</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>Expectation suites</h2>
<ul class="suites">
{suite_items}
</ul>
</div></body></html>
"""


def _table_of(page: Path) -> str | None:
    found = VALIDATION_PAGE.match(page.name)
    return found.group("table") if found else None


def _run_time(parts: tuple[str, ...]) -> str:
    """The run time in a validation page's folder (20261122T231230.484178Z -> 2026-11-22 23:12:30)."""
    found = next((part for part in parts if re.fullmatch(r"\d{8}T\d{6}(\.\d+)?Z", part)), "")
    if not found:
        return ""
    return f"{found[0:4]}-{found[4:6]}-{found[6:8]} {found[9:11]}:{found[11:13]}:{found[13:15]}"
