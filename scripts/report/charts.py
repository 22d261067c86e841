"""Inline SVG charts (no scripts, no network): trends with control limits, and splits as bars."""

from __future__ import annotations

from html import escape

from scripts.report.data import TrendPoint
from scripts.report.fmt import figure

WIDTH, HEIGHT, PAD = 560, 190, 36


# Making Data Count colours: concern orange, improvement blue, common cause grey; a special cause
# on a measure with no good direction (counts, neutral measures) purple. Colour never says it
# alone: a special-cause point carries its letter (MARKS), and every point its words in a title.
VARIATION_NAMES = {
    "improvement": "special cause: improvement",
    "concern": "special cause: concern",
    "neither": "special cause: neither improvement nor concern",
    "common_cause": "common cause",
}
MARKS = {"improvement": "I", "concern": "C", "neither": "N"}


def trend(points: list[TrendPoint], unit: str, title: str) -> str:
    """An XmR chart: the month values, the centre line, limits and two-sigma lines of marts.measure_spc,
    each point coloured (and titled) by its variation."""
    shown = [(index, point) for index, point in enumerate(points) if point.value is not None]
    if not shown:
        return f'<p class="empty">No data for {escape(title)}.</p>'
    limits = next((point for _, point in shown if point.centre_line is not None), None)
    lines = (
        [
            (limits.upper_limit, "limit", "upper limit"),
            (limits.upper_two_sigma, "sigma", None),
            (limits.centre_line, "mean", "centre"),
            (limits.lower_two_sigma, "sigma", None),
            (limits.lower_limit, "limit", "lower limit"),
        ]
        if limits
        else []
    )
    bounds = [point.value for _, point in shown] + [value for value, _, _ in lines]
    low, high = min(bounds), max(bounds)
    if high == low:
        high, low = high + 1, low - 1

    def x(index: int) -> float:
        return PAD + index * (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return HEIGHT - PAD + (value - low) * (2 * PAD - HEIGHT) / (high - low)

    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(describe(shown, unit, title))}">',
        f"<title>{escape(describe(shown, unit, title))}</title>",
    ]
    for value, style, name in lines:
        parts.append(f'<line class="{style}" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>')
        if name:
            parts.append(f'<text class="axis" x="{WIDTH - PAD + 3}" y="{y(value) + 4:.1f}">{escape(figure(value, unit))}</text>')
    path = " ".join(f"{x(index):.1f},{y(point.value):.1f}" for index, point in shown)
    parts.append(f'<polyline class="series" points="{path}"/>')
    for index, point in shown:
        variation = point.variation or "unassessed"
        special = variation not in ("common_cause", "unassessed")
        words = VARIATION_NAMES.get(variation, "no limits")
        rules = f" ({'; '.join(point.rules)})" if point.rules else ""
        parts.append(
            f'<circle class="{variation}" data-month="{point.month:%Y-%m}" data-variation="{variation}" '
            f'cx="{x(index):.1f}" cy="{y(point.value):.1f}" r="{4 if special else 2.4}">'
            f"<title>{escape(f'{point.month:%b %Y}')}: {escape(figure(point.value, unit))}, {escape(words)}{escape(rules)}</title></circle>"
        )
        if variation in MARKS:
            parts.append(
                f'<text class="mark" x="{x(index):.1f}" y="{y(point.value) - 6:.1f}" text-anchor="middle" '
                f'aria-hidden="true">{MARKS[variation]}</text>'
            )
    parts.append(
        f'<text class="axis" x="{PAD}" y="{HEIGHT - 8}">{escape(f"{points[0].month:%b %Y}")}</text>'
        f'<text class="axis" x="{WIDTH - PAD}" y="{HEIGHT - 8}" text-anchor="end">{escape(f"{points[-1].month:%b %Y}")}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def describe(shown: list[tuple[int, TrendPoint]], unit: str, title: str) -> str:
    """The chart in words, its text alternative: span, first and latest value, special-cause months."""
    first, latest = shown[0][1], shown[-1][1]
    special = [point for _, point in shown if (point.variation or "") in MARKS]
    signals = (
        "; special cause in " + ", ".join(f"{point.month:%b %Y} ({point.variation})" for point in special[-6:])
        if special
        else "; no special cause"
    )
    return (
        f"{title}, monthly, {first.month:%b %Y} to {latest.month:%b %Y}: "
        f"{figure(first.value, unit)} at first, {figure(latest.value, unit)} in {latest.month:%b %Y}{signals}"
        + (" (the last six shown)" if len(special) > 6 else "")
        + "."
    )


def trend_legend(points: list[TrendPoint]) -> str:
    """What the colours and lines mean, and the baseline the limits were set on."""
    baseline = next((point.baseline for point in points if point.baseline), None)
    keys = "".join(
        f"<span class='key'><svg viewBox='0 0 10 10' width='10' height='10' aria-hidden='true'>"
        f"<circle class='{variation}' cx='5' cy='5' r='4'/></svg> {MARKS.get(variation, '')} {escape(name)}</span> "
        for variation, name in VARIATION_NAMES.items()
    )
    limits = (
        f"Centre line and limits (dashed; dotted: two sigma) set on {baseline[0]:%b %Y} to {baseline[1]:%b %Y}."
        if baseline
        else "Too few months for control limits."
    )
    return f"<p class='legend'>{keys}{limits}</p>"


def bars(rows: list[tuple[str, float | None]], unit: str, title: str) -> str:
    shown = [(label, value) for label, value in rows if value is not None]
    if not shown:
        return f'<p class="empty">No split for {escape(title)}.</p>'
    top = max(abs(value) for _, value in shown) or 1
    row_height, label_width, bar_width = 20, 170, 290
    height = row_height * len(shown) + 8
    text = f"{title} by area and district, rolling 12 months: " + "; ".join(
        f"{label} {figure(value, unit)}" for label, value in shown
    )
    parts = [
        f'<svg class="bars" viewBox="0 0 {label_width + bar_width + 90} {height}" role="img" aria-label="{escape(text)}">',
        f"<title>{escape(text)}</title>",
    ]
    for row, (label, value) in enumerate(shown):
        top_y = 4 + row * row_height
        length = bar_width * abs(value) / top
        parts.append(
            f'<text class="label" x="{label_width - 6}" y="{top_y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" x="{label_width}" y="{top_y + 2}" width="{length:.1f}" height="{row_height - 6}"/>'
            f'<text class="value" x="{label_width + length + 4:.1f}" y="{top_y + 13}">{escape(figure(value, unit))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
