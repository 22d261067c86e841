"""Inline SVG charts (no scripts, no network): trends with control limits, and splits as bars."""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

from scripts.report.data import SplitBar, TrendPoint
from scripts.report.fmt import difference, figure, with_n

# The drawing's size in its own units. The pack prints a measure's trend and split side by side
# across an A4 landscape page (each about 500 CSS pixels wide), so a unit prints a little larger
# than a pixel and FONT_SIZE units (pack.css sets every chart text to it) print at 8 points or more;
# tests/python/test_pack_print.py measures it in the printed PDF.
WIDTH, HEIGHT = 440, 220
FONT_SIZE = 10
# The width of a character of chart text, as a share of its font size: DejaVu Sans's widest
# ordinary glyphs ("M", "W" aside) stay under it, so a label's box computed with it holds the label.
CHARACTER_WIDTH = 0.62


# Making Data Count colours: concern orange, improvement blue, common cause grey; a special cause
# on a measure with no good direction (counts, neutral measures) purple. Colour never says it
# alone: a special-cause point carries its mark (MARKS), and every point its words in a title.
VARIATION_NAMES = {
    "improvement": "special cause: improvement",
    "concern": "special cause: concern",
    "neither": "special cause: neither improvement nor concern",
    "common_cause": "common cause",
}
MARKS = {"improvement": "\u2713", "concern": "\u2717", "neither": "\u25c6"}  # check, cross, diamond


def text_box(x: float, y: float, text: str, anchor: str = "start", size: float = FONT_SIZE) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) a line of chart text takes, its baseline at y."""
    width = len(text) * size * CHARACTER_WIDTH
    left = x - {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    return (left, y - size * 0.8, left + width, y + size * 0.25)


def overlaps(first: tuple[float, float, float, float], second: tuple[float, float, float, float]) -> bool:
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions as near the wanted ones as they can be, in the same order, at least gap apart and
    within [low, high] (labels of lines close together, set one under another)."""
    order = sorted(range(len(wanted)), key=lambda index: wanted[index])
    placed: list[float] = []
    for index in order:
        position = max(wanted[index], placed[-1] + gap if placed else low)
        placed.append(position)
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:
        placed = [position - overflow for position in placed]
        for position in range(len(placed) - 2, -1, -1):
            placed[position] = min(placed[position], placed[position + 1] - gap)
    result = [0.0] * len(wanted)
    for index, position in zip(order, placed, strict=True):
        result[index] = position
    return result


def trend(points: list[TrendPoint], unit: str, title: str) -> str:
    """A control chart: the month values (a month with no value is a gap in the line, never a zero),
    each month's centre line, limits and two-sigma lines of marts.measure_spc, each point coloured (and
    titled, and marked when special) by its variation; a y-axis titled above it, a tick each January
    and July where its label has room, the lines labelled in a margin of their own on the right:
    no text over another or over a point."""
    shown = [(index, point) for index, point in enumerate(points) if point.value is not None]
    if not shown:
        return f'<p class="empty">No data for {escape(title)}.</p>'
    # the limits of each month (they move while a baseline forms, after a re-base and, on a Laney
    # chart, with each month's cases), drawn as steps; labelled with the latest month's
    limited = [(index, point) for index, point in shown if point.centre_line is not None]
    lines = [
        ("upper_limit", "limit", "upper limit"),
        ("upper_two_sigma", "sigma", None),
        ("centre_line", "mean", "centre"),
        ("lower_two_sigma", "sigma", None),
        ("lower_limit", "limit", "lower limit"),
    ]
    bounds = [point.value for _, point in shown] + [
        getattr(point, field) for _, point in limited for field, _, _ in lines if getattr(point, field) is not None
    ]
    ticks = axis_ticks(min(bounds), max(bounds))
    low, high = ticks[0], ticks[-1]
    tick_labels = [tick_label(tick, unit, ticks) for tick in ticks]
    labels = [(name, figure(getattr(limited[-1][1], field), unit)) for field, _, name in lines if name and limited]
    gutter = max((len(f"{name} {value}") for name, value in labels), default=0) * FONT_SIZE * CHARACTER_WIDTH
    left = max(len(label) for label in tick_labels) * FONT_SIZE * CHARACTER_WIDTH + 10
    right, top, bottom = gutter + 10, 26, 32
    plot_right = WIDTH - right

    def x(index: int) -> float:
        return left + index * (plot_right - left) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return HEIGHT - bottom - (value - low) * (HEIGHT - top - bottom) / (high - low)

    text = describe(shown, unit, title)
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(text)}">',
        f"<title>{escape(text)}</title>",
        f'<text class="axis-title" x="2" y="{FONT_SIZE + 2}">{escape(UNIT_TITLES.get(unit, unit))}</text>',
    ]
    for tick, label in zip(ticks, tick_labels, strict=True):
        parts.append(
            f'<line class="grid" x1="{left}" x2="{plot_right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="axis" x="{left - 4:.1f}" y="{y(tick) + 3.5:.1f}" text-anchor="end">{escape(label)}</text>'
        )
    parts += _month_ticks(points, x, bottom)
    half = (plot_right - left) / max(len(points) - 1, 1) / 2
    for field, style, _ in lines:
        steps = []
        for index, point in limited:
            value = getattr(point, field)
            start, end = max(x(index) - half, left), min(x(index) + half, plot_right)
            joined = steps and steps[-1][0] == index - 1
            steps.append((index, f"{'L' if joined else 'M'}{start:.1f},{y(value):.1f} L{end:.1f},{y(value):.1f}"))
        if steps:
            parts.append(f'<path class="{style}" d="{" ".join(step for _, step in steps)}"/>')
    if labels:
        named = [field for field, _, name in lines if name]
        wanted = [y(getattr(limited[-1][1], field)) + 3.5 for field in named]
        for (name, value), position in zip(labels, spread(wanted, FONT_SIZE + 1, top, HEIGHT - bottom), strict=True):
            parts.append(
                f'<text class="line-label" x="{plot_right + 6:.1f}" y="{position:.1f}">{escape(name)} {escape(value)}</text>'
            )
    parts += _series(shown, x, y, unit)
    parts.append("</svg>")
    return "".join(parts)


def _month_ticks(points: list[TrendPoint], x: Callable[[int], float], bottom: float) -> list[str]:
    """The month ticks: the last month's, the first's, then each January and July whose label keeps
    clear of those already placed."""
    last = len(points) - 1
    candidates = [last, 0] + [index for index in range(1, last) if points[index].month.month in (1, 7)]
    placed: list[tuple[float, float, float, float]] = []
    parts: list[str] = []
    for index in candidates:
        anchor = "start" if index == 0 else ("end" if index == last else "middle")
        label = f"{points[index].month:%b %Y}"
        box = text_box(x(index), HEIGHT - bottom + 16, label, anchor)
        if any(overlaps((box[0] - 4, *box[1:3], box[3]), other) for other in placed):
            continue
        placed.append(box)
        parts.append(
            f'<line class="tick" x1="{x(index):.1f}" x2="{x(index):.1f}" y1="{HEIGHT - bottom}" y2="{HEIGHT - bottom + 4}"/>'
            f'<text class="axis" x="{x(index):.1f}" y="{HEIGHT - bottom + 16}" text-anchor="{anchor}">{escape(label)}</text>'
        )
    return parts


def _series(shown: list[tuple[int, TrendPoint]], x: Callable[[int], float], y: Callable[[float], float], unit: str) -> list[str]:
    """The line, broken at every month without a value, and each point coloured, titled and marked
    by its variation."""
    parts: list[str] = []
    runs: list[list[tuple[int, TrendPoint]]] = []
    for index, point in shown:
        if runs and runs[-1][-1][0] == index - 1:
            runs[-1].append((index, point))
        else:
            runs.append([(index, point)])
    for run in runs:
        path = " ".join(f"{x(index):.1f},{y(point.value):.1f}" for index, point in run)
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
    return parts


UNIT_TITLES = {"rate": "per cent", "minutes": "minutes", "per_1000": "per 1,000 residents", "count": "number"}


def axis_ticks(low: float, high: float, wanted: int = 4) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) from below low to above high."""
    if high == low:
        low, high = low - 1, high + 1
    raw = (high - low) / wanted
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * factor for factor in (1, 2, 5, 10) if power * factor >= raw)
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - 1e-12:
        ticks.append(ticks[-1] + step)
    return [round(tick, 12) for tick in ticks]


def tick_label(value: float, unit: str, ticks: list[float]) -> str:
    """A tick's label, to the precision its step needs."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1
    if unit == "rate":
        decimals = 0 if step * 100 >= 1 else 1
        return f"{value * 100:.{decimals}f}%"
    decimals = 0 if step >= 1 else (1 if step >= 0.1 else 2)
    return f"{value:,.{decimals}f}"


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


def trend_key() -> str:
    """What the colours, marks and lines of the trend charts mean, in plain words (the glossary says
    more): once per section, as the first item of its charts so it prints with them."""
    keys = "".join(
        f"<span class='key'><svg viewBox='0 0 10 10' width='10' height='10' aria-hidden='true'>"
        f"<circle class='{variation}' cx='5' cy='5' r='4'/></svg> {MARKS.get(variation, '')} {escape(name)}</span> "
        for variation, name in VARIATION_NAMES.items()
    )
    return (
        "<p class='legend key-note'>Each trend chart is a control chart of the last 36 months (see the Glossary): "
        f"{keys}The solid line is the usual level, the dashed lines the control limits, the dotted lines two thirds "
        "of the way to them; a break in the line is a month with no figure. Each month is judged from that month "
        "and earlier ones only.</p>"
    )


def trend_legend(points: list[TrendPoint]) -> str:
    """The months a chart's limits were set on (the key is once per section: trend_key)."""
    latest = next((point for point in reversed(points) if point.baseline), None)
    if latest is None:
        return "<p class='legend'>Too few months for control limits.</p>"
    text = f"Limits set on {latest.baseline[0]:%b %Y} to {latest.baseline[1]:%b %Y}"
    if latest.phase_start and any(point.value is not None and point.month < latest.phase_start for point in points):
        text += f", set again from {latest.phase_start:%b %Y} after a known change (a re-base: see the Glossary)"
    text += "."
    return f"<p class='legend'>{text}</p>"


def split_bars(bars: list[SplitBar], unit: str, title: str) -> str:
    """The rolling 12 months by area, then by district: each bar with its n and its change on a year
    ago; the unknown area and district (rows that could not be placed) apart at the end of their
    group and said to be so; a low sample written, not drawn as a bar of the same weight. As wide as
    a trend chart (WIDTH), its columns sized to their longest text so no text runs into another."""
    shown = [bar for bar in bars if bar.value is not None]
    if not shown:
        return f'<p class="empty">No split for {escape(title)}.</p>'
    scaled = [abs(bar.value) for bar in shown if not bar.is_low_sample and not bar.is_bucket]
    top = max(scaled or [abs(bar.value) for bar in shown]) or 1
    lines: list[tuple[str, SplitBar | None]] = []
    for level, heading in (("area", "Areas"), ("district", "Districts")):
        group = [bar for bar in shown if bar.level == level]
        if group:
            lines.append((heading, None))
            lines += [("", bar) for bar in sorted(group, key=lambda bar: (bar.is_bucket, bar.geography))]
    labels = {id(bar): f"{bar.geography} (not placed)" if bar.is_bucket else bar.geography for _, bar in lines if bar}
    values = {id(bar): _bar_words(bar, unit, with_place=False) for _, bar in lines if bar}
    row_height, gap = FONT_SIZE + 8, 6
    label_width = max(len(label) for label in labels.values()) * FONT_SIZE * CHARACTER_WIDTH + gap
    text_width = max(len(value) for value in values.values()) * FONT_SIZE * CHARACTER_WIDTH + gap
    bar_width = max(WIDTH - label_width - text_width - gap, 40)
    width = max(WIDTH, label_width + bar_width + gap + text_width)
    height = row_height * len(lines) + 6
    words = "; ".join(_bar_words(bar, unit) for _, bar in lines if bar)
    text = f"{title}, rolling 12 months by area and district: {words}"
    parts = [
        f'<svg class="bars" viewBox="0 0 {width:.0f} {height}" role="img" aria-label="{escape(text)}">',
        f"<title>{escape(text)}</title>",
    ]
    for row, (heading, bar) in enumerate(lines):
        baseline = 3 + row * row_height + FONT_SIZE + 2
        if bar is None:
            parts.append(f'<text class="group" x="0" y="{baseline}">{escape(heading)}</text>')
            continue
        style = "bucket" if bar.is_bucket else ("low-sample" if bar.is_low_sample else "bar")
        parts.append(
            f'<text class="label" x="{label_width - gap:.1f}" y="{baseline}" text-anchor="end" '
            f'data-geography="{escape(bar.geography)}">{escape(labels[id(bar)])}</text>'
        )
        if not bar.is_low_sample:
            length = min(bar_width, bar_width * abs(bar.value) / top)
            parts.append(
                f'<rect class="{style}" x="{label_width:.1f}" y="{baseline - FONT_SIZE:.1f}" width="{length:.1f}" '
                f'height="{FONT_SIZE + 2}"/>'
            )
        parts.append(
            f'<text class="value{" low" if bar.is_low_sample else ""}" x="{label_width + bar_width + gap:.1f}" '
            f'y="{baseline}">{escape(values[id(bar)])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _bar_words(bar: SplitBar, unit: str, with_place: bool = True) -> str:
    """A bar's figures in words: value with n, change on a year ago (the drawing leaves out "on a
    year ago", which its heading says, and a low sample's change, which is not compared)."""
    text = with_n(bar.value, unit, bar.sample_size)
    if bar.is_low_sample:
        text = f"low sample: {text}"
    if bar.last_year is not None and (with_place or not bar.is_low_sample):
        text += f", {difference(bar.value, bar.last_year, unit)}" + (" on a year ago" if with_place else "")
    place = f"{bar.geography}{' (not placed)' if bar.is_bucket else ''} " if with_place else ""
    return place + text


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
