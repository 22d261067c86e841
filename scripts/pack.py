"""Write the monthly performance pack: one self-contained HTML file (prints to PDF by pillar).

Reads the published warehouse read-only, like any BI tool. One section per pillar: the board
table for the month, a trend chart with control limits and an area and district split for each
headline measure (config/warehouse.yml, pack.headlines), and the data-quality panel. The
month's headlines (marts.measure_commentary) open it, and each charted measure carries its
commentary. Beside the HTML it writes the same pack as a PDF (headless Chromium: A4, no browser
header or footer, the pack's own footer with its month and page numbers) and as an Excel workbook
(the headlines, each pillar's board table as numbers, the commentary, the measure catalogue).
When data.police.uk files are loaded, a National context section for the force (pack.police_uk_force):
its crime rate per 1,000 against its region and England and Wales, its rank and its crime mix,
each with coverage, for the latest police.uk month up to the pack's month.

--force writes the public-data pack of any force loaded from data.police.uk instead (works on a
police.uk-only run): crime by type with trend charts, districts, national context, file quality.

    python -m scripts.pack                    # the latest month -> warehouse/published/pack/ (.html, .pdf, .xlsx)
    python -m scripts.pack --month 2020-08 --out /tmp/pack.html
    python -m scripts.pack --force kent       # -> warehouse/published/pack/pack-kent-YYYY-MM.html
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from scripts import pipeline_lock
from scripts.months import parse_month
from scripts.report import data, html, national, pdf, workbook
from scripts.settings import load_config, published_dir


def write_pack(
    warehouse: Path, out: Path | None, month_text: str | None, as_at: str | None = None, also: tuple[str, ...] = ()
) -> Path:
    """Write the HTML pack (and, for each of `also`, 'pdf' and 'xlsx', the same pack beside it as a
    PDF and an Excel workbook); returns the HTML file."""
    settings = load_config()["pack"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        month = parse_month(month_text) if month_text else data.latest_month(connection)
        content = data.read(
            connection,
            month,
            settings["headlines"],
            settings["trend_months"],
            settings["headline_count"],
            published_run(warehouse),
        )
        names = dict(connection.execute("select measure_id, name from reference.measures").fetchall())
        sections = national.force_pack_sections(connection, settings["police_uk_force"], month)
        catalogue = data.rows(connection, "select * from reference.measures order by pillar, measure_id", [])
        commentary = data.month_commentary(connection, month)
    target = out or warehouse.parent / "pack" / f"pack-{month:%Y-%m}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html.render(content, names, as_at, sections), encoding="utf-8")
    if "xlsx" in also:
        workbook.write_workbook(content, catalogue, commentary, target.with_suffix(".xlsx"))
    if "pdf" in also:
        try:
            pdf.print_pdf(target, target.with_suffix(".pdf"))
        except pdf.NoChromium as missing:  # the HTML and the workbook stand; say what is missing
            print(f"pack: no PDF written: {missing}", file=sys.stderr)
    return target


def published_run(warehouse: Path) -> str | None:
    """The gate run that validated the published build (publish writes it beside the warehouse)."""
    marker = warehouse.parent / "PUBLISHED_RUN"
    return marker.read_text(encoding="utf-8").strip() or None if marker.exists() else None


def write_public_pack(warehouse: Path, out: Path | None, month_text: str | None, force_slug: str) -> Path:
    """The data.police.uk pack of one force (any force loaded; needs no force extracts)."""
    settings = load_config()["pack"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        content = national.read_public_pack(
            connection, force_slug, parse_month(month_text) if month_text else None, settings["trend_months"]
        )
    target = out or warehouse.parent / "pack" / f"pack-{force_slug}-{content.context.month:%Y-%m}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(national.render_public_pack(content, html.STYLE), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.pack", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--month", help="month to report, YYYY-MM (default: the latest in the warehouse)")
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=published_dir() / "warehouse.duckdb",
        help="published DuckDB file (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, help="HTML file to write (default: pack/pack-YYYY-MM.html beside the warehouse)")
    parser.add_argument(
        "--as-at", help="say on the pack that its figures were rebuilt as at this extract date (scripts/as_at.py)"
    )
    parser.add_argument("--force", help="write the data.police.uk pack of this force id instead (e.g. kent; any force loaded)")
    parser.add_argument(
        "--html-only", action="store_true", help="write the HTML pack alone (no PDF through Chromium, no Excel workbook)"
    )
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        print(f"pack: {args.warehouse} not found; run `make run` first", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        if args.force:
            target = write_public_pack(args.warehouse, args.out, args.month, args.force)
        else:
            target = write_pack(args.warehouse, args.out, args.month, args.as_at, () if args.html_only else ("xlsx", "pdf"))
    except data.NothingToReport as notice:
        print(
            f"pack: skipped: {notice}; the pack reports the force's own measures "
            "(for a force's data.police.uk figures: make pack FORCE=<force id>)"
        )
        return 0
    except duckdb.IOException as error:
        return pipeline_lock.busy("pack", error)
    except (ValueError, RuntimeError, national.NoPoliceUkData) as error:
        print(f"pack: ERROR {error}", file=sys.stderr)
        return 2
    written = [
        target,
        *(path for path in (target.with_suffix(".pdf"), target.with_suffix(".xlsx")) if path.exists() and not args.force),
    ]
    print(f"pack: {', '.join(str(path) for path in written)} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
