"""Inline SVG charts (no scripts, no network): trends with control limits, and splits as bars."""

from __future__ import annotations

import math
from html import escape

from scripts.report.data import SplitBar, TrendPoint
from scripts.report.fmt import change, figure, with_n

WIDTH, HEIGHT = 560, 200


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
    """A control chart: the month values, each month's centre line, limits and two-sigma lines of marts.measure_spc,
    each point coloured (and titled, and lettered when special) by its variation; a labelled y-axis
    and a tick each January and July, everything inside the drawing."""
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
    left, right, top, bottom = 64, 12, 14, 30

    def x(index: int) -> float:
        return left + index * (WIDTH - left - right) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return HEIGHT - bottom - (value - low) * (HEIGHT - top - bottom) / (high - low)

    text = describe(shown, unit, title)
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(text)}">',
        f"<title>{escape(text)}</title>",
        f'<text class="axis-title" x="4" y="10">{escape(UNIT_TITLES.get(unit, unit))}</text>',
    ]
    for tick in ticks:
        parts.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="axis" x="{left - 4}" y="{y(tick) + 3:.1f}" text-anchor="end">{escape(tick_label(tick, unit, ticks))}</text>'
        )
    last = len(points) - 1
    for index, point in enumerate(points):
        is_end = index in (0, last)
        if not is_end and (point.month.month not in (1, 7) or min(index, last - index) < 5):
            continue  # a tick each January and July, none crowding the first or last month's label
        anchor = "start" if index == 0 else ("end" if index == last else "middle")
        parts.append(
            f'<line class="tick" x1="{x(index):.1f}" x2="{x(index):.1f}" y1="{HEIGHT - bottom}" y2="{HEIGHT - bottom + 4}"/>'
            f'<text class="axis" x="{x(index):.1f}" y="{HEIGHT - bottom + 15}" text-anchor="{anchor}">'
            f"{escape(f'{point.month:%b %Y}')}</text>"
        )
    half = (WIDTH - left - right) / max(len(points) - 1, 1) / 2
    for field, style, name in lines:
        steps = []
        for index, point in limited:
            value = getattr(point, field)
            start, end = max(x(index) - half, left), min(x(index) + half, WIDTH - right)
            joined = steps and steps[-1][0] == index - 1
            steps.append((index, f"{'L' if joined else 'M'}{start:.1f},{y(value):.1f} L{end:.1f},{y(value):.1f}"))
        if steps:
            parts.append(f'<path class="{style}" d="{" ".join(step for _, step in steps)}"/>')
        if name and limited:
            value = getattr(limited[-1][1], field)
            parts.append(
                f'<text class="line-label" x="{WIDTH - right - 2}" y="{y(value) - 3:.1f}" text-anchor="end">'
                f"{escape(name)} {escape(figure(value, unit))}</text>"
            )
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
    parts.append("</svg>")
    return "".join(parts)


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
    """What the colours, letters and lines of the trend charts mean: once per section."""
    keys = "".join(
        f"<span class='key'><svg viewBox='0 0 10 10' width='10' height='10' aria-hidden='true'>"
        f"<circle class='{variation}' cx='5' cy='5' r='4'/></svg> {MARKS.get(variation, '')} {escape(name)}</span> "
        for variation, name in VARIATION_NAMES.items()
    )
    return (
        f"<p class='legend'>Trend charts are control charts of the last 36 months (XmR charts for counts and "
        "medians; Laney charts for rates, whose limits widen in a month with few cases): "
        f"{keys}Centre line solid, control limits (three sigma) dashed, two-sigma lines dotted, set on each "
        "series' baseline; each month is judged from that month and earlier ones only.</p>"
    )


def trend_legend(points: list[TrendPoint]) -> str:
    """The baseline a chart's limits were set on (the key is once per section: trend_key)."""
    latest = next((point for point in reversed(points) if point.baseline), None)
    if latest is None:
        return "<p class='legend'>Too few months for control limits.</p>"
    text = f"Limits set on {latest.baseline[0]:%b %Y} to {latest.baseline[1]:%b %Y}"
    if latest.phase_start and any(point.value is not None and point.month < latest.phase_start for point in points):
        text += f", re-based in {latest.phase_start:%b %Y} (marts.measure_spc_rebases says why)"
    text += "."
    return f"<p class='legend'>{text}</p>"


def split_bars(bars: list[SplitBar], unit: str, title: str) -> str:
    """The rolling 12 months by area, then by district: each bar with its n and its change on a year
    ago; the unknown area and district (rows that could not be placed) apart at the end of their
    group and said to be so; a low sample written, not drawn as a bar of the same weight."""
    shown = [bar for bar in bars if bar.value is not None]
    if not shown:
        return f'<p class="empty">No split for {escape(title)}.</p>'
    scaled = [abs(bar.value) for bar in shown if not bar.is_low_sample and not bar.is_bucket]
    top = max(scaled or [abs(bar.value) for bar in shown]) or 1
    row_height, label_width, bar_width, text_width = 18, 190, 160, 300
    lines: list[tuple[str, SplitBar | None]] = []
    for level, heading in (("area", "Areas"), ("district", "Districts")):
        group = [bar for bar in shown if bar.level == level]
        if group:
            lines.append((heading, None))
            lines += [("", bar) for bar in sorted(group, key=lambda bar: (bar.is_bucket, bar.geography))]
    height = row_height * len(lines) + 6
    words = "; ".join(_bar_words(bar, unit) for _, bar in lines if bar)
    text = f"{title}, rolling 12 months by area and district: {words}"
    parts = [
        f'<svg class="bars" viewBox="0 0 {label_width + bar_width + text_width} {height}" role="img" aria-label="{escape(text)}">',
        f"<title>{escape(text)}</title>",
    ]
    for row, (heading, bar) in enumerate(lines):
        top_y = 3 + row * row_height
        if bar is None:
            parts.append(f'<text class="group" x="0" y="{top_y + 12}">{escape(heading)}</text>')
            continue
        label = f"{bar.geography} (not placed)" if bar.is_bucket else bar.geography
        style = "bucket" if bar.is_bucket else ("low-sample" if bar.is_low_sample else "bar")
        parts.append(
            f'<text class="label" x="{label_width - 6}" y="{top_y + 12}" text-anchor="end" '
            f'data-geography="{escape(bar.geography)}">{escape(label)}</text>'
        )
        if not bar.is_low_sample:
            length = min(bar_width, bar_width * abs(bar.value) / top)
            parts.append(
                f'<rect class="{style}" x="{label_width}" y="{top_y + 2}" width="{length:.1f}" height="{row_height - 6}"/>'
            )
        parts.append(
            f'<text class="value{" low" if bar.is_low_sample else ""}" x="{label_width + bar_width + 6}" y="{top_y + 12}">'
            f"{escape(_bar_words(bar, unit, with_place=False))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _bar_words(bar: SplitBar, unit: str, with_place: bool = True) -> str:
    """A bar's figures in words: value with n, change on a year ago, low sample."""
    text = with_n(bar.value, unit, bar.sample_size)
    if bar.last_year is not None:
        text += f", {change(bar.value - bar.last_year, unit)} on a year ago"
    if bar.is_low_sample:
        text = f"low sample: {text}"
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
