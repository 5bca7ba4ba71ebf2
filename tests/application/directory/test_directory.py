"""The directory in the one log: people, reporting lines and groups, as events of the published contract."""

from __future__ import annotations

from datetime import date

import pytest

from application.audit.verification import verify_trail
from application.directory.errors import (
    DirectoryVersionMismatchError, PersonExistsError, ReportingLoopError, UnknownPersonError, UserNameTakenError,
)
from application.directory.roles import RoleGroups
from application.directory.service import Directory
from application.events.cloudevents import cloudevent_type
from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.privacy.registry import ERASED
from domain.directory import PersonDetails
from domain.errors import InvalidGoalInputError, PermissionDeniedError
from domain.values import Actor, Role
from tests.application.directory.support import PROVISIONER, details, small_organisation
from tests.conftest import Clock
from tests.scenarios import HR


def directory_types(goals: Goals) -> list[str]:
    events = [goals.mapper.to_domain_event(n) for n in goals.recorder.select_notifications(0, 1000)]
    return [cloudevent_type(type(e)) for e in events if cloudevent_type(type(e)).split(".")[0] in ("person", "group")]


def test_a_provisioned_person_is_found_by_id_email_user_name_and_external_id(goals: Goals) -> None:
    directory = Directory(goals)
    assert not directory.in_directory_mode() and directory.person("emp-dev") is None
    directory.provision(PROVISIONER, details("emp-dev", external_id="okta-17", email="Dev@Example.com"),
                        person_id="emp-dev")
    person = directory.person("emp-dev")
    assert person is not None and directory.in_directory_mode()
    assert (person.id, person.user_name, person.display_name, person.email, person.active, person.manager_id,
            person.groups) == ("emp-dev", "emp-dev@example.com", "Name of emp-dev", "Dev@Example.com", True, None,
                               frozenset())
    assert directory.find_by_email("dev@example.COM") == person == directory.find_by_external_id("okta-17")
    assert directory.find_by_user_name("EMP-DEV@example.com") == person
    assert directory.find_by_email("nobody@example.com") is None and directory.find_by_external_id("x") is None


def test_roles_come_from_groups_and_direct_reports(goals: Goals) -> None:
    directory = Directory(goals, RoleGroups(hr="hr", auditors="auditors"))
    small_organisation(directory)
    assert directory.roles_of("emp-dev") == {Role.EMPLOYEE}
    assert directory.roles_of("mgr-ana") == {Role.EMPLOYEE, Role.MANAGER}
    assert directory.roles_of("mgr-zed") == {Role.EMPLOYEE}  # no direct reports today: not a manager
    assert directory.roles_of("hr-hal") == {Role.EMPLOYEE, Role.HR}
    assert directory.roles_of("nobody") == frozenset()
    directory.create_group(PROVISIONER, "Auditors", {"emp-eve"})
    assert directory.roles_of("emp-eve") == {Role.EMPLOYEE, Role.AUDITOR}
    directory.deactivate(PROVISIONER, "hr-hal")
    assert directory.roles_of("hr-hal") == frozenset()


def test_each_kind_of_change_is_its_own_event_of_the_contract(goals: Goals, clock: Clock) -> None:
    directory = Directory(goals)
    small_organisation(directory)
    clock.current = date(2026, 3, 2)
    before = directory.person("emp-dev")
    assert before is not None
    after = directory.replace_person(PROVISIONER, "emp-dev", details("emp-dev", title="Lead"), manager_id="mgr-zed",
                                     active=True, expected_version=before.version)
    assert (after.details.title, after.manager_id, after.version) == ("Lead", "mgr-zed", before.version + 2)
    directory.deactivate(PROVISIONER, "emp-dev")
    directory.replace_person(PROVISIONER, "emp-dev", details("emp-dev", title="Lead"), manager_id="mgr-zed",
                             active=True)
    assert directory_types(goals)[-4:] == ["person.updated.v1", "person.reporting_line_changed.v1",
                                           "person.deactivated.v1", "person.reactivated.v1"]
    assert "group.created.v1" in directory_types(goals) and "group.membership_changed.v1" in directory_types(goals)
    events = [goals.mapper.to_domain_event(n) for n in goals.recorder.select_notifications(0, 1000)]
    updated = next(e for e in events if cloudevent_type(type(e)) == "person.updated.v1")
    moved = next(e for e in events if cloudevent_type(type(e)) == "person.reporting_line_changed.v1")
    assert vars(updated)["changes"] == {"title": {"from": "Engineer", "to": "Lead"}}
    assert (vars(moved)["from_manager_id"], vars(moved)["to_manager_id"], vars(moved)["effective_on"]) == (
        "mgr-ana", "mgr-zed", date(2026, 3, 2))
    assert verify_trail(goals).intact


def test_a_stale_version_changes_nothing(goals: Goals) -> None:
    directory = Directory(goals)
    small_organisation(directory)
    with pytest.raises(DirectoryVersionMismatchError):
        directory.replace_person(PROVISIONER, "emp-dev", details("emp-dev", title="Lead"), manager_id="mgr-ana",
                                 active=True, expected_version=7)
    person = directory.person("emp-dev")
    assert person is not None and person.details.title == "Engineer" and person.version == 1


@pytest.mark.parametrize("look_alike", ["emp\u200bdev", "emp-dev\u200f", "e\u0301mp", "emp-dev ", "\uff45mp-dev",
                                        "emp dev", ""])
def test_look_alike_ids_are_refused(bare_goals: Goals, look_alike: str) -> None:
    with pytest.raises(InvalidGoalInputError):
        Directory(bare_goals).provision(PROVISIONER, details("x"), person_id=look_alike)
    assert bare_goals.recorder.max_notification_id() in (None, 0)


def test_what_the_directory_refuses(goals: Goals) -> None:
    directory = Directory(goals)
    small_organisation(directory)
    head = goals.recorder.max_notification_id()
    refusals = [
        (UserNameTakenError, lambda: directory.provision(PROVISIONER, details("x", user_name="EMP-DEV@example.com"))),
        (UnknownPersonError, lambda: directory.provision(PROVISIONER, details("x"), manager_id="ghost")),
        (PersonExistsError, lambda: directory.provision(PROVISIONER, details("y"), person_id="emp-dev")),
        (ReportingLoopError, lambda: directory.replace_person(PROVISIONER, "head", details("head"),
                                                              manager_id="emp-dev", active=True)),
        (PermissionDeniedError, lambda: directory.provision(Actor("mgr-ana", Role.MANAGER), details("z"))),
        (InvalidGoalInputError, lambda: directory.provision(PROVISIONER, PersonDetails(user_name=" "))),
        (UnknownPersonError, lambda: directory.create_group(PROVISIONER, "x", {"ghost"})),
    ]
    for error, refused in refusals:
        with pytest.raises(error):
            refused()
    assert goals.recorder.max_notification_id() == head


def test_personal_fields_are_sealed_and_erasure_covers_them(goals: Goals) -> None:
    directory = Directory(goals)
    directory.provision(PROVISIONER, details("emp-dev", display_name="Devika Unique-Q7", title="Title-Z9"),
                        person_id="emp-dev")
    directory.replace_person(PROVISIONER, "emp-dev", details("emp-dev", display_name="Devika Renamed-K2"),
                             manager_id=None, active=True)
    stored = b"".join(bytes(n.state) for n in goals.recorder.select_notifications(0, 1000))
    assert b"Unique-Q7" not in stored and b"Renamed-K2" not in stored and b"Title-Z9" not in stored
    assert b"emp-dev" in stored  # the id stays: it is a pseudonym
    erase_person(goals, "emp-dev", HR, "GDPR article 17 request")
    person = directory.person("emp-dev")
    assert person is not None and person.display_name == ERASED and person.email == ERASED
    assert person.id == "emp-dev" and person.details.org_unit == "sales"
    assert verify_trail(goals).intact


def test_a_second_directory_over_the_same_store_sees_the_first_s_writes(goals: Goals) -> None:
    first, second = Directory(goals), Directory(goals)
    assert second.person("emp-dev") is None
    first.provision(PROVISIONER, details("emp-dev"), person_id="emp-dev")
    found = second.person("emp-dev")
    assert found is not None and found.user_name == "emp-dev@example.com"
