"""The Goal aggregate: a SMART goal's life from draft to closure, as a stream of events.

Public methods guard the rules and trigger events; each event's `apply` only changes state, because it runs
again on every replay: a rule tightened later must never sit there, or old goals would stop replaying.
Stored topics are explicit (`goalengine:Goal.<Event>`) so that moving or renaming a class never breaks them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import rules
from domain.errors import (
    AlreadySignedError,
    ClosureRuleError,
    FourEyesViolationError,
    GoalClosedError,
    GoalNotAgreedError,
    GoalNotDraftError,
    InvalidGoalInputError,
    MeasurementInFutureError,
    MeasurementOutOfPeriodError,
    MilestoneLockedError,
    MilestoneRuleError,
    NotAPartyError,
    PermissionDeniedError,
    RecalibrationDecidedError,
    RecalibrationPendingError,
    RecalibrationRuleError,
    SmartCheckFailedError,
    StaleVersionError,
    UnknownKpiError,
    UnknownRecalibrationError,
)
from domain.smart import DEFAULT_POLICY, SmartPolicy, SmartReport, assess
from domain.values import (
    Actor,
    Cycle,
    Kpi,
    Measurement,
    Milestone,
    Outcome,
    Party,
    ReasonCategory,
    Recalibration,
    RecalibrationStatus,
    Role,
    Signature,
    Status,
)

REVISABLE_FIELDS = ("title", "statement", "kpis", "deadline", "parent_goal_id", "rationale", "weight", "org_unit")
MIN_JUSTIFICATION = 10


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


class Goal(Aggregate):
    """One employee's goal for one review cycle."""

    TOPIC = "goalengine:Goal"

    class Event(Aggregate.Event):
        """Every event says who acted, in which role; the library stamps when."""

        TOPIC = "goalengine:Goal.Event"
        actor_id: str
        actor_role: str

    class Drafted(Aggregate.Created, Event):
        TOPIC = "goalengine:Goal.Drafted"
        cycle: dict[str, Any]
        owner_id: str
        manager_id: str
        org_unit: str | None
        title: str
        statement: str
        kpis: list[dict[str, Any]]
        deadline: date | None
        parent_goal_id: str | None
        rationale: str | None
        weight: Decimal

    class Revised(Event):
        TOPIC = "goalengine:Goal.Revised"
        changes: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            for name, value in self.changes.items():
                if name == "kpis":
                    value = [Kpi.from_dict(k) for k in value]
                setattr(goal, name, value)
            goal.content_version = self.originator_version

    class SignatureVoided(Event):
        TOPIC = "goalengine:Goal.SignatureVoided"
        party: str
        signed_content_version: int
        reason: str

        def apply(self, goal: Goal) -> None:
            goal.signatures.pop(self.party, None)

    class AgreementSigned(Event):
        """Version 2 adds `read_version`: the goal version the signer said they read (None if they did not say)."""

        TOPIC = "goalengine:Goal.AgreementSigned"
        class_version = 2
        party: str
        content_version: int
        read_version: int | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Signatures stored before version 2 did not record which version the signer had read.
            state["read_version"] = None

        def apply(self, goal: Goal) -> None:
            goal.signatures[self.party] = Signature(
                party=Party(self.party),
                actor_id=self.actor_id,
                content_version=self.content_version,
                signed_at=self.timestamp,
                version=self.originator_version,
            )

    class Agreed(Event):
        TOPIC = "goalengine:Goal.Agreed"
        content_version: int

        def apply(self, goal: Goal) -> None:
            goal.status = Status.AGREED
            goal.agreed_at = self.timestamp
            goal.agreed_version = self.originator_version
            goal.original_kpis = list(goal.kpis)
            goal.original_deadline = goal.deadline

    class MilestoneSet(Event):
        TOPIC = "goalengine:Goal.MilestoneSet"
        milestone: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            milestone = Milestone.from_dict(self.milestone)
            goal.milestones = [m for m in goal.milestones if m.id != milestone.id] + [milestone]
            goal.milestones.sort(key=lambda m: (m.due, m.kpi))

    class KpiRecorded(Event):
        TOPIC = "goalengine:Goal.KpiRecorded"
        kpi: str
        value: Decimal
        observed_at: date
        source: str
        note: str
        corrects_version: int | None

        def apply(self, goal: Goal) -> None:
            goal.measurements.append(
                Measurement(
                    kpi=self.kpi,
                    value=self.value,
                    observed_at=self.observed_at,
                    recorded_at=self.timestamp,
                    source=self.source,
                    note=self.note,
                    recorded_by=self.actor_id,
                    version=self.originator_version,
                    corrects_version=self.corrects_version,
                )
            )

    class RecalibrationProposed(Event):
        TOPIC = "goalengine:Goal.RecalibrationProposed"
        recalibration_id: str
        reason: str
        justification: str
        changes: dict[str, Any]
        before: dict[str, Any]
        after: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            goal.recalibrations.append(
                Recalibration(
                    id=self.recalibration_id,
                    reason=ReasonCategory(self.reason),
                    justification=self.justification,
                    proposed_by=self.actor_id,
                    proposer_role=Role(self.actor_role),
                    proposed_at=self.timestamp,
                    proposed_version=self.originator_version,
                    changes=self.changes,
                    before=self.before,
                    after=self.after,
                )
            )

    class RecalibrationRejected(Event):
        TOPIC = "goalengine:Goal.RecalibrationRejected"
        recalibration_id: str
        note: str

        def apply(self, goal: Goal) -> None:
            _decide(goal, self, RecalibrationStatus.REJECTED)

    class Recalibrated(Event):
        TOPIC = "goalengine:Goal.Recalibrated"
        recalibration_id: str
        note: str
        before: dict[str, Any]
        after: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            recalibration = _decide(goal, self, RecalibrationStatus.APPROVED)
            recalibration.before, recalibration.after = self.before, self.after
            for kpi_id, values in self.after["targets"].items():
                goal.kpis = [Kpi(**{**k.__dict__, **values}) if k.id == kpi_id else k for k in goal.kpis]
            if self.after["deadline"] is not None:
                goal.deadline = self.after["deadline"]
            replaced = {m["replaces"] for m in recalibration.changes["milestones"] if m.get("replaces")}
            added = [Milestone.from_dict(m) for m in self.after["milestones"]]
            added_ids = {m.id for m in added}
            kept = [m for m in goal.milestones if m.id not in replaced and m.id not in added_ids]
            goal.milestones = sorted(kept + added, key=lambda m: (m.due, m.kpi))

    class Closed(Event):
        TOPIC = "goalengine:Goal.Closed"
        outcome: str
        summary: str

        def apply(self, goal: Goal) -> None:
            goal.status = Status.CLOSED
            goal.outcome = Outcome(self.outcome)
            goal.summary = self.summary
            goal.closed_at = self.timestamp
            goal.closed_by = self.actor_id

    def __init__(
        self,
        cycle: dict[str, Any],
        owner_id: str,
        manager_id: str,
        org_unit: str | None,
        title: str,
        statement: str,
        kpis: list[dict[str, Any]],
        deadline: date | None,
        parent_goal_id: str | None,
        rationale: str | None,
        weight: Decimal,
        actor_id: str,
        actor_role: str,
    ) -> None:
        self.cycle = Cycle.from_dict(cycle)
        self.owner_id = owner_id
        self.manager_id = manager_id
        self.org_unit = org_unit
        self.title = title
        self.statement = statement
        self.kpis = [Kpi.from_dict(k) for k in kpis]
        self.original_kpis = list(self.kpis)
        self.deadline = deadline
        self.original_deadline = deadline
        self.parent_goal_id = parent_goal_id
        self.rationale = rationale
        self.weight = weight
        self.drafted_by = actor_id
        self.status = Status.DRAFT
        self.content_version = self.version
        self.signatures = {}
        self.agreed_at = None
        self.agreed_version = None
        self.milestones = []
        self.measurements = []
        self.recalibrations = []
        self.outcome = None
        self.summary = None
        self.closed_at = None
        self.closed_by = None

    @classmethod
    def draft(
        cls,
        *,
        actor: Actor,
        cycle: Cycle,
        owner_id: str,
        manager_id: str,
        title: str,
        statement: str,
        kpis: Sequence[Kpi],
        deadline: date | None,
        weight: Decimal,
        org_unit: str | None = None,
        parent_goal_id: str | None = None,
        rationale: str | None = None,
        goal_id: UUID | None = None,
    ) -> Goal:
        """Draft a goal: the owner for themself, the manager for a report, or HR for anyone."""
        if actor.role in (Role.AUDITOR, Role.SERVICE) or (
            actor.role is not Role.HR and actor.id not in (owner_id, manager_id)
        ):
            raise PermissionDeniedError(
                f"{actor.role} {actor.id!r} may not draft a goal for owner {owner_id!r} and manager {manager_id!r}",
                actor_id=actor.id,
            )
        rules.require_text("owner_id", owner_id, max_length=200)
        rules.require_text("manager_id", manager_id, max_length=200)
        if owner_id == manager_id:
            raise InvalidGoalInputError("manager_id", f"the owner {owner_id!r} cannot also be their own manager")
        rules.require_cycle(cycle)
        terms = {
            "title": title,
            "statement": statement,
            "kpis": list(kpis),
            "deadline": deadline,
            "weight": weight,
            "org_unit": org_unit,
            "parent_goal_id": parent_goal_id,
            "rationale": rationale,
        }
        _require_terms_well_formed(terms)
        return cls._create(
            cls.Drafted,
            id=goal_id or uuid4(),
            cycle=cycle.as_dict(),
            owner_id=owner_id,
            manager_id=manager_id,
            org_unit=org_unit,
            title=title,
            statement=statement,
            kpis=[k.as_dict() for k in kpis],
            deadline=deadline,
            parent_goal_id=parent_goal_id,
            rationale=rationale,
            weight=weight,
            actor_id=actor.id,
            actor_role=str(actor.role),
        )

    # --- queries -------------------------------------------------------------------------------------------

    def smart_report(self, today: date | None = None, policy: SmartPolicy = DEFAULT_POLICY) -> SmartReport:
        return assess(self, today or utc_today(), policy)

    def kpi(self, kpi_id: str) -> Kpi:
        for kpi in self.kpis:
            if kpi.id == kpi_id:
                return kpi
        known = ", ".join(k.id for k in self.kpis)
        raise UnknownKpiError(f"the goal has no KPI {kpi_id!r} (it has: {known})", kpi=kpi_id)

    def recalibration(self, recalibration_id: str) -> Recalibration:
        for recalibration in self.recalibrations:
            if recalibration.id == recalibration_id:
                return recalibration
        raise UnknownRecalibrationError(
            f"the goal has no recalibration {recalibration_id!r}", recalibration_id=recalibration_id
        )

    def pending_recalibration(self) -> Recalibration | None:
        return next((r for r in self.recalibrations if r.status == RecalibrationStatus.PROPOSED), None)

    def counted_measurements(self) -> dict[tuple[str, date], Measurement]:
        """The reading that counts for each KPI and day: a later recording corrects an earlier one."""
        counted: dict[tuple[str, date], Measurement] = {}
        for measurement in self.measurements:
            counted[(measurement.kpi, measurement.observed_at)] = measurement
        return counted

    def party_of(self, actor: Actor) -> Party | None:
        if actor.id == self.owner_id:
            return Party.OWNER
        if actor.id == self.manager_id:
            return Party.MANAGER
        return None

    # --- commands --------------------------------------------------------------------------------------------

    def revise(self, changes: dict[str, Any], actor: Actor) -> None:
        """Change a draft's terms; a signature given to the old terms no longer holds."""
        self._require_open()
        self._require_draft("revised")
        self._require_party_or_hr(actor, "revise")
        unknown = sorted(set(changes) - set(REVISABLE_FIELDS))
        if unknown:
            raise InvalidGoalInputError(unknown[0], f"cannot be revised (revisable: {', '.join(REVISABLE_FIELDS)})")
        current = {name: getattr(self, name) for name in REVISABLE_FIELDS}
        effective = {k: v for k, v in changes.items() if current[k] != v}
        if not effective:
            raise InvalidGoalInputError("changes", "the revision changes nothing")
        revised = {**current, **effective}
        _require_terms_well_formed(revised)
        self._require_milestones_fit({k.id: k for k in revised["kpis"]}, revised["deadline"])
        stored = dict(effective)
        if "kpis" in stored:
            stored["kpis"] = [k.as_dict() for k in stored["kpis"]]
        self.trigger_event(self.Revised, changes=stored, **_by(actor))
        for party, signature in list(self.signatures.items()):
            self.trigger_event(
                self.SignatureVoided,
                party=party,
                signed_content_version=signature.content_version,
                reason=f"terms revised at version {self.content_version}",
                **_by(actor),
            )

    def sign(
        self,
        actor: Actor,
        read_version: int | None = None,
        today: date | None = None,
        policy: SmartPolicy = DEFAULT_POLICY,
    ) -> None:
        """The owner or the manager signs the terms they read; the second signature puts the goal in force."""
        self._require_open()
        self._require_draft("signed")
        party = self.party_of(actor)
        if party is None:
            raise NotAPartyError(
                f"{actor.id!r} is neither the owner ({self.owner_id!r}) nor the manager ({self.manager_id!r})",
                actor_id=actor.id,
            )
        if party in self.signatures:
            raise AlreadySignedError(f"the {party} {actor.id!r} has already signed", party=str(party))
        if read_version is not None and not self.content_version <= read_version <= self.version:
            raise StaleVersionError(
                f"version {read_version} is not the current terms: they were last changed at version "
                f"{self.content_version} and the goal is at version {self.version}",
                read_version=read_version,
                content_version=self.content_version,
            )
        report = self.smart_report(today, policy)
        if not report.passes:
            summary = "; ".join(f"{f.criterion}: {f.message}" for f in report.blocking)
            raise SmartCheckFailedError(
                f"the goal fails the SMART check: {summary}",
                findings=[{"criterion": str(f.criterion), "code": f.code, "message": f.message} for f in report.blocking],
            )
        self.trigger_event(
            self.AgreementSigned,
            party=str(party),
            content_version=self.content_version,
            read_version=read_version,
            **_by(actor),
        )
        if len(self.signatures) == len(Party):
            self.trigger_event(self.Agreed, content_version=self.content_version, **_by(actor))

    def set_milestone(self, kpi: str, due: date, target: Decimal, actor: Actor) -> str:
        """Set a checkpoint on the way to a KPI's target; after agreement only a recalibration moves one."""
        self._require_open()
        self._require_party_or_hr(actor, "set milestones on")
        kpi_in_force = self.kpi(kpi)
        if self.deadline is None:
            raise MilestoneRuleError("a goal without a deadline cannot have milestones")
        milestone = Milestone(id=f"{kpi}@{due.isoformat()}", kpi=kpi, due=due, target=target)
        rules.require_milestone_fits(milestone, kpi_in_force, self.cycle.start, self.deadline)
        if self.status == Status.AGREED and any(m.id == milestone.id for m in self.milestones):
            raise MilestoneLockedError(
                f"milestone {milestone.id!r} is part of the agreed goal; change it through a recalibration",
                milestone_id=milestone.id,
            )
        self.trigger_event(self.MilestoneSet, milestone=milestone.as_dict(), **_by(actor))
        return milestone.id

    def record_kpi(
        self,
        kpi: str,
        value: Decimal,
        observed_at: date,
        actor: Actor,
        source: str = "",
        note: str = "",
        today: date | None = None,
    ) -> None:
        """Record a KPI reading; a second reading for the same KPI and day is a correction."""
        self._require_open()
        self._require_agreed("take KPI values")
        self._require_party_or_hr(actor, "record KPI values on")
        self.kpi(kpi)
        rules.require_finite("value", value)
        rules.require_text("source", source, required=False, max_length=200)
        rules.require_text("note", note, required=False)
        today = today or utc_today()
        if observed_at > today:
            raise MeasurementInFutureError(
                f"observed_at {observed_at} is in the future (today is {today})", observed_at=str(observed_at)
            )
        assert self.deadline is not None  # an agreed goal passed the SMART check, which needs a deadline
        if not self.cycle.start <= observed_at <= self.deadline:
            raise MeasurementOutOfPeriodError(
                f"observed_at {observed_at} lies outside the goal's period ({self.cycle.start} to {self.deadline})",
                observed_at=str(observed_at),
            )
        earlier = self.counted_measurements().get((kpi, observed_at))
        self.trigger_event(
            self.KpiRecorded,
            kpi=kpi,
            value=value,
            observed_at=observed_at,
            source=source,
            note=note,
            corrects_version=earlier.version if earlier else None,
            **_by(actor),
        )

    def propose_recalibration(
        self,
        actor: Actor,
        reason: str,
        justification: str,
        targets: dict[str, dict[str, Decimal]] | None = None,
        deadline: date | None = None,
        milestones: Sequence[dict[str, Any]] = (),
        today: date | None = None,
    ) -> str:
        """Propose new targets, deadline or milestones when reality has changed; HR decides."""
        self._require_open()
        self._require_agreed("be recalibrated")
        if self.party_of(actor) is None:
            raise NotAPartyError(
                f"only the owner or the manager proposes a recalibration, not {actor.id!r}", actor_id=actor.id
            )
        if reason not in set(ReasonCategory):
            raise InvalidGoalInputError("reason", f"{reason!r} is not one of {', '.join(ReasonCategory)}")
        rules.require_text("justification", justification)
        if len(justification.strip()) < MIN_JUSTIFICATION:
            raise RecalibrationRuleError(
                f"justification {justification!r} is too short: say what changed in reality "
                f"(at least {MIN_JUSTIFICATION} characters)"
            )
        pending = self.pending_recalibration()
        if pending:
            raise RecalibrationPendingError(
                f"recalibration {pending.id!r} awaits HR's decision; decide it first", recalibration_id=pending.id
            )
        changes = self._recalibration_changes(targets or {}, deadline, milestones, today or utc_today())
        recalibration_id = f"r{len(self.recalibrations) + 1}"
        before, after = self._before_after(changes)
        self.trigger_event(
            self.RecalibrationProposed,
            recalibration_id=recalibration_id,
            reason=reason,
            justification=justification,
            changes=changes,
            before=before,
            after=after,
            **_by(actor),
        )
        return recalibration_id

    def approve_recalibration(self, recalibration_id: str, actor: Actor, note: str = "") -> None:
        """HR approves a proposal; it takes effect. Four eyes: not the owner, not the proposer."""
        recalibration = self._decidable(recalibration_id, actor, note)
        # Milestones set while the proposal waited must fit the recalibrated terms too.
        self._require_milestones_fit(*self._recalibrated_terms(recalibration.changes))
        before, after = self._before_after(recalibration.changes)
        self.trigger_event(
            self.Recalibrated, recalibration_id=recalibration_id, note=note, before=before, after=after, **_by(actor)
        )

    def reject_recalibration(self, recalibration_id: str, actor: Actor, note: str = "") -> None:
        """HR rejects a proposal; the goal stays as it was."""
        self._decidable(recalibration_id, actor, note)
        self.trigger_event(self.RecalibrationRejected, recalibration_id=recalibration_id, note=note, **_by(actor))

    def close(self, outcome: str, summary: str, actor: Actor) -> None:
        """Close the goal with its outcome; a closed goal takes no further command."""
        self._require_open()
        if outcome not in set(Outcome):
            raise InvalidGoalInputError("outcome", f"{outcome!r} is not one of {', '.join(Outcome)}")
        rules.require_text("summary", summary)
        if not (actor.id == self.manager_id or actor.role is Role.HR):
            raise PermissionDeniedError(
                f"only the manager ({self.manager_id!r}) or HR closes a goal, not {actor.id!r}", actor_id=actor.id
            )
        if self.status == Status.DRAFT and outcome != Outcome.CANCELLED:
            raise ClosureRuleError(f"a draft can only be closed as cancelled, not {outcome}", outcome=outcome)
        pending = self.pending_recalibration()
        if pending:
            raise RecalibrationPendingError(
                f"recalibration {pending.id!r} awaits HR's decision; decide it before closing",
                recalibration_id=pending.id,
            )
        self.trigger_event(self.Closed, outcome=outcome, summary=summary, **_by(actor))

    # --- guards ------------------------------------------------------------------------------------------------

    def _require_open(self) -> None:
        if self.status == Status.CLOSED:
            raise GoalClosedError(f"goal {self.id} is closed ({self.outcome}) and takes no further command")

    def _require_draft(self, doing: str) -> None:
        if self.status != Status.DRAFT:
            raise GoalNotDraftError(f"goal {self.id} is {self.status}; only a draft can be {doing}")

    def _require_agreed(self, doing: str) -> None:
        if self.status != Status.AGREED:
            raise GoalNotAgreedError(f"goal {self.id} is {self.status}; only an agreed goal can {doing}")

    def _require_party_or_hr(self, actor: Actor, doing: str) -> None:
        if self.party_of(actor) is None and actor.role is not Role.HR:
            raise PermissionDeniedError(
                f"{actor.role} {actor.id!r} may not {doing} goal {self.id}: only its owner, its manager or HR",
                actor_id=actor.id,
            )

    def _decidable(self, recalibration_id: str, actor: Actor, note: str) -> Recalibration:
        self._require_open()
        recalibration = self.recalibration(recalibration_id)
        if recalibration.status != RecalibrationStatus.PROPOSED:
            raise RecalibrationDecidedError(
                f"recalibration {recalibration_id!r} was already {recalibration.status}",
                recalibration_id=recalibration_id,
            )
        if actor.role is not Role.HR:
            raise PermissionDeniedError(f"only HR decides recalibrations, not {actor.role} {actor.id!r}")
        if actor.id in (self.owner_id, recalibration.proposed_by):
            who = "owner of the goal" if actor.id == self.owner_id else "proposer of the recalibration"
            raise FourEyesViolationError(
                f"{actor.id!r} is the {who}: a second person from HR must decide", actor_id=actor.id
            )
        rules.require_text("note", note, required=False)
        return recalibration

    def _recalibration_changes(
        self,
        targets: dict[str, dict[str, Decimal]],
        deadline: date | None,
        milestones: Sequence[dict[str, Any]],
        today: date,
    ) -> dict[str, Any]:
        if not targets and deadline is None and not milestones:
            raise RecalibrationRuleError("a recalibration must change targets, the deadline or milestones")
        new_kpis = {k.id: k for k in self.kpis}
        for kpi_id, values in targets.items():
            kpi = self.kpi(kpi_id)
            allowed = set(kpi.goal_values())
            if not values or set(values) - allowed:
                raise InvalidGoalInputError(f"targets.{kpi_id}", f"a {kpi.direction} KPI takes {sorted(allowed)}")
            for name, value in values.items():
                rules.require_finite(f"targets.{kpi_id}.{name}", value)
            changed = Kpi(**{**kpi.__dict__, **values})
            if changed == kpi:
                raise RecalibrationRuleError(f"KPI {kpi_id!r} already has those values", kpi=kpi_id)
            rules.require_reachable_target(changed)
            new_kpis[kpi_id] = changed
        new_deadline = self.deadline
        if deadline is not None:
            if deadline == self.deadline:
                raise RecalibrationRuleError(f"the deadline is already {deadline}")
            if deadline < max(today, self.cycle.start):
                raise RecalibrationRuleError(f"new deadline {deadline} lies in the past or before the cycle")
            new_deadline = deadline
        assert new_deadline is not None
        moved = []
        for index, spec in enumerate(milestones):
            try:
                kpi_id, due, target = spec["kpi"], spec["due"], spec["target"]
            except KeyError as missing:
                raise InvalidGoalInputError(f"milestones[{index}].{missing.args[0]}", "is required") from None
            milestone = Milestone(id=f"{kpi_id}@{due.isoformat()}", kpi=kpi_id, due=due, target=target)
            replaces = spec.get("replaces")
            if replaces is not None and not any(m.id == replaces for m in self.milestones):
                raise InvalidGoalInputError(f"milestones[{index}].replaces", f"no milestone {replaces!r}")
            if kpi_id not in new_kpis:
                self.kpi(kpi_id)
            rules.require_milestone_fits(milestone, new_kpis[kpi_id], self.cycle.start, new_deadline)
            moved.append({**milestone.as_dict(), "replaces": replaces})
        changes = {
            "targets": {k: {n: v for n, v in values.items()} for k, values in targets.items()},
            "deadline": deadline,
            "milestones": moved,
        }
        self._require_milestones_fit(*self._recalibrated_terms(changes))
        return changes

    def _recalibrated_terms(self, changes: dict[str, Any]) -> tuple[dict[str, Kpi], date | None, set[str]]:
        """KPIs and deadline a recalibration puts in force, and the milestones it replaces or sets anew."""
        kpis = {k.id: k for k in self.kpis}
        for kpi_id, values in changes["targets"].items():
            kpis[kpi_id] = Kpi(**{**kpis[kpi_id].__dict__, **values})
        moved = changes["milestones"]
        spared = {m["replaces"] for m in moved if m["replaces"]} | {m["id"] for m in moved}
        return kpis, changes["deadline"] or self.deadline, spared

    def _require_milestones_fit(
        self, kpis: dict[str, Kpi], deadline: date | None, spared: Collection[str] = ()
    ) -> None:
        """Milestones already set must still fit the terms a revision or recalibration would put in force."""
        for milestone in self.milestones:
            if milestone.id in spared:
                continue
            kpi = kpis.get(milestone.kpi)
            if kpi is None or deadline is None:
                lost = f"KPI {milestone.kpi!r}" if kpi is None else "deadline"
                raise MilestoneRuleError(
                    f"milestone {milestone.id!r} would lose its {lost}", milestone_id=milestone.id
                )
            try:
                rules.require_milestone_fits(milestone, kpi, self.cycle.start, deadline)
            except MilestoneRuleError as unfit:
                raise MilestoneRuleError(
                    f"milestone {milestone.id!r} would no longer fit: {unfit.message}", milestone_id=milestone.id
                ) from None

    def _before_after(self, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        before: dict[str, Any] = {"targets": {}, "deadline": None, "milestones": []}
        after: dict[str, Any] = {"targets": {}, "deadline": None, "milestones": []}
        for kpi_id, values in changes["targets"].items():
            current = self.kpi(kpi_id).goal_values()
            before["targets"][kpi_id] = {name: current[name] for name in values}
            after["targets"][kpi_id] = dict(values)
        if changes["deadline"] is not None:
            before["deadline"], after["deadline"] = self.deadline, changes["deadline"]
        by_id = {m.id: m for m in self.milestones}
        for spec in changes["milestones"]:
            old = by_id.get(spec["replaces"] or spec["id"])
            before["milestones"].append(old.as_dict() if old else None)
            after["milestones"].append({k: spec[k] for k in ("id", "kpi", "due", "target")})
        return before, after


def _decide(goal: Goal, event: Goal.Event, status: RecalibrationStatus) -> Recalibration:
    recalibration = goal.recalibration(event.recalibration_id)  # type: ignore[attr-defined]
    recalibration.status = status
    recalibration.decided_by = event.actor_id
    recalibration.decided_at = event.timestamp
    recalibration.decided_version = event.originator_version
    recalibration.note = event.note  # type: ignore[attr-defined]
    return recalibration


def _by(actor: Actor) -> dict[str, str]:
    return {"actor_id": actor.id, "actor_role": str(actor.role)}


def _require_terms_well_formed(terms: dict[str, Any]) -> None:
    rules.require_text("title", terms["title"], max_length=200)
    rules.require_text("statement", terms["statement"])
    rules.require_text("rationale", terms["rationale"], required=False)
    rules.require_text("parent_goal_id", terms["parent_goal_id"], required=False, max_length=200)
    rules.require_text("org_unit", terms["org_unit"], required=False, max_length=200)
    rules.require_weight(terms["weight"])
    rules.require_kpis_well_formed(terms["kpis"])
