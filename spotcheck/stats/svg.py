"""Draw a figure's bar chart as SVG on the server, for the printed report.

ECharts renders in a browser only; WeasyPrint draws inline SVG itself, so the PDF gets
the same figures as the page from this small renderer (grouped or stacked bars, value
axis, legend) without a browser or another dependency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

PALETTE = ("#0d6efd", "#fd7e14", "#dc3545", "#6c757d", "#198754", "#6f42c1", "#20c997")
FONT = "Noto Sans CJK SC, sans-serif"


def _nice_max(value: float) -> float:
    """Round the axis maximum up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _fmt(value: float) -> str:
    return f"{value:g}"


def _text(x: float, y: float, text: str, *, size: int = 10, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-family="{FONT}" fill="#222">{escape(text)}</text>'
    )


def _label(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class _Plot:
    """Where the bars go: the figure's size and the plot area inside its margins."""

    width: int
    height: int
    unit: str
    left: int = 44
    right: int = 10
    top: int = 30
    bottom: int = 34

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom


def _value(s: dict[str, Any], j: int) -> float:
    """A series' value for category ``j``; missing or empty counts as 0."""
    v = s["data"][j] if j < len(s["data"]) else None
    return float(v) if v is not None else 0.0


def _legend(series: list[dict[str, Any]], left: int) -> list[str]:
    """One coloured square and name per series, along the top."""
    parts = []
    x = left
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 14, 17, str(s["name"]), size=9, anchor="start"))
        x += 24 + 10 * len(str(s["name"]))
    return parts


def _axis_top(series: list[dict[str, Any]], count: int, *, stacked: bool, unit: str) -> float:
    """The value at the top of the axis: a whole multiple of 4 for counts, else round."""
    if stacked:
        peak = max(sum(_value(s, j) for s in series) for j in range(count))
    else:
        peak = max((_value(s, j) for s in series for j in range(count)), default=0)
    # counts get whole-number ticks (four steps); percentages a round maximum
    return float(max(4, math.ceil(peak / 4) * 4)) if not unit else _nice_max(peak)


def _axis(plot: _Plot, top_value: float) -> list[str]:
    """The value axis: five grid lines with their ticks."""
    parts = []
    for k in range(5):
        tick = top_value * k / 4
        y = plot.top + plot.plot_h - plot.plot_h * k / 4
        parts.append(
            f'<line x1="{plot.left}" y1="{y:.1f}" x2="{plot.width - plot.right}" y2="{y:.1f}" '
            f'stroke="{"#999" if k == 0 else "#e3e3e3"}" stroke-width="0.6"/>'
        )
        parts.append(
            _text(plot.left - 4, y + 3, _fmt(round(tick, 2)) + plot.unit, size=8, anchor="end")
        )
    return parts


def _bars(
    plot: _Plot,
    categories: list[str],
    series: list[dict[str, Any]],
    top_value: float,
    *,
    stacked: bool,
) -> list[str]:
    """The bars of every category (side by side, or stacked) and the category labels."""
    parts = []
    plot_h, unit = plot.plot_h, plot.unit
    slot = plot.plot_w / len(categories)
    groups = 1 if stacked else max(1, len(series))
    bar_w = min(28.0, slot * 0.7 / groups)
    limit = max(4, int(slot / 10))
    for j, category in enumerate(categories):
        centre = plot.left + slot * (j + 0.5)
        base = 0.0
        for i, s in enumerate(series):
            v = _value(s, j)
            h = plot_h * v / top_value
            if stacked:
                x0, y0 = centre - bar_w / 2, plot.top + plot_h - plot_h * base / top_value - h
                base += v
            else:
                x0 = centre - bar_w * groups / 2 + bar_w * i
                y0 = plot.top + plot_h - h
                raw = s["data"][j] if j < len(s["data"]) else None
                if raw is not None:
                    parts.append(_text(x0 + bar_w / 2, y0 - 2, _fmt(float(raw)) + unit, size=7))
            if h > 0:
                parts.append(
                    f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                )
        parts.append(_text(centre, plot.top + plot_h + 13, _label(str(category), limit), size=8))
    return parts


def bar_chart_svg(chart: dict[str, Any], *, width: int = 640, height: int = 240) -> str:
    """Return an ``<svg>`` element for a chart dict (``Figure.chart()``)."""
    categories: list[str] = list(chart.get("categories", []))
    series: list[dict[str, Any]] = list(chart.get("series", []))
    stacked = chart.get("kind") == "stacked"
    plot = _Plot(width, height, str(chart.get("unit", "")))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(chart.get("title", ""))}">'
    ]
    parts += _legend(series, plot.left)
    if not categories:
        parts.append(_text(width / 2, height / 2, "暂无数据"))
    else:
        top_value = _axis_top(series, len(categories), stacked=stacked, unit=plot.unit)
        parts += _axis(plot, top_value)
        parts += _bars(plot, categories, series, top_value, stacked=stacked)
    parts.append("</svg>")
    return "".join(parts)
