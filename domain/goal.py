"""The Goal aggregate: a SMART goal's life from draft to closure, as a stream of events.

Public methods guard the rules and trigger events; each event's `apply` only changes state, because it runs
again on every replay: a rule tightened later must never sit there, or old goals would stop replaying.
Stored topics are explicit (`goalengine:Goal.<Event>`) so that moving or renaming a class never breaks them, and
stored strings are read through domain.stored, so renaming or retiring a value never breaks them either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import recalibration as recal
from domain import assignment, closure, rules, stored, validation
from domain.check_ins import CheckIn
from domain.errors import (
    AlreadySignedError, InvalidGoalInputError, MilestoneLockedError, MilestoneRuleError, PermissionDeniedError,
    RecalibrationPendingError, StaleVersionError,
)
from domain.goal_guards import GoalGuards
from domain.readings import CountedReadings
from domain.smart import DEFAULT_POLICY, SmartPolicy, SmartReport, assess, require_passes
from domain.terms import GoalTerms, TermsInForce
from domain.values import (
    Actor, Cycle, Measurement, Milestone, Outcome, Party, ProposedMilestone, ReasonCategory, RecalibrationStatus,
    Signature, Status,
)


class Goal(Aggregate, TermsInForce, GoalGuards):
    """One employee's goal for one review cycle."""

    TOPIC = "goalengine:Goal"
    class_version = 3  # snapshots: v2 holds GoalTerms and typed recalibrations; v3 counted readings, not the series
    upcast_v1_v2 = staticmethod(stored.goal_snapshot_v1_v2)
    upcast_v2_v3 = staticmethod(stored.goal_snapshot_v2_v3)

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

        def apply(self, goal: Goal) -> None:
            fields = {name: getattr(self, name) for name in GoalTerms.names()}
            goal.terms = goal.original_terms = GoalTerms.from_stored(
                {**fields, "kpis": tuple(stored.kpi(k) for k in self.kpis)}
            )

    class Revised(Event):
        TOPIC = "goalengine:Goal.Revised"
        changes: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            changes = dict(self.changes)
            if "kpis" in changes:
                changes["kpis"] = [stored.kpi(k) for k in changes["kpis"]]
            goal.terms = goal.terms.revised(changes)
            goal.content_version = self.originator_version

    class SignatureVoided(Event):
        TOPIC = "goalengine:Goal.SignatureVoided"
        party: str
        signed_content_version: int
        reason: str

        def apply(self, goal: Goal) -> None:
            goal.signatures.pop(stored.party(self.party), None)

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
            party = stored.party(self.party)
            goal.signatures[party] = Signature(party, self.actor_id, self.content_version, self.timestamp,
                                               self.originator_version)

    class Agreed(Event):
        TOPIC = "goalengine:Goal.Agreed"
        content_version: int

        def apply(self, goal: Goal) -> None:
            goal.status = Status.AGREED
            goal.agreed_at = self.timestamp
            goal.agreed_version = self.originator_version
            goal.original_terms = goal.terms

    class MilestoneProposed(Event):
        """After agreement one party proposes a milestone; it holds once the other party sets the same one."""

        TOPIC = "goalengine:Goal.MilestoneProposed"
        milestone: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            milestone = stored.milestone(self.milestone)
            goal.proposed_milestones[milestone.id] = ProposedMilestone(milestone, self.actor_id)

    class MilestoneSet(Event):
        TOPIC = "goalengine:Goal.MilestoneSet"
        milestone: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            milestone = stored.milestone(self.milestone)
            goal.proposed_milestones.pop(milestone.id, None)
            merged = recal.merge_milestones(goal.milestones, [milestone], (), lambda m: m.id)
            goal.milestones = sorted(merged, key=lambda m: (m.due, m.kpi))

    class KpiRecorded(Event):
        TOPIC = "goalengine:Goal.KpiRecorded"
        kpi: str
        value: Decimal
        observed_at: date
        source: str
        note: str
        corrects_version: int | None

        def apply(self, goal: Goal) -> None:
            goal.readings.record(self.reading())

        def reading(self) -> Measurement:
            return Measurement(
                kpi=self.kpi, value=self.value, observed_at=self.observed_at, recorded_at=self.timestamp,
                source=self.source, note=self.note, recorded_by=self.actor_id, version=self.originator_version,
                corrects_version=self.corrects_version,
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
            goal.recalibrations.append(recal.Recalibration(
                id=self.recalibration_id, reason=stored.reason(self.reason), justification=self.justification,
                proposed_by=self.actor_id, proposer_role=stored.role(self.actor_role), proposed_at=self.timestamp,
                proposed_version=self.originator_version, changes=recal.Changes.from_stored(self.changes),
                before=recal.Side.from_stored(self.before), after=recal.Side.from_stored(self.after),
            ))

    class RecalibrationRejected(Event):
        TOPIC = "goalengine:Goal.RecalibrationRejected"
        recalibration_id: str
        note: str

        def apply(self, goal: Goal) -> None:
            goal.decide(self.recalibration_id, RecalibrationStatus.REJECTED, self)

    class Recalibrated(Event):
        TOPIC = "goalengine:Goal.Recalibrated"
        recalibration_id: str
        note: str
        before: dict[str, Any]
        after: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            recalibration = goal.decide(self.recalibration_id, RecalibrationStatus.APPROVED, self)
            recalibration.before = recal.Side.from_stored(self.before)
            recalibration.after = recal.Side.from_stored(self.after)
            goal.put_in_force(recal.apply(goal.in_force(), recalibration.after, recalibration.changes.replaced()))

    class Closed(Event):
        TOPIC = "goalengine:Goal.Closed"
        outcome: str
        summary: str

        def apply(self, goal: Goal) -> None:
            goal.status = Status.CLOSED
            goal.outcome = stored.outcome(self.outcome)
            goal.summary = self.summary
            goal.closed_at = self.timestamp
            goal.closed_by = self.actor_id

    class CheckedIn(Event):
        """The owner or the manager checked in; it changes no state of the goal (the review projection keeps it)."""

        TOPIC = "goalengine:Goal.CheckedIn"
        status: str
        confidence: int
        note: str
        blockers: str
        next_steps: str
    class Reassigned(Event):
        """HR moved the goal to another owner or manager; who held it when is in the trail. Version 2 adds
        `follows`: the directory event (CloudEvents id) a reassignment follows, None for HR's own (ADR 0035); an
        additive field, so the contract keeps the type goal.reassigned.v1."""

        TOPIC = "goalengine:Goal.Reassigned"
        CLOUDEVENT_TYPE = "goal.reassigned.v1"
        class_version = 2
        owner_id: str
        manager_id: str
        previous_owner_id: str
        previous_manager_id: str
        reason: str
        follows: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["follows"] = None

        def apply(self, goal: Goal) -> None:
            goal.owner_id, goal.manager_id = self.owner_id, self.manager_id
            # A milestone proposed by someone who no longer holds the goal lapses: the new holders agree afresh.
            goal.proposed_milestones = {key: proposal for key, proposal in goal.proposed_milestones.items()
                                        if proposal.proposed_by in (self.owner_id, self.manager_id)}

    class CarriedOver(Event):
        """HR carried the open goal over to a later cycle: it ends here (cancelled) and goes on as a new goal."""

        TOPIC = "goalengine:Goal.CarriedOver"
        to_cycle: str
        new_goal_id: str
        reason: str

        def apply(self, goal: Goal) -> None:
            goal.status, goal.outcome, goal.closed_at, goal.closed_by = (
                Status.CLOSED, Outcome.CANCELLED, self.timestamp, self.actor_id)
            goal.summary = f"carried over to cycle {self.to_cycle}: {self.reason}"
            goal.carried_over_to = self.new_goal_id

    class CarriedIn(Event):
        """The goal continues one of an earlier cycle (drafted again, to be agreed again)."""

        TOPIC = "goalengine:Goal.CarriedIn"
        from_goal_id: str
        from_cycle: str
        reason: str

        def apply(self, goal: Goal) -> None:
            goal.carried_over_from = self.from_goal_id

    def __init__(self, cycle: dict[str, Any], owner_id: str, manager_id: str, actor_id: str) -> None:
        # The terms are set by Drafted.apply, which reads them from the event as one GoalTerms.
        self.cycle = stored.cycle(cycle)
        self.owner_id = owner_id
        self.manager_id = manager_id
        self.drafted_by = actor_id
        self.status = Status.DRAFT
        self.content_version = self.version
        self.signatures: dict[Party, Signature] = {}
        self.agreed_at: datetime | None = None
        self.agreed_version: int | None = None
        self.milestones: list[Milestone] = []
        self.proposed_milestones: dict[str, ProposedMilestone] = {}
        self.readings = CountedReadings()  # bounded: the series itself is read from the events (ADR 0028)
        self.recalibrations: list[recal.Recalibration] = []
        self.outcome: Outcome | None = None
        self.summary: str | None = None
        self.closed_at: datetime | None = None
        self.closed_by: str | None = None
        self.carried_over_to: str | None = None
        self.carried_over_from: str | None = None

    @classmethod
    def draft(cls, *, actor: Actor, cycle: Cycle, owner_id: str, manager_id: str, terms: GoalTerms,
              goal_id: UUID | None = None) -> Goal:
        """Draft a goal: the owner for themself, the manager for a report, or HR for anyone."""
        if not rules.may_draft(actor, owner_id, manager_id):
            raise PermissionDeniedError(f"{actor.role} {actor.id!r} may not draft a goal for owner {owner_id!r} and "
                                        f"manager {manager_id!r}", actor_id=actor.id)
        validation.require_parties(owner_id, manager_id)
        validation.require_cycle(cycle)
        terms.require_well_formed()
        return cls._create(cls.Drafted, id=goal_id or uuid4(), cycle=cycle.as_dict(), owner_id=owner_id,
                           manager_id=manager_id, **terms.to_stored(), **_by(actor))

    def smart_report(self, today: date, policy: SmartPolicy = DEFAULT_POLICY) -> SmartReport:
        return assess(self.terms, self.cycle, today, policy)

    def in_force(self) -> recal.InForce:
        return recal.InForce(self.kpis, self.deadline, tuple(self.milestones))

    def put_in_force(self, terms: recal.InForce) -> None:
        self.terms = replace(self.terms, kpis=terms.kpis, deadline=terms.deadline)
        self.milestones = list(terms.milestones)

    def revise(self, changes: Mapping[str, Any], actor: Actor) -> None:
        """Change a draft's terms; a signature given to the old terms no longer holds."""
        self._require_open()
        self._require_draft("revised")
        self._require_writer(actor, "revise")
        revised = self.terms.revised(changes)
        if revised == self.terms:
            raise InvalidGoalInputError("changes", "the revision changes nothing")
        revised.require_well_formed()
        recal.require_milestones_fit(self.milestones, revised.kpis, revised.deadline, self.cycle.start)
        self.trigger_event(self.Revised, changes=self.terms.stored_changes(revised), **_by(actor))
        for party, signature in list(self.signatures.items()):
            self.trigger_event(self.SignatureVoided, party=str(party), signed_content_version=signature.content_version,
                               reason=f"terms revised at version {self.content_version}", **_by(actor))

    def sign(self, actor: Actor, read_version: int | None = None, policy: SmartPolicy = DEFAULT_POLICY, *,
             today: date) -> None:
        """The owner or the manager signs the terms they read; the second signature puts the goal in force."""
        self._require_open()
        self._require_draft("signed")
        party = self._require_party(actor, "signs a goal")
        if party in self.signatures:
            raise AlreadySignedError(f"the {party} {actor.id!r} has already signed", party=str(party))
        if read_version is not None and not self.content_version <= read_version <= self.version:
            raise StaleVersionError(
                f"version {read_version} is not the current terms: they were last changed at version "
                f"{self.content_version} and the goal is at version {self.version}",
                read_version=read_version, content_version=self.content_version,
            )
        require_passes(self.smart_report(today, policy))
        self.trigger_event(self.AgreementSigned, party=str(party), content_version=self.content_version,
                           read_version=read_version, **_by(actor))
        if len(self.signatures) == len(Party):
            self.trigger_event(self.Agreed, content_version=self.content_version, **_by(actor))

    def set_milestone(self, kpi: str, due: date, target: Decimal, actor: Actor, *, today: date) -> str:
        """Set a checkpoint on the way to a KPI's target. Once the goal is agreed, a milestone holds when both
        parties have set it (the first proposes, the second confirms); changing one takes a recalibration."""
        self._require_open()
        self._require_writer(actor, "set milestones on")
        milestone = Milestone(id=f"{kpi}@{due.isoformat()}", kpi=kpi, due=due, target=target)
        if self.deadline is None:
            raise MilestoneRuleError("a goal without a deadline cannot have milestones")
        validation.require_new_milestone_fits(milestone, self.kpi(kpi), self.cycle.start, self.deadline, today)
        if self.status is Status.DRAFT:
            self.trigger_event(self.MilestoneSet, milestone=milestone.as_dict(), **_by(actor))
            return milestone.id
        if any(m.id == milestone.id for m in self.milestones):
            raise MilestoneLockedError(
                f"milestone {milestone.id!r} is part of the agreed goal; change it through a recalibration",
                milestone_id=milestone.id,
            )
        self._require_party(actor, "adds a milestone to an agreed goal (or propose a recalibration)")
        proposed = self.proposed_milestones.get(milestone.id)
        if proposed is not None and proposed.milestone == milestone and proposed.proposed_by != actor.id:
            self.trigger_event(self.MilestoneSet, milestone=milestone.as_dict(), **_by(actor))
        else:
            self.trigger_event(self.MilestoneProposed, milestone=milestone.as_dict(), **_by(actor))
        return milestone.id

    def record_kpi(self, kpi: str, value: Decimal, observed_at: date, actor: Actor, source: str = "",
                   note: str = "", *, today: date) -> None:
        """Record a KPI reading; a second reading for the same KPI and day is a correction."""
        self._require_open()
        self._require_agreed("take KPI values")
        self._require_writer(actor, "record KPI values on")
        self.kpi(kpi)
        assert self.deadline is not None  # an agreed goal passed the SMART check, which needs a deadline
        validation.require_reading(value, observed_at, source, note, today, self.cycle.start, self.deadline)
        self.trigger_event(self.KpiRecorded, kpi=kpi, value=value, observed_at=observed_at, source=source, note=note,
                           corrects_version=self.readings.counted_version(kpi, observed_at), **_by(actor))

    def propose_recalibration(self, actor: Actor, reason: ReasonCategory | str, justification: str,
                              changes: recal.Changes, today: date) -> str:
        """Propose new targets, deadline or milestones when reality has changed; HR decides."""
        self._require_open()
        self._require_agreed("be recalibrated")
        self._require_party(actor, "proposes a recalibration")
        reason = validation.choice(ReasonCategory, "reason", reason)
        recal.require_justification(justification)
        pending = self.pending_recalibration()
        if pending:
            raise RecalibrationPendingError(
                f"recalibration {pending.id!r} awaits HR's decision; decide it first", recalibration_id=pending.id
            )
        recal.require_valid(changes, self.in_force(), self.cycle, today)
        recalibration_id = f"r{len(self.recalibrations) + 1}"
        before, after = recal.before_and_after(self.in_force(), changes)
        self.trigger_event(self.RecalibrationProposed, recalibration_id=recalibration_id, reason=str(reason),
                           justification=justification, changes=changes.to_stored(), before=before.to_stored(),
                           after=after.to_stored(), **_by(actor))
        return recalibration_id

    def approve_recalibration(self, recalibration_id: str, actor: Actor, note: str = "", *, today: date) -> None:
        """HR approves a proposal; it takes effect. Four eyes: not a party to the goal, not the proposer."""
        recalibration = self._decidable(recalibration_id, actor, note)
        recal.require_deadline_still_ahead(recalibration.changes, today)
        # Milestones set while the proposal waited must fit the recalibrated terms too.
        recal.require_milestones_fit_after(recalibration.changes, self.in_force(), self.cycle)
        before, after = recal.before_and_after(self.in_force(), recalibration.changes)
        self.trigger_event(self.Recalibrated, recalibration_id=recalibration_id, note=note, before=before.to_stored(),
                           after=after.to_stored(), **_by(actor))

    def reject_recalibration(self, recalibration_id: str, actor: Actor, note: str = "") -> None:
        """HR rejects a proposal; the goal stays as it was."""
        self._decidable(recalibration_id, actor, note)
        self.trigger_event(self.RecalibrationRejected, recalibration_id=recalibration_id, note=note, **_by(actor))

    def close(self, outcome: Outcome | str, summary: str, actor: Actor) -> None:
        """Close the goal with its outcome; a closed goal takes no further command."""
        self._require_open()
        outcome = closure.require_closable(self, outcome, summary, actor)
        self.trigger_event(self.Closed, outcome=str(outcome), summary=summary, **_by(actor))

    def check_in(self, check_in: CheckIn, actor: Actor) -> None:
        """The owner or the manager says how the agreed goal is going (domain/check_ins.py)."""
        self._require_open()
        self._require_agreed("take check-ins")
        self._require_party(actor, "check in on a goal")
        self.trigger_event(self.CheckedIn, **check_in.to_stored(), **_by(actor))

    def reassign(self, actor: Actor, reason: str, owner_id: str | None = None, manager_id: str | None = None) -> None:
        """HR moves the goal to another owner or manager; a replaced party's signature on a draft lapses."""
        self._require_open()
        change = assignment.reassignment(actor, (self.owner_id, self.manager_id), owner_id, manager_id, reason)
        self._reassigned(actor, change, None)

    def follow_reporting_line(self, actor: Actor, manager_id: str, follows: str) -> None:
        """The owner reports to someone else in the directory: the open goal moves to them (ADR 0035)."""
        self._require_open()
        self._reassigned(actor, assignment.reporting_line_change((self.owner_id, self.manager_id), manager_id), follows)

    def _reassigned(self, actor: Actor, change: assignment.Reassignment, follows: str | None) -> None:
        self.trigger_event(self.Reassigned, **change.to_stored(), follows=follows, **_by(actor))
        for party in change.replaced_parties():
            if self.status is Status.DRAFT and party in self.signatures:
                self.trigger_event(self.SignatureVoided, party=str(party), reason="reassigned: " + change.reason,
                                   signed_content_version=self.signatures[party].content_version, **_by(actor))

    def carry_over(self, actor: Actor, to_cycle: Cycle, reason: str, new_goal_id: UUID) -> GoalTerms:
        """HR carries the open goal over to a later cycle; the terms the new goal there starts from."""
        self._require_open()
        pending = getattr(self.pending_recalibration(), "id", None)
        terms = assignment.carried_terms(actor, self.terms, (self.cycle, to_cycle), reason, pending)
        self.trigger_event(self.CarriedOver, to_cycle=to_cycle.id, new_goal_id=str(new_goal_id), reason=reason,
                           **_by(actor))
        return terms

    def carry_in(self, actor: Actor, from_goal: Goal, reason: str) -> None:
        """Record on a goal just drafted that it continues `from_goal`."""
        self.trigger_event(self.CarriedIn, from_goal_id=str(from_goal.id), from_cycle=from_goal.cycle.id,
                           reason=reason, **_by(actor))


def _by(actor: Actor) -> dict[str, str]:
    return {"actor_id": actor.id, "actor_role": str(actor.role)}
