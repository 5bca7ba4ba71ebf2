"""The alignment page: a cycle's objectives, the goals aligned to them (and to those goals), progress rolled up.

It reads the same tree as GET /cycles/{id}/alignment (projections/rollup.py), so a goal the viewer may not see is
left out of what they are shown (domain.rules.may_see) while the objective's progress still counts it (ADR 0023).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.problems import Problem
from api.web.draft_pages import running_cycle
from api.web.pages import PageRoute, SessionDep, refuse_on_page, render
from api.web.workspace import fresh
from application.cycles.service import Cycles
from application.goals.service import Goals
from domain import rules
from projections.alignment import AlignmentProjection
from projections.review_projection import ReviewProjection
from projections.rollup import AlignmentViews

router = APIRouter(prefix="/workspace/alignment", route_class=PageRoute, include_in_schema=False)


def named(nodes: list[dict[str, Any]], name_of: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """The goal nodes with their owner's name beside the id, all the way down."""
    return [{**node, "owner_name": name_of(node["owner_id"]) or node["owner_id"],
             "aligned": named(node["aligned"], name_of)} for node in nodes]


@router.get("", response_class=HTMLResponse)
def alignment(request: Request, session: SessionDep, cycle: str | None = None) -> HTMLResponse:
    """The cycle's objectives and the goals aligned to them, as far as the viewer may see them."""
    refuse_on_page(session.actor, rules.READS_GOALS)
    goals: Goals = request.app.state.goals
    cycles: Cycles = request.app.state.cycles
    known = {c.cycle_id: c for c in cycles.list_cycles()}
    chosen = cycle if cycle is not None else running_cycle(cycles, goals.today())[0]
    if chosen not in known:
        if cycle is not None:
            raise Problem(404, "cycle_not_found", "There is no review cycle by that name.")
        return render(request, "alignment.html", {"cycles": list(known.values()), "chosen": None, "tree": None})
    fresh(request, AlignmentProjection.name)
    fresh(request, ReviewProjection.name)
    views: AlignmentViews = request.app.state.alignment
    tree = views.cycle(session.actor, chosen)
    name_of = goals.parties.display_name_of
    shown = {"objectives": [{**o, "owner_name": o["owner"] and (name_of(o["owner"]) or o["owner"]),
                             "goals": named(o["goals"], name_of)} for o in tree["objectives"]],
             "unaligned": named(tree["unaligned"], name_of)}
    return render(request, "alignment.html", {"cycles": list(known.values()), "chosen": known[chosen], "tree": shown})
