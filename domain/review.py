"""The Review aggregate: one employee's rating for one cycle as an audited decision with the employee's voice.

The manager decides a band on the pinned justification (policy version, content hash, log position); a band other
than the computed one carries an override reason. The employee assesses themself, then acknowledges or disputes;
HR resolves a dispute (four eyes). Every step is an event; the guards live in domain/review_rules.py.
"""

from __future__ import annotations


from eventsourcing.domain import Aggregate

from domain import review_rules as guard
from domain import stored
from domain.review_values import (
    Acknowledgement, Decision, DecisionBasis, Dispute, ResolutionOutcome, SelfAssessment, Stage, review_id,
)
from domain.values import Actor


class Review(Aggregate):
    TOPIC = "goalengine:Review"

    class Event(Aggregate.Event):
        TOPIC = "goalengine:Review.Event"
        actor_id: str
        actor_role: str

    class Opened(Aggregate.Created, Event):
        TOPIC = "goalengine:Review.Opened"
        employee_id: str
        cycle_id: str

    class DecisionRecorded(Event):
        """The band decided, and the justification it rests on (its policy, content hash and log position)."""

        TOPIC = "goalengine:Review.DecisionRecorded"
        band: str
        computed_band: str | None
        summary: str
        override_reason: str | None
        override_direction: str | None
        policy_version: str
        justification_hash: str
        justification_position: int
        bands: list[str]

        def apply(self, review: Review) -> None:
            review.decision = Decision(
                self.band, self.computed_band, self.summary, self.override_reason, self.override_direction,
                self.policy_version, self.justification_hash, self.justification_position, tuple(self.bands),
                self.actor_id, self.timestamp, self.originator_version)
            review.stage = Stage.DECIDED

    class SelfAssessed(Event):
        TOPIC = "goalengine:Review.SelfAssessed"
        text: str

        def apply(self, review: Review) -> None:
            review.assessments.append(SelfAssessment(self.text, self.timestamp, self.originator_version))

    class Acknowledged(Event):
        TOPIC = "goalengine:Review.Acknowledged"
        decision_version: int

        def apply(self, review: Review) -> None:
            review.acknowledgement = Acknowledgement(self.actor_id, self.timestamp, self.originator_version,
                                                     self.decision_version)
            review.stage = Stage.ACKNOWLEDGED

    class Disputed(Event):
        TOPIC = "goalengine:Review.Disputed"
        dispute_id: str
        reason: str
        decision_version: int

        def apply(self, review: Review) -> None:
            review.disputes.append(Dispute(self.dispute_id, self.reason, self.timestamp, self.originator_version,
                                           self.decision_version))
            review.stage = Stage.DISPUTED

    class DisputeResolved(Event):
        TOPIC = "goalengine:Review.DisputeResolved"
        dispute_id: str
        outcome: str
        band: str
        note: str

        def apply(self, review: Review) -> None:
            dispute = review.dispute(self.dispute_id)
            dispute.outcome = stored.read(ResolutionOutcome, self.outcome)
            dispute.band, dispute.note = self.band, self.note
            dispute.resolved_by, dispute.resolved_version = self.actor_id, self.originator_version
            review.stage = Stage.RESOLVED

    def __init__(self, employee_id: str, cycle_id: str) -> None:
        self.employee_id = employee_id
        self.cycle_id = cycle_id
        self.stage = Stage.OPEN
        self.decision: Decision | None = None
        self.assessments: list[SelfAssessment] = []
        self.acknowledgement: Acknowledgement | None = None
        self.disputes: list[Dispute] = []

    @classmethod
    def open(cls, employee_id: str, cycle_id: str, actor: Actor) -> Review:
        """The review of one employee and cycle, opened by its first step (its id follows from the two)."""
        guard.require_key(employee_id, cycle_id)
        return cls._create(cls.Opened, id=review_id(employee_id, cycle_id), employee_id=employee_id,
                           cycle_id=cycle_id, **_by(actor))

    @property
    def final_band(self) -> str | None:
        """The band that stands: the decision's, or the one HR changed it to on a dispute."""
        changed = [d for d in self.disputes if d.outcome is ResolutionOutcome.CHANGED]
        return changed[-1].band if changed else (self.decision.band if self.decision else None)

    def dispute(self, dispute_id: str) -> Dispute:
        return guard.find_dispute(self.disputes, dispute_id)

    def decide(self, band: str, summary: str, override_reason: str | None, basis: DecisionBasis,
               actor: Actor) -> None:
        """The employee's manager decides the band; one other than the computed band needs a reason."""
        guard.require_band_decidable(self, band, summary, override_reason, basis, actor)
        direction = basis.direction(band)
        self.trigger_event(
            self.DecisionRecorded, band=band, computed_band=basis.computed_band, summary=summary,
            override_reason=override_reason or None, override_direction=str(direction) if direction else None,
            policy_version=basis.policy_version, justification_hash=basis.justification_hash,
            justification_position=basis.position, bands=list(basis.bands), **_by(actor))

    def assess_self(self, text: str, actor: Actor) -> None:
        """The employee says, in their own words, how the cycle went (before the review is settled)."""
        guard.require_self_assessment(self, text, actor)
        self.trigger_event(self.SelfAssessed, text=text, **_by(actor))

    def acknowledge(self, actor: Actor) -> None:
        """The employee acknowledges the decision: the review is settled."""
        decision = guard.require_decided_for(self, actor)
        self.trigger_event(self.Acknowledged, decision_version=decision.version, **_by(actor))

    def raise_dispute(self, reason: str, actor: Actor) -> str:
        """The employee disputes the decision with a reason; HR resolves it. Returns the dispute's id."""
        decision = guard.require_decided_for(self, actor)
        guard.require_reason(reason)
        dispute_id = f"d{len(self.disputes) + 1}"
        self.trigger_event(self.Disputed, dispute_id=dispute_id, reason=reason, decision_version=decision.version,
                           **_by(actor))
        return dispute_id

    def resolve_dispute(self, dispute_id: str, outcome: ResolutionOutcome | str, band: str | None, note: str,
                        actor: Actor) -> None:
        """HR (not the decider, not the employee) upholds the decision or changes the band."""
        chosen, final = guard.require_resolvable(self, dispute_id, outcome, band, note, actor)
        self.trigger_event(self.DisputeResolved, dispute_id=dispute_id, outcome=str(chosen), band=final, note=note,
                           **_by(actor))


def _by(actor: Actor) -> dict[str, str]:
    return {"actor_id": actor.id, "actor_role": str(actor.role)}


