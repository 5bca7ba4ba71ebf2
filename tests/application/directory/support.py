"""A small organisation in the directory: a head of sales, a manager under her, two employees and an HR person."""

from __future__ import annotations

from application.directory.service import Directory
from domain.directory import PersonDetails
from domain.values import Actor, Role

PROVISIONER = Actor("scim:okta", Role.SERVICE)


def details(person_id: str, **changes: str) -> PersonDetails:
    values = {"user_name": f"{person_id}@example.com", "display_name": f"Name of {person_id}",
              "email": f"{person_id}@example.com", "title": "Engineer", "org_unit": "sales"}
    return PersonDetails(**(values | changes))


def small_organisation(directory: Directory) -> None:
    """head <- mgr-ana <- emp-dev, emp-eve; hr-hal in the HR group; mgr-zed manages nobody yet."""
    directory.provision(PROVISIONER, details("head"), person_id="head")
    directory.provision(PROVISIONER, details("mgr-ana"), person_id="mgr-ana", manager_id="head")
    directory.provision(PROVISIONER, details("mgr-zed"), person_id="mgr-zed", manager_id="head")
    for employee in ("emp-dev", "emp-eve"):
        directory.provision(PROVISIONER, details(employee), person_id=employee, manager_id="mgr-ana")
    directory.provision(PROVISIONER, details("hr-hal"), person_id="hr-hal", manager_id="head")
    directory.create_group(PROVISIONER, "hr", {"hr-hal"}, group_id="group-hr")
