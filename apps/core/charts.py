"""Server-side inline SVG charts, readable without colour and by screen readers.

``interval_chart`` draws reported quantities on a time axis: one box per claim, spanning its
time horizontally and its bounds vertically. An open bound runs to the edge of the plot,
drawn dashed and marked with an arrow, so "over 100,000" reads as open above without any
colour. Each series (a source) has a colour, and also a marker shape and a fill pattern, so
it can be told apart in grey or by a reader who does not see the colour; each box is labelled
directly with its number and its series. The SVG has a title and a description, and the
figure's caption is a table with the same values, for screen readers and for copying.

Styling is in presentation attributes, not a ``<style>`` element: pages whose Content Security
Policy forbids inline styles draw the chart the same.
"""

import datetime
import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 96, 24, 24, 44
MIN_BOX_WIDTH = 8
INK = "#222"
FONT = 'font-family="sans-serif" font-size="12"'
DIRECT_LABEL_CHARACTERS = 26
MAX_TIME_TICKS = 6


@dataclass(frozen=True)
class SeriesStyle:
    colour: str  # each at least 3:1 against white
    marker: str  # a shape, see _marker
    pattern: str  # the box's hatching, see _pattern


SERIES_STYLES = [
    SeriesStyle("#0072B2", "circle", "diagonal"),
    SeriesStyle("#D55E00", "square", "horizontal"),
    SeriesStyle("#117733", "triangle", "dots"),
    SeriesStyle("#882255", "diamond", "vertical"),
    SeriesStyle("#996600", "triangle-down", "crosshatch"),
    SeriesStyle("#332288", "hexagon", "back-diagonal"),
]


@dataclass(frozen=True)
class Interval:
    label: str  # who reported it, e.g. the source; boxes with the same label are one series
    start: datetime.date
    end: datetime.date
    lower: float | None  # None: open below
    upper: float | None  # None: open above
    wording: str = ""
    url: str = ""  # what the table's row links to, e.g. the claim
    short_label: str = ""  # the series' name on the chart itself, when the label is long


def _at(coordinate: float) -> str:
    return f"{coordinate:.1f}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def bounds_text(lower: float | None, upper: float | None) -> str:
    if lower is not None and upper is not None:
        return _number(lower) if lower == upper else f"{_number(lower)} to {_number(upper)}"
    if lower is not None:
        return f"at least {_number(lower)}, open above"
    if upper is not None:
        return f"at most {_number(upper)}, open below"
    return "unbounded"


def _period_text(interval: Interval) -> str:
    if interval.start == interval.end:
        return interval.start.isoformat()
    return f"{interval.start.isoformat()} to {interval.end.isoformat()}"


def _value_text(interval: Interval) -> str:
    wording = f" (“{interval.wording}”)" if interval.wording else ""
    return f"{bounds_text(interval.lower, interval.upper)}{wording}"


def _describe(number: int, interval: Interval) -> str:
    return f"{number}. {interval.label}, {_period_text(interval)}: {_value_text(interval)}"


def _short(interval: Interval) -> str:
    text = interval.short_label or interval.label
    return text if len(text) <= DIRECT_LABEL_CHARACTERS else text[: DIRECT_LABEL_CHARACTERS - 1].rstrip() + "…"


def _scale(values: list[float]) -> tuple[float, float, float]:
    """The value axis: a bottom, a top and a round step between ticks (1, 2, 2.5 or 5 times a power
    of ten), with some room above the largest value."""
    low = min(0.0, *values) if values else 0.0
    high = max(values) * 1.1 if values and max(values) > 0 else 1.0
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _time_ticks(first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, str]]:
    """The starts of months (of years, over a long span) on the time axis, thinned to at most MAX_TIME_TICKS."""
    if (last - first).days > 3 * 365:
        starts = [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1)]
        label = "%Y"
    else:
        starts, year, month = [], first.year, first.month
        while (start := datetime.date(year, month, 1)) <= last:
            starts.append(start)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        label = "%b %Y"
    starts = [start for start in starts if start >= first]
    step = math.ceil(len(starts) / MAX_TIME_TICKS) if starts else 1
    return [(start, start.strftime(label)) for start in starts[::step]]


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _marker(style: SeriesStyle, cx: float, cy: float) -> SafeString:
    """A filled shape about 11 px across, centred on (cx, cy)."""
    paint = format_html('fill="{}" stroke="{}" stroke-width="1"', style.colour, INK)
    if style.marker == "circle":
        return format_html('<circle cx="{}" cy="{}" r="5" {}/>', _at(cx), _at(cy), paint)
    if style.marker == "square":
        return format_html('<rect x="{}" y="{}" width="9" height="9" {}/>', _at(cx - 4.5), _at(cy - 4.5), paint)
    points = {
        "triangle": [(0, -6), (6, 4.5), (-6, 4.5)],
        "triangle-down": [(0, 6), (6, -4.5), (-6, -4.5)],
        "diamond": [(0, -6), (6, 0), (0, 6), (-6, 0)],
        "hexagon": [(-5.5, 0), (-2.75, -5), (2.75, -5), (5.5, 0), (2.75, 5), (-2.75, 5)],
    }[style.marker]
    return format_html(
        '<polygon points="{}" {}/>', " ".join(f"{_at(cx + dx)},{_at(cy + dy)}" for dx, dy in points), paint
    )


def _pattern(style: SeriesStyle, pattern_id: str) -> SafeString:
    line = format_html('stroke="{}" stroke-width="1.5"', style.colour)
    shapes = {
        "diagonal": format_html('<path d="M-2 2 l4 -4 M0 8 l8 -8 M6 10 l4 -4" {}/>', line),
        "back-diagonal": format_html('<path d="M-2 6 l4 4 M0 0 l8 8 M6 -2 l4 4" {}/>', line),
        "horizontal": format_html('<path d="M0 4 h8" {}/>', line),
        "vertical": format_html('<path d="M4 0 v8" {}/>', line),
        "crosshatch": format_html('<path d="M0 4 h8 M4 0 v8" {}/>', line),
        "dots": format_html('<circle cx="4" cy="4" r="1.6" fill="{}"/>', style.colour),
    }[style.pattern]
    return format_html(
        '<pattern id="{}" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#fff" fill-opacity=".75"/>{}</pattern>',
        pattern_id,
        shapes,
    )


def _swatch(style: SeriesStyle) -> SafeString:
    """The series' marker, small, for the table: the same key as on the chart."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 14 14" width="14" height="14" aria-hidden="true" '
        'focusable="false">{}</svg>',
        _marker(style, 7, 7),
    )


def interval_chart(
    *, intervals: list[Interval], title: str, unit: str, time_label: str, chart_id: str = "interval-chart"
) -> SafeString:
    """A figure with the chart and a table of its values; an empty string when there is nothing to draw.

    ``chart_id`` prefixes the ids inside the SVG, so that several charts can share a page.
    """
    if not intervals:
        return SafeString("")
    series: dict[str, SeriesStyle] = {}
    for interval in intervals:
        series.setdefault(interval.label, SERIES_STYLES[len(series) % len(SERIES_STYLES)])
    pattern_ids = {label: f"{chart_id}-series-{n}" for n, label in enumerate(series, start=1)}

    first = min(i.start for i in intervals)
    last = max(i.end for i in intervals)
    days = max((last - first).days, 1)
    known = [v for i in intervals for v in (i.lower, i.upper) if v is not None]
    bottom_value, top_value, step = _scale(known)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return LEFT + (day - first).days / days * (plot_width - MIN_BOX_WIDTH)

    def y(value: float) -> float:
        return TOP + (top_value - value) / (top_value - bottom_value or 1) * plot_height

    boxes, placed_labels = [], []
    for number, interval in enumerate(intervals, start=1):
        style = series[interval.label]
        left = x(interval.start)
        width = max(x(interval.end) - left, MIN_BOX_WIDTH)
        upper_y = TOP if interval.upper is None else y(interval.upper)
        lower_y = TOP + plot_height if interval.lower is None else y(interval.lower)
        height = max(lower_y - upper_y, 4)
        is_open = interval.lower is None or interval.upper is None
        open_marks = []
        if interval.upper is None:
            open_marks.append((left + width / 2 - 5, TOP + 8, "l5 -8 l5 8"))
        if interval.lower is None:
            open_marks.append((left + width / 2 - 5, TOP + plot_height - 8, "l5 8 l5 -8"))
        arrows = format_html_join(
            "",
            '<path d="M{} {} {}" fill="none" stroke="{}" stroke-width="2"/>',
            ((_at(ax), _at(ay), path, INK) for ax, ay, path in open_marks),
        )
        # The direct label goes inside the box's top left corner when the box is wide enough, else
        # beside its top, on the right unless that would run past the plot's edge; it moves down
        # (or up, near the bottom) until it clears the labels already placed.
        name = f" {_short(interval)}"
        label_width = (len(str(number)) + len(name)) * 7 + 16
        label_y = min(max(upper_y + 10, TOP + 10), TOP + plot_height - 6)
        if width >= label_width + 8:
            label_y = min(label_y + 4, upper_y + height - 6) if height > 20 else label_y
            marker_x, anchor = left + 10, "start"
        elif WIDTH - RIGHT - (left + width) >= label_width:
            marker_x, anchor = left + width + 10, "start"
        else:
            marker_x, anchor = left - 10, "end"
        span = (marker_x - 7, marker_x + label_width) if anchor == "start" else (marker_x - label_width, marker_x + 7)
        direction = 22 if label_y < TOP + plot_height / 2 else -22
        while any(_overlaps((*span, label_y - 11, label_y + 11), other) for other in placed_labels):
            label_y += direction
        placed_labels.append((*span, label_y - 11, label_y + 11))
        text_x = marker_x + 9 if anchor == "start" else marker_x - 9
        boxes.append(
            format_html(
                '<g class="interval" role="listitem" aria-label="{}"><title>{}</title>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{})" stroke="{}" stroke-width="2"{}/>{}'
                '<g aria-hidden="true">{}<text x="{}" y="{}" {} class="direct-label" font-weight="bold" fill="{}" '
                'text-anchor="{}" stroke="#fff" stroke-width="3" paint-order="stroke">{}<tspan class="series-name">'
                "{}</tspan></text></g></g>",
                _describe(number, interval),
                _describe(number, interval),
                _at(left),
                _at(upper_y),
                _at(width),
                _at(height),
                pattern_ids[interval.label],
                style.colour,
                SafeString(' stroke-dasharray="5 3"') if is_open else "",
                arrows,
                _marker(style, marker_x, label_y),
                _at(text_x),
                _at(label_y + 4),
                SafeString(FONT),
                INK,
                anchor,
                number,
                name,
            )
        )

    ticks = [bottom_value + step * n for n in range(round((top_value - bottom_value) / step) + 1)]
    y_axis = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ccc" stroke-width="1"/>'
        '<text x="{}" y="{}" {} class="tick" fill="{}" text-anchor="end">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                _at(y(t)),
                _at(y(t)),
                LEFT - 6,
                _at(y(t) + 4),
                SafeString(FONT),
                INK,
                _number(t),
            )
            for t in ticks
        ),
    )
    # The axis's first and last days are written out; month (or year) starts between them are
    # marked, and named where their name clears the two ends.
    end_label_room = 76
    x_axis = format_html(
        '<text x="{}" y="{}" {font} class="tick" fill="{ink}">{}</text>'
        '<text x="{}" y="{}" {font} class="tick" fill="{ink}" text-anchor="end">{}</text>',
        LEFT,
        HEIGHT - BOTTOM + 18,
        first.isoformat(),
        WIDTH - RIGHT,
        HEIGHT - BOTTOM + 18,
        last.isoformat(),
        font=SafeString(FONT),
        ink=INK,
    )
    for day, text in _time_ticks(first, last):
        at = x(day)
        named = LEFT + end_label_room < at < WIDTH - RIGHT - end_label_room
        x_axis += format_html(
            '<line x1="{x}" x2="{x}" y1="{}" y2="{}" stroke="#e4e4e4" stroke-width="1"/>'
            '<line x1="{x}" x2="{x}" y1="{}" y2="{}" stroke="{ink}" stroke-width="1"/>{}',
            TOP,
            TOP + plot_height,
            TOP + plot_height,
            TOP + plot_height + 4,
            format_html(
                '<text x="{}" y="{}" {} class="tick" fill="{}" text-anchor="middle">{}</text>',
                _at(at),
                HEIGHT - BOTTOM + 18,
                SafeString(FONT),
                INK,
                text,
            )
            if named
            else "",
            x=_at(at),
            ink=INK,
        )
    x_axis += format_html(
        '<text x="{}" y="{}" {} class="axis-label" fill="{}" text-anchor="middle">{}</text>',
        LEFT + plot_width / 2,
        HEIGHT - 6,
        SafeString(FONT),
        INK,
        time_label,
    )
    description = "; ".join(_describe(number, interval) for number, interval in enumerate(intervals, start=1))
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{} {}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                format_html('<a href="{}">{}</a>', interval.url, number) if interval.url else number,
                _swatch(series[interval.label]),
                interval.label,
                _period_text(interval),
                _value_text(interval),
            )
            for number, interval in enumerate(intervals, start=1)
        ),
    )
    return format_html(
        '<figure class="interval-chart">'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "<defs>{patterns}</defs>"
        '<text x="16" y="{middle}" {font} class="axis-label" fill="{ink}" transform="rotate(-90 16 {middle})" '
        'text-anchor="middle">{unit}</text>'
        '{y_axis}{x_axis}<g role="list">{boxes}</g></svg>'
        '<figcaption><table class="chart-table"><caption>{title}: the values drawn</caption>'
        '<thead><tr><th scope="col">No.</th><th scope="col">Source</th><th scope="col">Time</th>'
        '<th scope="col">Reported {unit}</th></tr></thead><tbody>{rows}</tbody></table></figcaption></figure>',
        width=WIDTH,
        height=HEIGHT,
        id=chart_id,
        title=title,
        description=description,
        patterns=format_html_join("", "{}", ((_pattern(series[label], pid),) for label, pid in pattern_ids.items())),
        middle=TOP + plot_height / 2,
        font=SafeString(FONT),
        ink=INK,
        unit=unit,
        y_axis=y_axis,
        x_axis=x_axis,
        boxes=SafeString("".join(boxes)),
        rows=rows,
    )
