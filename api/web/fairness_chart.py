"""The fairness report's chart: per group, the share of its goals eased at least once, as labelled SVG bars."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

BAR, GAP, LEFT, WIDTH = 22, 12, 150, 640


def fairness_chart(report: dict[str, Any]) -> Markup:
    groups = report["groups"]
    flagged = set(report["disparity"].get("flagged", []))
    height = GAP + len(groups) * (BAR + GAP) + 24
    plot = WIDTH - LEFT - 140
    parts = []
    for i, group in enumerate(groups):
        y = GAP + i * (BAR + GAP)
        rate = group["eased_goals"] / group["goals"] if group["goals"] else 0.0
        mark = " (flagged)" if group["group"] in flagged else ""
        label = f"{group['eased_goals']} of {group['goals']} goals eased, {round(rate * 100)}%{mark}"
        parts.append(
            f'<text class="tick" x="{LEFT - 8}" y="{y + 15}" text-anchor="end">{escape(group["group"])}</text>'
            f'<rect class="bar{" flagged" if mark else ""}" x="{LEFT}" y="{y}" width="{max(plot * rate, 1):.1f}" '
            f'height="{BAR}"><title>{escape(group["group"])}: {escape(label)}</title></rect>'
            f'<text class="label" x="{LEFT + plot * rate + 6:.1f}" y="{y + 15}">{escape(label)}</text>'
        )
    axis_y = height - 20
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{LEFT + plot}" y2="{axis_y}"/>'
                 f'<text class="tick" x="{LEFT}" y="{axis_y + 14}">0%</text>'
                 f'<text class="tick" x="{LEFT + plot}" y="{axis_y + 14}" text-anchor="end">100%</text>')
    return Markup(f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="fairness-title" '
                  f'xmlns="http://www.w3.org/2000/svg"><title id="fairness-title">Goals eased at least once, per '
                  f'group; the figures are in the table below</title>{"".join(parts)}</svg>')
