"""A change of reporting line moves the person's open goals to the new manager, exactly once (ADR 0035)."""

from __future__ import annotations

import threading
from datetime import date
from uuid import UUID

from application.directory.service import Directory
from application.events.cloudevents import cloudevent_id
from application.goals.service import Goals
from application.store.settings import Settings
from domain.directory import DirectoryPerson, directory_person_uuid
from domain.goal import Goal
from domain.values import Actor, Outcome, Role
from tests.application.directory.support import PROVISIONER, details, small_organisation
from tests.conftest import Clock
from tests.scenarios import customer_service_terms, draft, survey_terms

DEV = Actor("emp-dev", Role.EMPLOYEE)


def agreed(goals: Goals, terms: dict[str, object]) -> UUID:
    goal_id = draft(goals, terms, DEV)
    goals.sign_goal(goal_id, DEV)
    goals.sign_goal(goal_id, Actor("mgr-ana", Role.MANAGER))
    return goal_id


def dev_goals(goals: Goals) -> tuple[UUID, UUID, UUID]:
    """emp-dev's draft, agreed and closed goals, all with mgr-ana."""
    parties = {"owner_id": "emp-dev", "manager_id": "mgr-ana"}
    drafted = draft(goals, survey_terms(**parties), DEV)
    signed = agreed(goals, customer_service_terms(**parties))
    closed = agreed(goals, customer_service_terms(**parties, title="Closed early"))
    goals.close_goal(closed, Actor("hr-hal", Role.HR), outcome=Outcome.MISSED, summary="Missed: team dissolved.")
    return drafted, signed, closed


def reassignments(goals: Goals, goal_id: UUID) -> list[Goal.Reassigned]:
    return [e for e in goals.goal_events(goal_id) if isinstance(e, Goal.Reassigned)]


def test_open_goals_follow_the_owner_to_the_new_manager_and_cite_the_directory_event(goals: Goals,
                                                                                   clock: Clock) -> None:
    directory = Directory(goals)
    small_organisation(directory)
    drafted, signed, closed = dev_goals(goals)
    moved = directory.replace_person(PROVISIONER, "emp-dev", details("emp-dev"), manager_id="mgr-zed", active=True)
    follows = cloudevent_id(str(directory_person_uuid("emp-dev")), moved.version)
    for goal_id in (drafted, signed):
        (event,) = reassignments(goals, goal_id)
        assert (event.manager_id, event.previous_manager_id, event.reason, event.follows) == (
            "mgr-zed", "mgr-ana", "reporting_line_changed", follows)
        assert goals.get_goal(goal_id).manager_id == "mgr-zed"
    assert reassignments(goals, closed) == [] and goals.get_goal(closed).manager_id == "mgr-ana"


def save_without_following(goals: Goals, person_id: str, manager_id: str) -> None:
    """A change of reporting line stored by a server that stopped before it moved any goal."""
    person = goals.repository.get(directory_person_uuid(person_id))
    assert isinstance(person, DirectoryPerson)
    person.change_manager(PROVISIONER, manager_id, date(2026, 2, 1))
    goals.save_at(person)


def test_a_change_stored_before_a_crash_is_followed_once_after_the_restart(settings: Settings, clock: Clock) -> None:
    first = Goals(settings, today=clock)
    directory = Directory(first)
    small_organisation(directory)
    drafted, signed, _ = dev_goals(first)
    save_without_following(first, "emp-dev", "mgr-zed")
    first.close()
    for _restart in range(2):
        again = Goals(settings, today=clock)
        Directory(again)  # a server starting: it follows what it finds
        assert [len(reassignments(again, g)) for g in (drafted, signed)] == [1, 1]
        again.close()


def test_two_servers_following_at_once_move_each_goal_once(settings: Settings, clock: Clock) -> None:
    first, second = Goals(settings, today=clock), Goals(settings, today=clock)
    directories = [Directory(first), Directory(second)]
    small_organisation(directories[0])
    goal_ids = [draft(first, survey_terms(owner_id="emp-dev", manager_id="mgr-ana", title=f"Goal {n}"), DEV)
                for n in range(4)]
    save_without_following(first, "emp-dev", "mgr-zed")
    start = threading.Barrier(2)

    def follow(directory: Directory) -> None:
        start.wait()
        directory.follower.catch_up()

    threads = [threading.Thread(target=follow, args=(d,)) for d in directories]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [len(reassignments(first, g)) for g in goal_ids] == [1] * 4
    first.close()
    second.close()


def test_a_superseded_change_moves_nothing(goals: Goals) -> None:
    directory = Directory(goals)
    small_organisation(directory)
    drafted, _, _ = dev_goals(goals)
    save_without_following(goals, "emp-dev", "mgr-zed")
    save_without_following(goals, "emp-dev", "head")
    directory.follower.catch_up()
    assert [e.manager_id for e in reassignments(goals, drafted)] == ["head"]
