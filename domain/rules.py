"""Who may do what, each rule written once as the sentence it checks.

The aggregate's guards, the API's read filters, the listing and review queries and the fairness report's four-eyes
check all call these functions, so the copies can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.values import Actor, Outcome, Role

SEES_EVERY_GOAL = (Role.HR, Role.AUDITOR)
WRITES_GOALS = (Role.EMPLOYEE, Role.MANAGER, Role.HR)
READS_GOALS = (*WRITES_GOALS, Role.AUDITOR)
HOLDS_GOALS = (Role.EMPLOYEE, Role.MANAGER)  # people who own goals and are reviewed: they act as themselves
DRAFTS_FOR_OTHERS = (Role.MANAGER, Role.HR)
FAVOURABLE_OUTCOMES = (Outcome.ACHIEVED, Outcome.PARTIALLY_ACHIEVED)


def may_see(actor: Actor, owner_id: str, manager_id: str) -> bool:
    """Employees see the goals they own; managers those they own or manage; HR and auditors every goal."""
    return actor.role in SEES_EVERY_GOAL or holds(actor, owner_id, manager_id)


def acts_as_oneself(actor: Actor, person_id: str) -> bool:
    """The actor is this person, acting for themself as someone who holds goals (an employee or a manager)."""
    return actor.role in HOLDS_GOALS and actor.id == person_id


def drafting_parties(actor: Actor, owner_id: str | None, manager_id: str | None) -> tuple[str | None, str | None]:
    """The owner and manager a draft names when left out: an employee owns what they draft, a manager manages
    what they draft for someone else (None: the caller must name it)."""
    owner = owner_id or (actor.id if actor.role is Role.EMPLOYEE else None)
    manager = manager_id or (actor.id if actor.role is Role.MANAGER and owner != actor.id else None)
    return owner, manager


def drafts_for_others(actor: Actor) -> bool:
    """Managers (for their reports) and HR (for anyone) draft goals for other people."""
    return actor.role in DRAFTS_FOR_OTHERS


def may_draft(actor: Actor, owner_id: str, manager_id: str) -> bool:
    """An employee drafts for themself; a manager for themself or a report they manage; HR for anyone."""
    return actor.role is Role.HR or holds(actor, owner_id, manager_id)


def holds(actor: Actor, owner_id: str, manager_id: str) -> bool:
    """An employee holds the goals they own; a manager those they own or manage."""
    return acts_as_oneself(actor, owner_id) or (actor.role is Role.MANAGER and actor.id == manager_id)


def is_a_party(actor_id: str, owner_id: str, manager_id: str) -> bool:
    """The owner and the manager are the goal's parties: they sign it and propose changes to it."""
    return actor_id in (owner_id, manager_id)


def may_write(actor: Actor, owner_id: str, manager_id: str) -> bool:
    """A party to the goal or HR writes to it (milestones, readings, revisions)."""
    return actor.role is Role.HR or (actor.role in WRITES_GOALS and is_a_party(actor.id, owner_id, manager_id))


def decider_is_a_second_person(decider_id: str, owner_id: str, manager_id: str, proposer_id: str) -> bool:
    """Four eyes: whoever decides a recalibration is neither its proposer nor a party to the goal."""
    return decider_id not in (owner_id, manager_id, proposer_id)


def may_close(actor: Actor, manager_id: str) -> bool:
    """The manager or HR closes a goal."""
    return actor.role is Role.HR or (actor.role in WRITES_GOALS and actor.id == manager_id)


def closer_is_not_the_beneficiary(closer_id: str, owner_id: str, outcome: Outcome) -> bool:
    """Four eyes: nobody closes their own goal as (partly) achieved, whatever their role."""
    return not (closer_id == owner_id and outcome in FAVOURABLE_OUTCOMES)


def may_set_objective(actor: Actor, owner_id: str) -> bool:
    """HR sets objectives for anyone; a manager sets the team objectives they own."""
    return actor.role is Role.HR or (actor.role is Role.MANAGER and actor.id == owner_id)


def decides_recalibrations(actor: Actor) -> bool:
    """Only HR approves or rejects a proposed recalibration (and then only as a second person: see below)."""
    return actor.role is Role.HR


def moves_cycles(actor: Actor) -> bool:
    """Only HR opens review cycles and moves them on (active, in review, locked)."""
    return actor.role is Role.HR


def oversees_cycles(actor: Actor) -> bool:
    """HR and auditors see every cycle's progress and band distribution, as they see every goal and review."""
    return actor.role in SEES_EVERY_GOAL


def may_reassign(actor: Actor) -> bool:
    """Only HR moves a goal to another owner or manager (reorganisations), and carries goals over to a new cycle."""
    return actor.role is Role.HR


@dataclass(frozen=True)
class ListingScope:
    """The owner and manager a listing is narrowed to (None: any)."""

    owner_id: str | None
    manager_id: str | None


def listing_scope(viewer: Actor, owner_id: str | None, manager_id: str | None) -> ListingScope | None:
    """The goals a listing may show, as the owner and manager it is narrowed to; None when it shows nothing.

    The same sentence as `may_see`, in the form a query needs: every goal in the scope passes `may_see`.
    """
    if viewer.role in SEES_EVERY_GOAL:
        return ListingScope(owner_id, manager_id)
    if viewer.role not in (Role.EMPLOYEE, Role.MANAGER):
        return None
    if owner_id == viewer.id or (viewer.role is Role.EMPLOYEE and owner_id is None):
        return ListingScope(viewer.id, manager_id)
    if viewer.role is Role.MANAGER and manager_id in (None, viewer.id):
        return ListingScope(owner_id, viewer.id)
    return None


def review_scope(
    viewer: Actor, employee_id: str, deciders: Callable[[], frozenset[str]] = frozenset
) -> ListingScope | None:
    """The goals of an employee's review a viewer may see: all of them for HR, auditors, the employee themself and
    the manager who decides the review (ADR 0036: who may decide reads what the decision rests on), those they
    manage for another manager, none otherwise. `deciders` is asked only about a manager."""
    if viewer.role in SEES_EVERY_GOAL or acts_as_oneself(viewer, employee_id):
        return ListingScope(employee_id, None)
    if viewer.role is Role.MANAGER:
        return ListingScope(employee_id, None if decides_the_review(viewer, deciders()) else viewer.id)
    return None


def may_erase(actor: Actor) -> bool:
    """Only HR erases a person's personal text (GDPR article 17, or when retention ends)."""
    return actor.role is Role.HR


def may_export(actor: Actor, person_id: str) -> bool:
    """HR exports anyone's data; a person their own (GDPR article 15)."""
    return actor.role is Role.HR or acts_as_oneself(actor, person_id)


def decides_the_review(actor: Actor, goal_managers: frozenset[str]) -> bool:
    """The employee's manager decides the review band: a manager who manages every goal of the employee's cycle.

    HR does not decide: HR resolves disputes, and the one who resolves must not be the one who decided.
    """
    return actor.role is Role.MANAGER and goal_managers == frozenset({actor.id})


def is_the_reviewed_employee(actor: Actor, employee_id: str) -> bool:
    """Only the employee adds their self-assessment, acknowledges or disputes their review."""
    return acts_as_oneself(actor, employee_id)


def resolves_disputes(actor: Actor) -> bool:
    """Only HR resolves a disputed review (and then only as a second person: see below)."""
    return actor.role is Role.HR


def resolver_is_a_second_person(resolver: Actor, decider_id: str, employee_id: str) -> bool:
    """Four eyes: HR resolves a dispute, and neither the manager who decided nor the employee who disputed."""
    return resolves_disputes(resolver) and resolver.id not in (decider_id, employee_id)


def sees_every_subscription(actor: Actor) -> bool:
    """HR may list every caller's webhook subscriptions; anyone else only their own."""
    return actor.role is Role.HR


def administers_directory(actor: Actor) -> bool:
    """HR, or the identity provider's provisioning (a service), keeps the directory; nobody else writes it."""
    return actor.role in (Role.HR, Role.SERVICE)


def is_a_system(actor: Actor) -> bool:
    """A service account acts for another system, not for a person of the directory."""
    return actor.role is Role.SERVICE


def grantable_to_a_person(role: Role) -> bool:
    """Every role but the service's, which stands for another system (is_a_system)."""
    return role is not Role.SERVICE


def holds_goals(actor: Actor) -> bool:
    """Employees and managers own goals and are reviewed (HOLDS_GOALS)."""
    return actor.role in HOLDS_GOALS


def has_an_inbox(actor: Actor) -> bool:
    """Employees, managers and HR have things waiting for them; auditors and services do not."""
    return actor.role in WRITES_GOALS


def may_decide_reviews(actor: Actor) -> bool:
    """Managers decide bands (which reviews exactly: decides_the_review and the directory's reporting lines)."""
    return actor.role is Role.MANAGER


def sees_evidence_ids(actor: Actor) -> bool:
    """Auditors are shown the ids, log positions and hashes that are evidence; everyone else reads them in words."""
    return actor.role is Role.AUDITOR
