"""Figures and the Markdown table: figure, target, baseline, ratio, PASS/MISS."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_OPS: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}


@dataclass
class Figure:
    """One measured number and the target it is judged by.

    `target_on="ratio"` judges `value / baseline` (e.g. throughput against the baseline app);
    `value=None` means the figure could not be measured and `note` says why (shown as n/a).
    """

    scenario: str
    name: str
    value: float | None
    unit: str = ""
    op: str | None = None  # "<=", ">=", "==" or None for an informational figure
    target: float | None = None
    baseline: float | None = None
    target_on: str = "value"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def result(self) -> str:
        if self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return "n/a"
        if self.op is None or self.target is None:
            return "info"
        judged = self.ratio if self.target_on == "ratio" else self.value
        if judged is None:
            return "n/a"
        return "PASS" if _OPS[self.op](judged, self.target) else "MISS"

    @property
    def target_text(self) -> str:
        if self.op is None or self.target is None:
            return ""
        subject = "ratio " if self.target_on == "ratio" else ""
        unit = "" if self.target_on == "ratio" else _unit(self.unit)
        symbol = {"<=": "≤", ">=": "≥", "==": "="}[self.op]
        return f"{subject}{symbol} {fmt(self.target)}{unit}"


def _unit(unit: str) -> str:
    return f" {unit}" if unit and unit != "%" else unit


def fmt(value: float | None) -> str:
    """Numbers as a reader wants them: integers plain, small numbers with enough digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.1f}"
    return f"{value:.3g}"


def markdown_table(figures: Sequence[Figure]) -> str:
    """The results as a GitHub Markdown table, one row per figure."""
    header = "| Scenario | Figure | Value | Target | Baseline | Ratio | Result |"
    rule = "|---|---|---:|---|---:|---:|---|"
    rows = [header, rule]
    for f in figures:
        value = f"n/a ({f.note})" if f.value is None else f"{fmt(f.value)}{_unit(f.unit)}"
        baseline = "" if f.baseline is None else f"{fmt(f.baseline)}{_unit(f.unit)}"
        ratio = "" if f.ratio is None else f"{f.ratio:.2f}×"
        result = f.result if f.result != "info" else ""
        name = f.name if not f.note or f.value is None else f"{f.name} ({f.note})"
        rows.append(
            f"| {f.scenario} | {name} | {value} | {f.target_text} | {baseline} | {ratio} | {result} |"
        )
    return "\n".join(rows)


def summary(figures: Sequence[Figure]) -> str:
    results = [f.result for f in figures]
    return (
        f"{results.count('PASS')} PASS, {results.count('MISS')} MISS, "
        f"{results.count('n/a')} n/a, {results.count('info')} informational"
    )
