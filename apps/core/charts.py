"""Server-side inline SVG charts, readable without colour and by screen readers.

``interval_chart`` draws reported quantities on a time axis: one box per claim, spanning its
time horizontally and its bounds vertically. An open bound runs to the edge of the plot,
drawn dashed and marked with an arrow, so "over 100,000" reads as open above without any
colour. Each box carries a number that the legend under the chart spells out (source, date,
wording, bounds), and the SVG has a title, a description and a text alternative per box.
"""

import datetime
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 84, 24, 24, 44
MIN_BOX_WIDTH = 8


@dataclass(frozen=True)
class Interval:
    label: str  # who reported it, e.g. the source
    start: datetime.date
    end: datetime.date
    lower: float | None  # None: open below
    upper: float | None  # None: open above
    wording: str = ""


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


def _describe(number: int, interval: Interval) -> str:
    wording = f" (“{interval.wording}”)" if interval.wording else ""
    return (
        f"{number}. {interval.label}, {_period_text(interval)}: {bounds_text(interval.lower, interval.upper)}{wording}"
    )


def interval_chart(*, intervals: list[Interval], title: str, unit: str, time_label: str) -> SafeString:
    """A figure with the chart and its legend; an empty string when there is nothing to draw."""
    if not intervals:
        return SafeString("")
    first = min(i.start for i in intervals)
    last = max(i.end for i in intervals)
    days = max((last - first).days, 1)
    known = [v for i in intervals for v in (i.lower, i.upper) if v is not None]
    top_value = max(known) * 1.15 if known else 1.0
    bottom_value = 0.0 if not known or min(known) >= 0 else min(known) * 1.15
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return LEFT + (day - first).days / days * (plot_width - MIN_BOX_WIDTH)

    def y(value: float) -> float:
        return TOP + (top_value - value) / (top_value - bottom_value or 1) * plot_height

    boxes = []
    for number, interval in enumerate(intervals, start=1):
        left = x(interval.start)
        width = max(x(interval.end) - left, MIN_BOX_WIDTH)
        upper_y = TOP if interval.upper is None else y(interval.upper)
        lower_y = TOP + plot_height if interval.lower is None else y(interval.lower)
        height = max(lower_y - upper_y, 2)
        open_marks = []
        if interval.upper is None:
            open_marks.append(
                format_html(
                    '<path d="M{} {} l5 -8 l5 8" class="open-bound" aria-hidden="true"/>',
                    _at(left + width / 2 - 5),
                    TOP + 8,
                )
            )
        if interval.lower is None:
            open_marks.append(
                format_html(
                    '<path d="M{} {} l5 8 l5 -8" class="open-bound" aria-hidden="true"/>',
                    _at(left + width / 2 - 5),
                    TOP + plot_height - 8,
                )
            )
        boxes.append(
            format_html(
                '<g class="interval" role="listitem" aria-label="{}"><title>{}</title>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="{}"/>{}'
                '<text x="{}" y="{}" class="interval-number" aria-hidden="true">{}</text></g>',
                _describe(number, interval),
                _describe(number, interval),
                _at(left),
                _at(upper_y),
                _at(width),
                _at(height),
                "box open" if interval.lower is None or interval.upper is None else "box",
                SafeString("".join(open_marks)),
                _at(left + width + 4),
                _at(max(upper_y + 12, TOP + 12)),
                number,
            )
        )

    ticks = [bottom_value + (top_value - bottom_value) * step / 4 for step in range(5)]
    y_axis = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
        '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                _at(y(t)),
                _at(y(t)),
                LEFT - 6,
                _at(y(t) + 4),
                _number(round(t, -2) if t > 1000 else t),
            )
            for t in ticks
        ),
    )
    x_axis = format_html(
        '<text x="{}" y="{}" class="tick">{}</text><text x="{}" y="{}" class="tick" text-anchor="end">{}</text>'
        '<text x="{}" y="{}" class="axis-label" text-anchor="middle">{}</text>',
        LEFT,
        HEIGHT - BOTTOM + 16,
        first.isoformat(),
        WIDTH - RIGHT,
        HEIGHT - BOTTOM + 16,
        last.isoformat(),
        LEFT + plot_width / 2,
        HEIGHT - 6,
        time_label,
    )
    description = "; ".join(_describe(number, interval) for number, interval in enumerate(intervals, start=1))
    legend = format_html_join("", "<li>{}</li>", ((_describe(n, i),) for n, i in enumerate(intervals, start=1)))
    return format_html(
        '<figure class="interval-chart">'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="interval-chart-title interval-chart-desc">'
        '<title id="interval-chart-title">{}</title><desc id="interval-chart-desc">{}</desc>'
        "<style>"
        ".grid{{stroke:#ccc;stroke-width:1}} .tick,.axis-label,.interval-number{{font:12px sans-serif;fill:#222}}"
        ".box{{fill:#fff;fill-opacity:.6;stroke:#222;stroke-width:1.5}} .box.open{{stroke-dasharray:5 3}}"
        ".open-bound{{fill:none;stroke:#222;stroke-width:1.5}} .interval-number{{font-weight:bold}}"
        "</style>"
        '<text x="12" y="{}" class="axis-label" transform="rotate(-90 12 {})" text-anchor="middle">{}</text>'
        '{}{}<g role="list">{}</g></svg>'
        '<figcaption><ul style="list-style:none;padding-left:0">{}</ul></figcaption></figure>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        title,
        description,
        TOP + plot_height / 2,
        TOP + plot_height / 2,
        unit,
        y_axis,
        x_axis,
        SafeString("".join(boxes)),
        legend,
    )
