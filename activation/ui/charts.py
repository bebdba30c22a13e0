"""Charts as SVG rendered on the server: lines over time and bars, no JavaScript library.

The markup is built from numbers and labels the app computed; every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH = 640
HEIGHT = 240
MARGIN_LEFT = 64
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 40
# Colour-blind-safe palette (Okabe-Ito); the CSS legend uses the same classes.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _number(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if magnitude >= 10_000:
        return f"{value / 1_000:.0f}k"
    if magnitude >= 1_000:
        return f"{value / 1_000:.1f}k"
    if magnitude >= 10 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.2f}"


def _axis(maximum: float, top: float, bottom: float) -> list[str]:
    parts = []
    for step in range(5):
        value = maximum * step / 4
        y = bottom - (bottom - top) * step / 4
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{escape(_number(value))}</text>"
        )
    return parts


def line_chart(labels: Sequence[str], series: dict[str, Sequence[float | None]], title: str) -> Markup:
    """One line per series over shared x labels (e.g. months); a legend names the series."""
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    values = [value for points in series.values() for value in points if value is not None]
    maximum = max(values, default=0) or 1
    count = max(len(labels), 1)
    step = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / max(count - 1, 1)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT + 24 * ((len(series) + 2) // 3)}" role="img" class="chart" '
        f'aria-label="{escape(title)}">',
        *_axis(maximum, top, bottom),
    ]
    label_every = max(1, count // 8)
    for index, label in enumerate(labels):
        if index % label_every == 0:
            x = MARGIN_LEFT + index * step
            parts.append(
                f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" class="tick">'
                f"{escape(label)}</text>"
            )
    for number, (name, points) in enumerate(series.items()):
        colour = PALETTE[number % len(PALETTE)]
        coordinates = [
            f"{MARGIN_LEFT + index * step:.1f},{bottom - (bottom - top) * value / maximum:.1f}"
            for index, value in enumerate(points)
            if value is not None
        ]
        if coordinates:
            parts.append(
                f'<polyline points="{" ".join(coordinates)}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        legend_x = MARGIN_LEFT + (number % 3) * 190
        legend_y = HEIGHT + 8 + 24 * (number // 3)
        parts.append(
            f'<rect x="{legend_x}" y="{legend_y - 9}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 18}" y="{legend_y + 1}" class="legend">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(bars: Sequence[tuple[str, float | None]], title: str, unit: str = "") -> Markup:
    """Horizontal bars, one per label, with their value written at the end."""
    row = 26
    height = MARGIN_TOP + row * max(len(bars), 1) + 8
    values = [value for _, value in bars if value is not None]
    maximum = max(values, default=0) or 1
    label_width = 150
    span = WIDTH - label_width - 90
    parts = [f'<svg viewBox="0 0 {WIDTH} {height}" role="img" class="chart" aria-label="{escape(title)}">']
    for index, (label, value) in enumerate(bars):
        y = MARGIN_TOP + index * row
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" class="tick">{escape(label)}</text>'
        )
        if value is None:
            parts.append(f'<text x="{label_width}" y="{y + 15}" class="tick">n/a</text>')
            continue
        width = max(span * value / maximum, 1)
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row - 8}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{label_width + width + 6:.1f}" y="{y + 15}" class="tick">'
            f"{escape(_number(value))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def heat_class(rate: float | None) -> str:
    """A CSS class for a retention cell (ten shades): the page's cohort table is coloured without inline
    styles, which the Content-Security-Policy forbids."""
    if rate is None:
        return "heat-none"
    return f"heat-{min(9, max(0, int(rate * 10 / 0.5)))}"
