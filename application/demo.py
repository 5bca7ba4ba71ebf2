"""The demo organisation: one cycle, two managers, six employees, their goals, readings over the cycle and three
recalibrations (approved, rejected, pending). Seeded once, and only into an empty store.

The cycle is laid around the day it is seeded (it began about five months earlier) and each event is stamped at
the moment it would have happened in that story, so pace, "as of" and the timeline read as they would in a real
cycle. Stamping is done by giving the goal events a demo clock for the duration of the seeding only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, UTC
from decimal import Decimal
from uuid import UUID

from application.cycles.service import Cycles
from application.directory.service import Directory
from application.goals.service import Goals
from application.cycles.objectives import Objectives
from domain.cycle import Cycle as ReviewCycle
from domain.directory import DirectoryPerson, PersonDetails
from domain.directory_group import DirectoryGroup
from domain.goal import Goal
from domain.objective import Objective
from domain.terms import GoalTerms
from domain.values import Actor, Cadence, Cycle, Direction, Kpi, Role

CYCLE_DAYS_BEFORE, CYCLE_DAYS_AFTER = 150, 40
HR, HR_2, AUDITOR = Actor("hr-iris", Role.HR), Actor("hr-jon", Role.HR), Actor("aud-kim", Role.AUDITOR)
ANA, BEN = Actor("mgr-ana", Role.MANAGER), Actor("mgr-ben", Role.MANAGER)
STAMPED = (Goal.Event, ReviewCycle.Event, Objective.Event, DirectoryPerson.Event, DirectoryGroup.Event)
# The directory (ADR 0033): id, display name, title, org unit, manager; HR and auditors by group (ADR 0034).
PEOPLE = (
    ("dir-oli", "Olivia Okafor", "Director of operations", "management", None),
    ("mgr-ana", "Ana Lima", "Support team lead", "support", "dir-oli"),
    ("mgr-ben", "Ben Adler", "Operations team lead", "operations", "dir-oli"),
    ("emp-carla", "Carla Reyes", "Support specialist", "support", "mgr-ana"),
    ("emp-dev", "Devika Rao", "Support engineer", "support", "mgr-ana"),
    ("emp-eve", "Eve Martin", "Support specialist", "support", "mgr-ana"),
    ("emp-finn", "Finn Larsen", "Logistics coordinator", "operations", "mgr-ben"),
    ("emp-gia", "Gia Russo", "Quality inspector", "operations", "mgr-ben"),
    ("emp-hugo", "Hugo Weber", "Warehouse lead", "operations", "mgr-ben"),
    ("hr-iris", "Iris Novak", "HR partner", "people", "dir-oli"),
    ("hr-jon", "Jon Berg", "HR partner", "people", "dir-oli"),
    ("aud-kim", "Kim Sato", "Internal auditor", "audit", "dir-oli"),
)
GROUPS = (("hr", ("hr-iris", "hr-jon")), ("auditors", ("aud-kim",)))
# One person of each role, for the sign-in links `make run` prints.
SIGN_IN_PEOPLE = (Actor("emp-dev", Role.EMPLOYEE), ANA, HR, AUDITOR)


class DemoClock:
    """The story's clock: a day and a moment that only moves forward, a second per event."""

    def __init__(self, start: date) -> None:
        self.now = datetime.combine(start, time(9), UTC)

    @classmethod
    def for_story(cls, today: date) -> DemoClock:
        """A clock at the start of the demo cycle laid around `today`."""
        return cls(today - timedelta(days=CYCLE_DAYS_BEFORE))

    def on(self, day: date, hour: int = 9) -> None:
        self.now = max(self.now, datetime.combine(day, time(hour), UTC))

    def today(self) -> date:
        return self.now.date()

    def timestamp(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@contextmanager
def stamped_by(clock: DemoClock) -> Iterator[None]:
    """Events created inside the block carry the demo clock's moment instead of the wall clock's."""
    for event_class in STAMPED:
        setattr(event_class, "create_timestamp", staticmethod(clock.timestamp))  # noqa: B010
    try:
        yield
    finally:
        for event_class in STAMPED:
            delattr(event_class, "create_timestamp")


@dataclass(frozen=True)
class DemoGoal:
    owner: Actor
    manager: Actor
    org_unit: str
    title: str
    statement: str
    kpi: Kpi
    progress: tuple[Decimal, ...]  # the share of the way to the target reached by each monthly reading


def kpi(kpi_id: str, name: str, unit: str, direction: Direction, baseline: str, target: str) -> Kpi:
    return Kpi(kpi_id, name, unit, direction, Decimal(baseline), Cadence.MONTHLY, target=Decimal(target))


def _p(*shares: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(s) for s in shares)


def employee(person: str) -> Actor:
    return Actor(person, Role.EMPLOYEE)


GOALS = (
    DemoGoal(employee("emp-carla"), ANA, "support", "Customer-service satisfaction",
             "Raise the customer satisfaction score of resolved support tickets from 82% to 90% by the deadline",
             kpi("csat", "Customer satisfaction", "%", Direction.INCREASE, "82", "90"),
             _p("0.2", "0.4", "0.6", "0.81")),
    DemoGoal(employee("emp-dev"), ANA, "support", "Support ticket throughput",
             "Resolve at least 20 support tickets per day on average by the deadline, keeping quality steady",
             kpi("tickets", "Tickets resolved per day", "tickets/day", Direction.INCREASE, "14", "20"),
             _p("0.1", "0.25", "0.5", "0.7")),  # from the third month on, of the way to the recalibrated 18
    DemoGoal(employee("emp-eve"), ANA, "support", "First response time",
             "Cut the median first response time on support tickets from 8 hours to 4 hours by the deadline",
             kpi("first_response", "Median first response", "hours", Direction.DECREASE, "8", "4"),
             _p("0.25", "0.45", "0.65", "0.8")),
    DemoGoal(employee("emp-finn"), BEN, "operations", "On-time delivery",
             "Raise the share of orders delivered on the promised day from 88% to 95% by the deadline",
             kpi("on_time", "Orders delivered on time", "%", Direction.INCREASE, "88", "95"),
             _p("0.1", "0.2", "0.3", "0.35")),
    DemoGoal(employee("emp-gia"), BEN, "operations", "Defect rate",
             "Bring the defect rate of shipped units down from 3.5% to 2.0% by the deadline",
             kpi("defects", "Defect rate of shipped units", "%", Direction.DECREASE, "3.5", "2.0"),
             _p("0.2", "0.4", "0.5", "0.62")),
    DemoGoal(employee("emp-hugo"), BEN, "operations", "Stock accuracy",
             "Raise the stock count accuracy in the main warehouse from 96% to 99% by the deadline",
             kpi("stock", "Stock count accuracy", "%", Direction.INCREASE, "96", "99"),
             _p("0.3", "0.5", "0.7", "0.85")),
)


def seed_demo(goals: Goals, clock: DemoClock, today: date) -> bool:
    """Seed the demo organisation into an empty store; False (and nothing stored) if the store holds events.

    `goals` is built by the composition root (api/bootstrap.py) with the clock's `today` as its business date.
    """
    if goals.head_position() > 0:
        return False
    with stamped_by(clock):
        DemoStory(goals, clock, clock.today(), today).tell()
    return True


class DemoStory:
    def __init__(self, goals: Goals, clock: DemoClock, start: date, today: date) -> None:
        self.goals, self.clock, self.today = goals, clock, today
        end = today + timedelta(days=CYCLE_DAYS_AFTER)
        self.cycle = Cycle(f"{start:%Y-%m}..{end:%Y-%m}", start, end)
        self.ids: dict[str, UUID] = {}
        self.objectives: dict[str, str] = {}

    def tell(self) -> None:
        start = self.cycle.start
        self.clock.on(start)
        self.seed_directory()
        self.open_cycle()
        for i, goal in enumerate(GOALS):
            self.clock.on(start + timedelta(days=2 + i % 3))
            self.ids[goal.owner.id] = self.agree(goal)
        self.clock.on(start + timedelta(days=8))
        for party in (ANA, employee("emp-dev")):  # after agreement a milestone holds once both parties set it
            self.goals.set_milestone(self.ids["emp-dev"], party, kpi="tickets", due=start + timedelta(days=90),
                                     target=Decimal(17))
        for month in range(4):
            self.clock.on(start + timedelta(days=30 * (month + 1) + 1))
            for goal in GOALS:
                self.read(goal, month)
            if month == 1:
                self.recalibrations_of_mid_cycle()
        self.correction_and_draft()
        self.clock.on(self.today - timedelta(days=3))
        self.goals.propose_recalibration(
            self.ids["emp-gia"], BEN, reason="resourcing", targets={"defects": {"target": Decimal("2.4")}},
            justification="The second inspection line was moved to the new plant until next year.")

    def seed_directory(self) -> None:
        """The people, their reporting lines and the HR and auditor groups, by the commands SCIM uses."""
        directory = Directory(self.goals)
        for person_id, name, title, unit, manager_id in PEOPLE:
            details = PersonDetails(user_name=f"{person_id}@demo.example", display_name=name, title=title,
                                    email=f"{person_id}@demo.example", org_unit=unit,
                                    given_name=name.split()[0], family_name=name.split()[-1])
            directory.provision(HR, details, person_id=person_id, manager_id=manager_id)
        for group, members in GROUPS:
            directory.create_group(HR, group, set(members), group_id=f"group-{group}")

    def open_cycle(self) -> None:
        """HR opens the cycle, starts it, and sets one objective per org unit for the goals to align to."""
        cycles = Cycles(self.goals)
        cycles.open_cycle(HR, cycle_id=self.cycle.id, name="Demo cycle", start=self.cycle.start, end=self.cycle.end)
        cycles.activate(HR, self.cycle.id)
        for unit in dict.fromkeys(goal.org_unit for goal in GOALS):
            self.objectives[unit] = Objectives(self.goals).set_objective(
                HR, title=f"The {unit} objective of the year", cycle_id=self.cycle.id, org_unit=unit,
                owner_id=HR.id, description="Agreed in the planning meeting.").goal_id

    def agree(self, goal: DemoGoal) -> UUID:
        terms = GoalTerms(
            org_unit=goal.org_unit, title=goal.title, statement=goal.statement, kpis=(goal.kpi,),
            deadline=self.cycle.end, weight=Decimal(100), parent_goal_id=self.objectives[goal.org_unit],
            rationale=f"The {goal.org_unit} objective of the year, agreed in the planning meeting.")
        drafted = self.goals.draft_goal(goal.manager, cycle=self.cycle, owner_id=goal.owner.id,
                                        manager_id=goal.manager.id, terms=terms)
        goal_id = UUID(drafted.goal_id)
        self.goals.sign_goal(goal_id, goal.manager)
        self.goals.sign_goal(goal_id, goal.owner)
        return goal_id

    def read(self, goal: DemoGoal, month: int) -> None:
        target = self.goals.get_goal(self.ids[goal.owner.id]).kpi(goal.kpi.id).target or goal.kpi.baseline
        value = goal.kpi.baseline + (target - goal.kpi.baseline) * goal.progress[month]
        self.goals.record_kpi(self.ids[goal.owner.id], goal.owner, kpi=goal.kpi.id,
                              value=value.quantize(Decimal("0.1")), observed_at=self.clock.today() - timedelta(days=1),
                              source="monthly report")

    def recalibrations_of_mid_cycle(self) -> None:
        day = self.clock.today()
        dev, finn = self.ids["emp-dev"], self.ids["emp-finn"]
        approved = self.goals.propose_recalibration(
            dev, ANA, reason="external_factor", targets={"tickets": {"target": Decimal(18)}},
            justification="A ticketing-system outage cost two weeks of throughput in the second month.")
        self.clock.on(day + timedelta(days=5))
        self.goals.approve_recalibration(dev, HR, approved.reference or "", note="Outage confirmed by IT.")
        rejected = self.goals.propose_recalibration(
            finn, employee("emp-finn"), reason="priority_shift", targets={"on_time": {"target": Decimal(91)}},
            justification="Two carriers were replaced this quarter and new routes take time to settle.")
        self.clock.on(day + timedelta(days=9))
        self.goals.reject_recalibration(finn, HR_2, rejected.reference or "",
                                        note="Carrier changes were planned before the goal was agreed.")

    def correction_and_draft(self) -> None:
        carla = self.ids["emp-carla"]
        self.clock.on(self.today - timedelta(days=20))
        last = self.goals.get_goal(carla).readings.last_day()
        assert last is not None  # carla's goal has readings by now
        self.goals.record_kpi(carla, employee("emp-carla"), kpi="csat", value=Decimal("88.4"), observed_at=last,
                              source="monthly report", note="the survey export had missed a week of answers")
        terms = GoalTerms(
            org_unit="support", title="Knowledge-base articles", weight=Decimal(40),
            statement="Publish 12 knowledge-base articles on the most frequent ticket topics by the deadline",
            kpis=(kpi("articles", "Articles published", "articles", Direction.INCREASE, "0", "12"),),
            deadline=self.cycle.end, rationale="Fewer repeated tickets: customers help themselves.",
            parent_goal_id=self.objectives["support"])
        self.goals.draft_goal(ANA, cycle=self.cycle, owner_id="emp-carla", manager_id=ANA.id, terms=terms)
        self.goals.sign_goal(list(self.goals.iter_goal_ids())[-1], ANA)
