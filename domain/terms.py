"""A goal's terms: what the owner and the manager agree to, and what a draft revision may change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from domain import validation
from domain.errors import InvalidGoalInputError, UnknownKpiError
from domain.values import Kpi


@dataclass(frozen=True)
class GoalTerms:
    """The revisable terms of a goal; the cycle, owner and manager are fixed when it is drafted."""

    title: str
    statement: str
    kpis: tuple[Kpi, ...]
    deadline: date | None
    weight: Decimal
    org_unit: str | None = None
    parent_goal_id: str | None = None
    rationale: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> GoalTerms:
        """Terms from a mapping of every field (KPIs already read, see domain.stored)."""
        return cls(**{**{n: data[n] for n in cls.names()}, "kpis": tuple(data["kpis"])})

    def to_stored(self) -> dict[str, Any]:
        return {**{n: getattr(self, n) for n in self.names()}, "kpis": [k.as_dict() for k in self.kpis]}

    def revised(self, changes: Mapping[str, Any]) -> GoalTerms:
        """These terms with some fields replaced; the names must be revisable terms."""
        unknown = sorted(set(changes) - set(self.names()))
        if unknown:
            raise InvalidGoalInputError(unknown[0], f"cannot be revised (revisable: {', '.join(self.names())})")
        given = dict(changes)
        if "kpis" in given:
            given["kpis"] = tuple(given["kpis"])
        return replace(self, **given)

    def differences(self, other: GoalTerms) -> dict[str, Any]:
        """The fields of `other` that differ from these terms."""
        return {n: getattr(other, n) for n in self.names() if getattr(self, n) != getattr(other, n)}

    def stored_changes(self, other: GoalTerms) -> dict[str, Any]:
        """`differences` in the shape a Revised event stores."""
        changes = self.differences(other)
        if "kpis" in changes:
            changes["kpis"] = [k.as_dict() for k in changes["kpis"]]
        return changes

    def kpi(self, kpi_id: str) -> Kpi:
        for kpi in self.kpis:
            if kpi.id == kpi_id:
                return kpi
        known = ", ".join(k.id for k in self.kpis)
        raise UnknownKpiError(f"the goal has no KPI {kpi_id!r} (it has: {known})", kpi=kpi_id)

    def require_well_formed(self) -> None:
        validation.require_text("title", self.title, max_length=200)
        validation.require_text("statement", self.statement)
        validation.require_text("rationale", self.rationale, required=False)
        validation.require_text("parent_goal_id", self.parent_goal_id, required=False, max_length=200)
        validation.require_text("org_unit", self.org_unit, required=False, max_length=200)
        validation.require_weight(self.weight)
        validation.require_kpis_well_formed(self.kpis)


class TermsInForce:
    """What an aggregate holding `terms` (in force) and `original_terms` (as agreed) says of them."""

    terms: GoalTerms
    original_terms: GoalTerms

    @property
    def title(self) -> str:
        return self.terms.title

    @property
    def statement(self) -> str:
        return self.terms.statement

    @property
    def kpis(self) -> tuple[Kpi, ...]:
        return self.terms.kpis

    @property
    def deadline(self) -> date | None:
        return self.terms.deadline

    @property
    def weight(self) -> Decimal:
        return self.terms.weight

    @property
    def org_unit(self) -> str | None:
        return self.terms.org_unit

    @property
    def parent_goal_id(self) -> str | None:
        return self.terms.parent_goal_id

    @property
    def rationale(self) -> str | None:
        return self.terms.rationale

    @property
    def original_kpis(self) -> tuple[Kpi, ...]:
        return self.original_terms.kpis

    @property
    def original_deadline(self) -> date | None:
        return self.original_terms.deadline

    def kpi(self, kpi_id: str) -> Kpi:
        return self.terms.kpi(kpi_id)
