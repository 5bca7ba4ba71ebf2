"""The Goal aggregate's agreement commands: revise a draft, sign it, and the SMART report the signatures rest on.

A mixin of domain.goal.Goal (kept apart so that goal.py holds the events and the commands of other stages).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain import recalibration_rules as recal_rules
from domain.errors import AlreadySignedError, InvalidGoalInputError, StaleVersionError
from domain.goal_guards import GoalGuards, by
from domain.smart import DEFAULT_POLICY, SmartPolicy, SmartReport, assess, require_passes
from domain.values import Actor, Party


class GoalAgreement(GoalGuards):
    """Revise and sign a draft; the attributes and events are the Goal aggregate's."""

    def smart_report(self, today: date, policy: SmartPolicy = DEFAULT_POLICY) -> SmartReport:
        return assess(self.terms, self.cycle, today, policy)

    def revise(self, changes: Mapping[str, Any], actor: Actor) -> None:
        """Change a draft's terms; a signature given to the old terms no longer holds."""
        self._require_open()
        self._require_draft("revised")
        self._require_writer(actor, "revise")
        revised = self.terms.revised(changes)
        if revised == self.terms:
            raise InvalidGoalInputError("changes", "the revision changes nothing")
        revised.require_well_formed()
        recal_rules.require_milestones_fit(self.milestones, revised.kpis, revised.deadline, self.cycle.start)
        self.trigger_event(self.Revised, changes=self.terms.stored_changes(revised), **by(actor))
        self._void_signatures_given_before_the_terms(actor, f"terms revised at version {self.content_version}")

    def sign(self, actor: Actor, read_version: int | None = None, policy: SmartPolicy = DEFAULT_POLICY, *,
             today: date) -> None:
        """The owner or the manager signs the terms they read; the second signature puts the goal in force."""
        self._require_open()
        self._require_draft("signed")
        party = self._require_party(actor, "signs a goal")
        if self._signature_holds(party):
            raise AlreadySignedError(f"the {party} {actor.id!r} has already signed", party=str(party))
        if read_version is not None and not self.content_version <= read_version <= self.version:
            raise StaleVersionError(
                f"version {read_version} is not the current terms: they were last changed at version "
                f"{self.content_version} and the goal is at version {self.version}",
                read_version=read_version, content_version=self.content_version,
            )
        require_passes(self.smart_report(today, policy))
        # A draft stored before a milestone on it changed the terms (ADR 0052) may still hold a signature given before
        # that milestone: it lapses now, so that the goal is never agreed on terms one signer did not see.
        self._void_signatures_given_before_the_terms(
            actor, f"the terms changed at version {self.content_version}, after this signature")
        self.trigger_event(self.AgreementSigned, party=str(party), content_version=self.content_version,
                           read_version=read_version, **by(actor))
        if len(self.signatures) == len(Party):
            self.trigger_event(self.Agreed, content_version=self.content_version, **by(actor))
