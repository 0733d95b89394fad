"""PNG charts for Slack, drawn with matplotlib's object API on the Agg backend.

No pyplot: a `Figure` per chart and no global state, so concurrent listeners never share a figure.
Sized for Slack's inline preview (about 360 px high in the client): 1200 x 600 px at 150 dpi with
large type, so labels stay readable when Slack scales the image down.
"""

from __future__ import annotations

import io
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.history.months import History
from bot.money import CURRENCY

BAR = "#2f6fde"
CURRENT = "#9dbcf2"
LINE = "#1b3f80"


def axis_money(value: float, locale: str) -> str:
    """Whole currency units for axis ticks (`$1,500`), in the bot's locale."""
    return format_currency(
        Decimal(str(round(value))), CURRENCY, format="¤#,##0", locale=locale, currency_digits=False
    )


def history_chart(history: History, *, locale: str = "en_US", title: str = "Commission per month") -> bytes:
    """Bars per month (the running month lighter), a line over them, money on the y axis."""
    figure = Figure(figsize=(8, 4), dpi=150, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [format_date(m.month, "MMM yy", locale=locale) for m in history.months]
    values = [float(m.amount) for m in history.months]
    colours = [CURRENT if m.current else BAR for m in history.months]
    positions = range(len(values))
    axes.bar(positions, values, color=colours, width=0.7)
    axes.plot(positions, values, color=LINE, marker="o", linewidth=1.5, markersize=4)
    axes.set_xticks(list(positions), labels, fontsize=9, rotation=45 if len(values) > 12 else 0)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: axis_money(value, locale)))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axes.tick_params(axis="y", labelsize=9)
    axes.set_ylim(bottom=0, top=max([*values, 1.0]) * 1.15)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(title, fontsize=13, loc="left")
    for position, month in zip(positions, history.months, strict=True):
        if month.commission is None:
            axes.annotate(
                "none",
                (position, 0),
                xytext=(0, 8),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
                color="#777777",
            )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
