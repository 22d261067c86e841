"""Inline SVG charts (no scripts, no network): trends with control limits, and splits as bars."""

from __future__ import annotations

from html import escape

from scripts.report.fmt import figure
from scripts.report.spc import Limits

WIDTH, HEIGHT, PAD = 560, 190, 36


def trend(labels: list[str], values: list[float | None], limits: Limits | None, unit: str, title: str) -> str:
    points = [(index, value) for index, value in enumerate(values) if value is not None]
    if not points:
        return f'<p class="empty">No data for {escape(title)}.</p>'
    series = [value for _, value in points]
    bounds = series + ([limits.lower, limits.upper] if limits else [])
    low, high = min(bounds), max(bounds)
    if high == low:
        high, low = high + 1, low - 1

    def x(index: int) -> float:
        return PAD + index * (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return HEIGHT - PAD + (value - low) * (2 * PAD - HEIGHT) / (high - low)

    parts = [f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)} trend">',
             f'<title>{escape(title)}</title>']
    if limits:
        for value, name in ((limits.upper, "upper limit"), (limits.mean, "mean"), (limits.lower, "lower limit")):
            style = "mean" if name == "mean" else "limit"
            parts.append(f'<line class="{style}" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
                         f'<text class="axis" x="{WIDTH - PAD + 3}" y="{y(value) + 4:.1f}">{escape(figure(value, unit))}</text>')
    path = " ".join(f"{x(index):.1f},{y(value):.1f}" for index, value in points)
    parts.append(f'<polyline class="series" points="{path}"/>')
    special = limits.special if limits else ()
    for position, (index, value) in enumerate(points):
        marked = position < len(special) and special[position]
        parts.append(f'<circle class="{"special" if marked else "point"}" cx="{x(index):.1f}" cy="{y(value):.1f}" r="{4 if marked else 2.2}">'
                     f'<title>{escape(labels[index])}: {escape(figure(value, unit))}{" (special cause)" if marked else ""}</title></circle>')
    parts.append(f'<text class="axis" x="{PAD}" y="{HEIGHT - 8}">{escape(labels[0])}</text>'
                 f'<text class="axis" x="{WIDTH - PAD}" y="{HEIGHT - 8}" text-anchor="end">{escape(labels[-1])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars(rows: list[tuple[str, float | None]], unit: str, title: str) -> str:
    shown = [(label, value) for label, value in rows if value is not None]
    if not shown:
        return f'<p class="empty">No split for {escape(title)}.</p>'
    top = max(abs(value) for _, value in shown) or 1
    row_height, label_width, bar_width = 20, 170, 290
    height = row_height * len(shown) + 8
    parts = [f'<svg class="bars" viewBox="0 0 {label_width + bar_width + 90} {height}" role="img" aria-label="{escape(title)} by area and district">',
             f'<title>{escape(title)} by area and district</title>']
    for row, (label, value) in enumerate(shown):
        top_y = 4 + row * row_height
        length = bar_width * abs(value) / top
        parts.append(f'<text class="label" x="{label_width - 6}" y="{top_y + 13}" text-anchor="end">{escape(label)}</text>'
                     f'<rect class="bar" x="{label_width}" y="{top_y + 2}" width="{length:.1f}" height="{row_height - 6}"/>'
                     f'<text class="value" x="{label_width + length + 4:.1f}" y="{top_y + 13}">{escape(figure(value, unit))}</text>')
    parts.append("</svg>")
    return "".join(parts)
