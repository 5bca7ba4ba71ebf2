"""`goalengine demo` seeds the directory first, by the commands SCIM uses, and its goals follow those lines."""

from __future__ import annotations

from datetime import date

from api.bootstrap import seed_demo_store
from application.directory.service import Directory
from application.goals.service import Goals
from application.store.settings import Settings
from domain.values import Role


def test_the_demo_organisation_is_a_directory_and_its_goals_follow_its_reporting_lines(settings: Settings) -> None:
    assert seed_demo_store(settings, date(2026, 6, 1))
    goals = Goals(settings)
    try:
        directory = Directory(goals)
        assert directory.in_directory_mode()
        dev = directory.person("emp-dev")
        assert dev is not None and (dev.display_name, dev.details.title, dev.manager_id) == (
            "Devika Rao", "Support engineer", "mgr-ana")
        assert Role.HR in directory.roles_of("hr-iris") and Role.AUDITOR in directory.roles_of("aud-kim")
        assert directory.roles_of("mgr-ben") == {Role.EMPLOYEE, Role.MANAGER}
        for goal_id in goals.iter_goal_ids():
            goal = goals.get_goal(goal_id)
            assert goal.manager_id == directory.manager_of(goal.owner_id), goal.terms.title
    finally:
        goals.close()
