"""The Goal aggregate's guards: the status and party checks its commands start with, and recalibration lookups.

A mixin of domain.goal.Goal (kept apart so that goal.py holds the events and the thin commands).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from domain import recalibration as recal
from domain import recalibration_rules as recal_rules
from domain import rules
from domain.errors import (
    GoalClosedError, GoalNotAgreedError, GoalNotDraftError, NotAPartyError, PermissionDeniedError,
    UnknownRecalibrationError,
)
from domain.readings import CountedReadings
from domain.terms import TermsInForce
from domain.values import (
    Actor, Cycle, Milestone, Outcome, Party, ProposedMilestone, RecalibrationStatus, Signature, Status,
)


class DecisionEvent(Protocol):
    """What HR's decision events tell a recalibration."""

    actor_id: str
    timestamp: datetime
    originator_version: int


class GoalGuards(TermsInForce):
    """What a goal checks before a command; the attributes are the Goal aggregate's."""

    status: Status
    outcome: Outcome | None
    owner_id: str
    manager_id: str
    cycle: Cycle
    content_version: int
    signatures: dict[Party, Signature]
    milestones: list[Milestone]
    proposed_milestones: dict[str, ProposedMilestone]
    recalibrations: list[recal.Recalibration]
    readings: CountedReadings

    if TYPE_CHECKING:  # the Goal aggregate's events and library members, as its command mixins use them
        Revised: Any
        SignatureVoided: Any
        AgreementSigned: Any
        Agreed: Any
        MilestoneProposed: Any
        MilestoneSet: Any
        KpiRecorded: Any
        CheckedIn: Any
        RecalibrationProposed: Any
        RecalibrationRejected: Any
        Recalibrated: Any
        Closed: Any

        @property
        def version(self) -> int: ...

        def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...

    @property
    def id(self) -> UUID:  # the aggregate's own id comes first in Goal's method resolution order
        raise NotImplementedError

    def party_of(self, actor: Actor) -> Party | None:
        if not (rules.is_a_party(actor.id, self.owner_id, self.manager_id)
                and rules.may_write(actor, self.owner_id, self.manager_id)):
            return None
        return {self.owner_id: Party.OWNER, self.manager_id: Party.MANAGER}.get(actor.id)

    def recalibration(self, recalibration_id: str) -> recal.Recalibration:
        found = next((r for r in self.recalibrations if r.id == recalibration_id), None)
        if found is None:
            raise UnknownRecalibrationError(f"the goal has no recalibration {recalibration_id!r}",
                                            recalibration_id=recalibration_id)
        return found

    def pending_recalibration(self) -> recal.Recalibration | None:
        return next((r for r in self.recalibrations if r.status == RecalibrationStatus.PROPOSED), None)

    def _require_open(self) -> None:
        if self.status == Status.CLOSED:
            raise GoalClosedError(f"goal {self.id} is closed ({self.outcome}) and takes no further command")

    def _require_draft(self, doing: str) -> None:
        if self.status != Status.DRAFT:
            raise GoalNotDraftError(f"goal {self.id} is {self.status}; only a draft can be {doing}")

    def _require_agreed(self, doing: str) -> None:
        if self.status != Status.AGREED:
            raise GoalNotAgreedError(f"goal {self.id} is {self.status}; only an agreed goal can {doing}")

    def _require_writer(self, actor: Actor, doing: str) -> None:
        if not rules.may_write(actor, self.owner_id, self.manager_id):
            raise PermissionDeniedError(
                f"{actor.role} {actor.id!r} may not {doing} goal {self.id}: only its owner, its manager or HR",
                actor_id=actor.id,
            )

    def _require_party(self, actor: Actor, doing: str) -> Party:
        party = self.party_of(actor)
        if party is None:
            raise NotAPartyError(
                f"{actor.id!r} is neither the owner ({self.owner_id!r}) nor the manager ({self.manager_id!r}); "
                f"only they {doing}", actor_id=actor.id,
            )
        return party

    def _signature_holds(self, party: Party) -> bool:
        """A signature holds for the terms as they stood when it was given: not once they changed after it."""
        signature = self.signatures.get(party)
        return signature is not None and signature.version > self.content_version

    def _void_signatures_given_before_the_terms(self, actor: Actor, reason: str) -> None:
        """Each signature given before the terms last changed (a revision, a milestone set on the draft) lapses, and
        the event says why: the signer signs the new terms again."""
        for party, signature in list(self.signatures.items()):
            if not self._signature_holds(party):
                self.trigger_event(self.SignatureVoided, party=str(party), reason=reason,
                                   signed_content_version=signature.content_version, **by(actor))

    def _decidable(self, recalibration_id: str, actor: Actor, note: str) -> recal.Recalibration:
        self._require_open()
        recalibration = self.recalibration(recalibration_id)
        recal_rules.require_decidable(recalibration, actor, self.owner_id, self.manager_id)
        recal_rules.require_decision_note(note)
        return recalibration

    def decide(self, recalibration_id: str, status: RecalibrationStatus, event: DecisionEvent) -> recal.Recalibration:
        """Record HR's decision on a proposal (called by the decision events' apply)."""
        recalibration = self.recalibration(recalibration_id)
        note: str = getattr(event, "note", "")
        recalibration.decided(status, event.actor_id, event.timestamp, event.originator_version, note)
        return recalibration


def by(actor: Actor) -> dict[str, str]:
    """Who acted, in which role: every event carries both."""
    return {"actor_id": actor.id, "actor_role": str(actor.role)}
