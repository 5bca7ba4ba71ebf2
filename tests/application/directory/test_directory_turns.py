"""Directory commands that check the directory as a whole take turns (ADR 0054): of two racing commands, the second
gets the refusal it would get after the first, and nothing is stored for it; across threads, across applications
with connections of their own (as two processes have), across real processes, and beside a people import.

Each race is forced, not hoped for (tests/application/directory/racing.py): the first command stops after its check,
just before it saves, until the second waits for the turn.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import date

import pytest

from application.directory.errors import ReportingLoopError, UserNameTakenError
from application.directory.importing import import_people
from application.directory.service import Directory
from application.goals.service import Goals
from application.store.settings import Settings
from tests.application.directory.racing import BOUND, provision_and_hold, race
from tests.application.directory.support import PROVISIONER, details, small_organisation
from tests.conftest import Clock
from tests.scenarios import HR

HEADER = "id,user_name,display_name,email,title,org_unit,manager_id,groups,active\n"


@pytest.fixture
def other_goals(settings: Settings, clock: Clock) -> Iterator[Goals]:
    """A second application over the same store, with an engine, connections and index of its own."""
    app = Goals(settings, today=clock)
    yield app
    app.close()


def user_names(goals: Goals) -> list[str]:
    return sorted(person.user_name for person in Directory(goals).people())


def test_of_two_threads_provisioning_one_user_name_the_second_is_refused(goals: Goals) -> None:
    directory = Directory(goals)
    first, second = race(goals, directory,
                         lambda: directory.provision(PROVISIONER, details("a", user_name="dev@example.com")),
                         lambda: directory.provision(PROVISIONER, details("b", user_name="DEV@example.com")))
    assert first.result().user_name == "dev@example.com"
    with pytest.raises(UserNameTakenError):
        second.result()
    assert user_names(goals) == ["dev@example.com"]


def test_of_two_threads_making_two_people_each_other_s_manager_the_second_is_refused(goals: Goals) -> None:
    directory = Directory(goals)
    small_organisation(directory)  # mgr-ana and mgr-zed both report to head
    first, second = race(
        goals, directory,
        lambda: directory.replace_person(PROVISIONER, "mgr-ana", details("mgr-ana"), manager_id="mgr-zed", active=True),
        lambda: directory.replace_person(PROVISIONER, "mgr-zed", details("mgr-zed"), manager_id="mgr-ana", active=True))
    assert first.result().manager_id == "mgr-zed"
    with pytest.raises(ReportingLoopError):
        second.result()
    fresh = Directory(goals)
    assert (fresh.manager_of("mgr-ana"), fresh.manager_of("mgr-zed")) == ("mgr-zed", "head")


def test_two_applications_with_connections_of_their_own_take_turns(goals: Goals, other_goals: Goals) -> None:
    here, there = Directory(goals), Directory(other_goals)
    small_organisation(here)
    assert there.person("mgr-zed") is not None  # its index has read the log: only a catch-up in the turn sees more
    first, second = race(
        goals, there,
        lambda: here.provision(PROVISIONER, details("a", user_name="new@example.com")),
        lambda: there.provision(PROVISIONER, details("b", user_name="New@Example.com")))
    first.result()
    with pytest.raises(UserNameTakenError):
        second.result()
    first, second = race(
        goals, there,
        lambda: here.replace_person(PROVISIONER, "mgr-ana", details("mgr-ana"), manager_id="mgr-zed", active=True),
        lambda: there.replace_person(PROVISIONER, "mgr-zed", details("mgr-zed"), manager_id="mgr-ana", active=True))
    first.result()
    with pytest.raises(ReportingLoopError):
        second.result()
    assert user_names(goals).count("new@example.com") == 1
    assert Directory(goals).manager_of("mgr-zed") == "head"


def test_a_scim_push_beside_an_import_is_refused_the_user_name_the_file_took(goals: Goals,
                                                                           other_goals: Goals) -> None:
    importer, server = Directory(goals), Directory(other_goals)
    first, second = race(
        goals, server,
        lambda: import_people(importer, HEADER + "emp-dev,dev,Devika Rao,dev@example.com,,sales,,,true\n", HR,
                              today=date(2026, 1, 15)),
        lambda: server.provision(PROVISIONER, details("scim-dev", user_name="DEV")))
    assert first.result().refusals == []
    with pytest.raises(UserNameTakenError):
        second.result()
    assert user_names(goals) == ["dev"]


def test_an_import_beside_a_scim_push_refuses_the_row_whose_user_name_the_push_took(goals: Goals,
                                                                                   other_goals: Goals) -> None:
    server, importer = Directory(goals), Directory(other_goals)
    first, second = race(
        goals, importer,
        lambda: server.provision(PROVISIONER, details("scim-dev", user_name="dev"), person_id="scim-dev"),
        lambda: import_people(importer, HEADER + "emp-dev,DEV,Devika Rao,dev@example.com,,sales,,,true\n", HR,
                              today=date(2026, 1, 15)))
    first.result()
    plan = second.result()
    assert (plan.refusals, plan.position) == ([(2, "user_name 'DEV' is taken by 'scim-dev'")], None)
    assert [person.id for person in Directory(goals).people()] == ["scim-dev"]


def test_a_process_beside_takes_turns(goals: Goals, settings: Settings) -> None:
    """A real second process (a CLI import beside a server, or `serve --workers 2` on PostgreSQL)."""
    directory = Directory(goals)
    spawn = multiprocessing.get_context("spawn")
    checked, let_go = spawn.Event(), spawn.Event()
    other = spawn.Process(target=provision_and_hold, args=(settings, "dev@example.com", checked, let_go))
    other.start()
    try:
        assert checked.wait(120), "the other process did not reach its save"
        directory.turn.on_wait.append(let_go.set)
        with pytest.raises(UserNameTakenError):
            directory.provision(PROVISIONER, details("here", user_name="DEV@example.com"))
    finally:
        let_go.set()
        other.join(BOUND)
    assert other.exitcode == 0
    assert [person.id for person in directory.people()] == ["in-the-other"]
