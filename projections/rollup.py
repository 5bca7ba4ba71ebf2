"""Progress rolled up the alignment tree: objectives, the goals aligned to them, the goals aligned to those.

A goal's own progress is its attainment as the review read model computes it (projections/review/view.py), once
it is agreed; a node's progress is the weighted mean (by goal weight) of the measured goals in its subtree, itself
included. Drafts and cancelled or carried-over goals count for nothing. Goal nodes a viewer may not see
(domain.rules.may_see) are left out of the tree they are shown; the roll-up still counts them (ADR 0023).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

from sqlalchemy import Engine, select

from domain import rules
from domain.values import ARITHMETIC, Actor
from projections.alignment import Row, load_cycle
from projections.review.view import FOUR_PLACES, goal_attainment
from projections.tables import goal_reviews

UNMEASURED = ("draft",)


@dataclass
class Node:
    """One goal in the tree, with the goals aligned to it."""

    row: Row
    attainment: Decimal | None
    children: list[Node] = field(default_factory=list)

    def measured(self) -> list[tuple[Decimal, Decimal]]:
        """(weight, attainment) of every measured goal in this subtree."""
        own = [(Decimal(self.row["weight"]), self.attainment)] if self.attainment is not None else []
        return own + [pair for child in self.children for pair in child.measured()]

    def view(self, viewer: Actor) -> dict[str, Any] | None:
        if not rules.may_see(viewer, self.row["owner_id"], self.row["manager_id"]):
            return None
        return {"goal_id": self.row["goal_id"], "title": self.row["title"], "owner_id": self.row["owner_id"],
                "status": self.row["status"], "weight": self.row["weight"], "progress": weighted(self.measured()),
                "aligned": visible(self.children, viewer)}


def weighted(pairs: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    total = sum((weight for weight, _ in pairs), Decimal(0))
    if not pairs or total == 0:
        return None
    with localcontext(ARITHMETIC):
        return (sum((w * a for w, a in pairs), Decimal(0)) / total).quantize(FOUR_PLACES)


def visible(nodes: list[Node], viewer: Actor) -> list[dict[str, Any]]:
    return [view for node in nodes if (view := node.view(viewer)) is not None]


def cycle_tree(engine: Engine, cycle_id: str) -> tuple[list[Row], dict[str, list[Node]]]:
    """The cycle's objectives, and the goal nodes under each link target (objective or goal id, or None)."""
    with engine.connect() as connection:
        found, goals = load_cycle(connection, cycle_id)
        states = _attainments(connection, [g["goal_id"] for g in goals])
    nodes = {g["goal_id"]: Node(g, states.get(g["goal_id"])) for g in goals}
    under: dict[str | None, list[Node]] = defaultdict(list)
    for node in nodes.values():
        parent = node.row["aligned_to"]
        if parent in nodes:
            nodes[parent].children.append(node)
        else:
            under[parent].append(node)
    objective_ids = {o["objective_id"] for o in found}
    unaligned = [n for key, group in under.items() if key not in objective_ids for n in group]
    tops: dict[str, list[Node]] = {o["objective_id"]: under.get(o["objective_id"], []) for o in found}
    return found, {**tops, "": unaligned}


def objective_progress(nodes: list[Node]) -> Decimal | None:
    return weighted([pair for node in nodes for pair in node.measured()])


def _attainments(connection: Any, goal_ids: list[str]) -> dict[str, Decimal | None]:
    if not goal_ids:
        return {}
    query = select(goal_reviews.c.goal_id, goal_reviews.c.state).where(goal_reviews.c.goal_id.in_(goal_ids))
    result: dict[str, Decimal | None] = {}
    for goal_id, text in connection.execute(query):
        state = json.loads(text)
        counted = state["status"] not in UNMEASURED and (state["outcome"] or {}).get("outcome") != "cancelled"
        result[goal_id] = goal_attainment(state) if counted else None
    return result


class AlignmentViews:
    """The alignment tree of a cycle, or one objective's part of it, as a viewer may see it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def objective(self, viewer: Actor, objective_id: str, cycle_id: str) -> dict[str, Any]:
        """The goals aligned to one objective (as a tree) and its progress."""
        _found, tops = cycle_tree(self.engine, cycle_id)
        nodes = tops.get(objective_id, [])
        return {"progress": objective_progress(nodes), "goals": visible(nodes, viewer)}

    def cycle(self, viewer: Actor, cycle_id: str) -> dict[str, Any]:
        """Every objective of the cycle with its tree and progress, and the goals aligned to none of them."""
        found, tops = cycle_tree(self.engine, cycle_id)
        return {
            "cycle": cycle_id,
            "objectives": [
                {"id": o["objective_id"], "title": o["title"], "org_unit": o["org_unit"], "owner": o["owner_id"],
                 "progress": objective_progress(tops[o["objective_id"]]),
                 "goals": visible(tops[o["objective_id"]], viewer)}
                for o in found
            ],
            "unaligned": visible(tops[""], viewer),
        }
