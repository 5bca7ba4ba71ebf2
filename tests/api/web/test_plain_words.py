"""No developer wording on any page (issue 25, item 7), over HTTP on the demo organisation (SQLite: the words do not
depend on the store): every page each demo role reaches from its home page by following links, the pages of wrong
addresses, hidden or unknown ids and bad parameters, and every form refused with bad input, read as a person reads
them (the visible text of <main>). None may show validation-library text ("Input should", "Value error"), request
paths (`query.cycle`), UUIDs or event ids, log positions, snake_case codes, event class names, HTTP status codes,
CLI commands or roles as codes.

The one exception is explicit: parts a page marks `data-evidence`, shown only to auditors, for whom ids are evidence
(a person's id beside their name, a cited event's goal:version in the review, the fairness report's log position and
hashes, the trail's figures and the command that repeats its check). Those parts are left out of an auditor's scan,
and no other role may be shown one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from uuid import uuid4

import httpx
import pytest

from api.web.session import sign_in_link
from tests.api.conftest import API_SECRET
from tests.api.web import test_workspace_pages as demo
from tests.api.web.test_workspace_pages import BASE, TODAY, Web, csrf_of, draft_fields, follow_link

DEVELOPER_WORDING = {
    "validation library text": r"Input should|Value error|String should|[Ff]ield required|isoformat",
    "a request path": r"\b(?:query|body|path|header)\.[a-z]",
    "a UUID": r"\b[0-9a-f]{8}-[0-9a-f]{4}-",
    "an event id": r"\b[0-9a-f]{8}:v\d+\b",
    "a log position": r"(?i)log position|tree size|root hash",
    "snake_case": r"\b[a-z]+_[a-z_]+\b",
    "an event class name": r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b",
    "an HTTP status": r"\b(?:HTTP )?[45]\d\d\b",
    "a CLI command": r"\bgoalengine [a-z]+|--[a-z]+",
    "a role as a code": r"\brole (?:employee|manager|hr|auditor)\b|\ballowed: ",
    "a person's id": r"\b(?:emp|mgr|hr|aud|dir)-[a-z]+\b",  # the demo's ids: pages name people
}
ROLES = {"emp-dev": "employee", "emp-carla": "employee", "mgr-ana": "manager", "mgr-ben": "manager",
         "hr-iris": "hr", "aud-kim": "auditor"}
EVIDENCE = re.compile(r"<(\w+)\b[^>]*\sdata-evidence\b[^>]*>.*?</\1>", re.S)
LINK = re.compile(r'<a\b[^>]*\shref="(/[^"]*)"')
AS_OF_OPTION = re.compile(r'<select id="as-of"[^>]*>.*?</select>', re.S)


@pytest.fixture(scope="module", params=["sqlite"])
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    yield from demo.web.__wrapped__(request, tmp_path_factory)


def words_on_screen(page: str, auditor: bool) -> tuple[str, bool]:
    """The visible text of <main> (an auditor's without the parts marked as evidence), and whether any such part
    was there."""
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    marked = bool(EVIDENCE.search(main))
    if auditor:
        main = EVIDENCE.sub(" ", main)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main))), marked


def findings(who: str, what: str, answer: httpx.Response) -> list[str]:
    """Each piece of developer wording on the page, as `who what: kind 'found'`."""
    if not answer.headers.get("content-type", "").startswith("text/html"):
        return [f"{who} {what}: answers {answer.headers.get('content-type')}, not a page"]
    auditor = ROLES.get(who) == "auditor"
    text, marked = words_on_screen(answer.text, auditor)
    found = [f"{who} {what}: {kind} {sorted(set(re.findall(pattern, text)))[:3]}"
             for kind, pattern in DEVELOPER_WORDING.items() if re.search(pattern, text)]
    return found + ([f"{who} {what}: evidence shown to a non-auditor"] if marked and not auditor else [])


PROBLEM_TEXTS = re.compile(r'<p class="field-error" id="([^"]+)">(.*?)</p>|<div class="problem"[^>]*>\s*<p>(.*?)</p>',
                           re.S)
SENTENCE = re.compile(r"[A-Z0-9'‘“\"].*[.!?”\"]", re.S)


def not_sentences(who: str, what: str, answer: httpx.Response) -> list[str]:
    """A refused form's problem box and each error beside a field, where one is not a sentence; none at all is a
    finding too (the person would not know what went wrong)."""
    shown = [(field or "the problem box", html.unescape(beside or box).strip())
             for field, beside, box in PROBLEM_TEXTS.findall(answer.text)]
    if not shown:
        return [f"{who} {what}: says nothing about the problem"]
    return [f"{who} {what}: {where} says {text!r}" for where, text in shown if not SENTENCE.fullmatch(text)]


def crawl(web: Web, who: str, extra: list[str]) -> list[str]:
    """Every page the person reaches from the home page by links (and `extra` addresses), each goal page also as of
    one of its moments; the findings of them all."""
    queue, seen, found = ["/", *extra], set(), []
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        assert len(seen) < 150, "the crawl does not end"
        answer = web.client.get(path)
        assert answer.status_code < 500, (who, path, answer.text[:300])
        found += findings(who, path, answer) + (not_sentences(who, path, answer) if answer.status_code >= 400 else [])
        queue += [link for link in (html.unescape(href).split("#")[0] for href in LINK.findall(answer.text))
                  if link and not link.startswith(("/static", "/auth")) and ".pdf" not in link]
        moments = re.findall(r'<option value="([^"]+)"', (AS_OF_OPTION.findall(answer.text) or [""])[0])
        if len(moments) > 2 and "as_of" not in path:
            queue.append(str(httpx.URL(path).copy_merge_params({"as_of": moments[2]})))
    return found


def wrong_addresses(web: Web) -> list[str]:
    """Addresses no link gives: each goal by id (some hidden from the viewer), unknown and malformed ids, missing and
    bad parameters, and the pages that are for other roles."""
    goal_id = web.goal_titled("Support ticket throughput")
    cycle = web.goals.get_goal(goal_id).cycle.id
    every_goal = [f"/workspace/goals/{g}" for g in web.goals.iter_goal_ids()]
    return [*every_goal, f"/workspace/goals/{uuid4()}", "/workspace/goals/not-a-goal-id", "/workspace/goals",
            "/workspace/foo", "/logout", f"/workspace/goals/{goal_id}?as_of=bad",
            f"/workspace/goals/{goal_id}?as_of=2000-01-01T00:00", "/workspace/reviews/emp-dev",
            f"/workspace/reviews/emp-eve?cycle={cycle}", f"/workspace/reviews/emp-dev?cycle={cycle}&as_of=soon",
            "/workspace/goals/new", "/workspace/hr/recalibrations", "/workspace/trail?verify=true",
            f"/workspace/hr/fairness?cycle={cycle}&group_by=org_unit",
            f"/workspace/hr/fairness?cycle={cycle}&group_by=decider", "/workspace/hr/fairness?cycle=1999-H1",
            f"/workspace/cycles/{cycle}", f"/workspace/cycles/{cycle}?group_by=salary", "/workspace/cycles/nope",
            "/workspace/alignment?cycle=zz", "/workspace/inbox", "/workspace/cycles"]


def test_no_page_of_any_role_shows_developer_wording(web: Web) -> None:
    found = []
    for sub, role in ROLES.items():
        web.sign_in(sub, role)
        found += crawl(web, sub, wrong_addresses(web))
    web.client.cookies.clear()
    link = sign_in_link(API_SECRET, "emp-dev", "employee", BASE)
    follow_link(web.client, link)
    web.client.cookies.clear()
    for path in ("/login", "/workspace/hr/fairness", "/login?token=x", "/login/link?token=bad", link):
        found += findings("a stranger", path, web.client.get(path))
    assert found == [], "\n".join(found)


def refused_forms(web: Web) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """For each person, forms posted with bad input, or by someone they are not for: each must be refused."""
    dev_goal = web.goal_titled("Support ticket throughput")
    kpi = web.goals.get_goal(dev_goal).kpis[0].id
    cycle = web.goals.get_goal(dev_goal).cycle.id
    draft = web.goal_titled("Knowledge-base articles")
    pending = web.goal_titled("Defect rate")
    goal, review = f"/workspace/goals/{dev_goal}", "/workspace/reviews/emp-dev"
    reading = {"kpi": kpi, "value": "17", "observed_at": TODAY.isoformat()}
    proposal = {"kpi": kpi, "target": "15", "reason": "external_factor", "justification": "An outage cost two weeks."}
    check_in = {"status": "on_track", "confidence": "4", "note": "Fine."}
    milestone = {"kpi": kpi, "due": (TODAY + timedelta(days=10)).isoformat(), "target": "18"}
    employee = [
        *[(f"{goal}/readings", {**reading, **bad}) for bad in (
            {"value": "lots"}, {"value": ""}, {"value": "1e999"}, {"observed_at": "yesterday"}, {"kpi": "nope"},
            {"observed_at": (TODAY + timedelta(days=5)).isoformat()}, {"observed_at": "1999-01-01"},
            {"note": "x" * 5001}, {"source": "a\x01b"})],
        *[(f"{goal}/recalibrations", {**proposal, **bad}) for bad in (
            {"target": "lots"}, {"deadline": "soon"}, {"reason": "whim"}, {"justification": ""},
            {"target": "", "deadline": ""})],
        *[(f"{goal}/check-ins", {**check_in, **bad}) for bad in (
            {"status": "fine"}, {"confidence": "9"}, {"confidence": "x"}, {"note": "x" * 5001})],
        *[(f"{goal}/milestones", {**milestone, **bad}) for bad in (
            {"kpi": "nope"}, {"due": "soon"}, {"target": "lots"}, {"due": "2000-01-01"})],
        (f"{goal}/signatures", {"version": "x"}), (f"{goal}/closure", {"outcome": "achieved", "summary": "Done."}),
        (f"/workspace/goals/{pending}/recalibrations/r1/approval", {"note": "Looks right to me."}),
        (f"{review}/self-assessment?cycle={cycle}", {"text": ""}),
        (f"{review}/acknowledgement?cycle={cycle}", {}), (f"{review}/disputes?cycle={cycle}", {"reason": ""}),
        (f"{review}/disputes?cycle={cycle}", {"reason": "Too low."}),
        (f"/workspace/reviews/emp-eve/decision?cycle={cycle}", {"band": "meets", "summary": "Fine."}),
        ("/workspace/goals/new", draft_fields("", "draft", "Bring escalations from 12% to 8% by the deadline")),
        ("/workspace/cycles", {"id": "2031-H1", "name": "First half", "start": "2031-01-01", "end": "2031-06-30"}),
    ]
    edit = {"version": str(web.goals.get_goal(draft).version)}
    statement = "Bring the share of tickets escalated down from 12% to 8% by the deadline"
    manager = [
        *[("/workspace/goals/new", {**draft_fields("", "draft", statement), **bad}) for bad in (
            {"weight": "abc"}, {"weight": "150"}, {"kpis-0-baseline": "eight"}, {"deadline": "soon"},
            {"kpis-0-direction": "up"}, {"kpis-0-cadence": "hourly"}, {"title": ""}, {"owner_id": "emp-finn"},
            {"kpis-0-id": "bad id!"}, {"kpis-0-low": "1"}, {"statement": ""},
            {"cycle_id": "nope"})],
        *[(f"/workspace/goals/{draft}/edit", {**draft_fields("", "save", statement), **edit, **bad}) for bad in (
            {"weight": "abc"}, {"title": ""}, {"version": "x"})],
        (f"/workspace/goals/{draft}/withdrawal", {"reason": ""}),
        *[(f"{goal}/closure", bad) for bad in ({"outcome": "won", "summary": "Done."}, {"outcome": "achieved",
                                                                                       "summary": ""})],
        *[(f"{review}/decision?cycle={cycle}", bad) for bad in (
            {"band": "stellar", "summary": "Fine."}, {"band": "meets", "summary": ""},
            {"band": "outstanding", "summary": "A strong half."})],
        (f"{review}/disputes/d9/resolution?cycle={cycle}", {"outcome": "upheld"}),
        (f"/workspace/cycles/{cycle}/release", {}), (f"/workspace/reviews/emp-finn/decision?cycle={cycle}",
                                                     {"band": "meets", "summary": "Fine."}),
    ]
    hr = [
        *[(f"/workspace/goals/{pending}/recalibrations/r1/{step}", {"note": note}) for step, note in (
            ("approval", "short"), ("rejection", ""), ("approval", "   "))],
        *[("/workspace/cycles", {"id": "2031-H1", "name": "First half", "start": "2031-01-01", "end": "2031-06-30",
                                 **bad}) for bad in (
            {"id": ""}, {"name": ""}, {"start": "soon"}, {"end": "2030-01-01"}, {"id": "bad id!"}, {"id": cycle})],
        (f"/workspace/cycles/{cycle}/explode", {}), (f"/workspace/cycles/{cycle}/release", {}),
        (f"{goal}/recalibrations", proposal), (f"{goal}/readings", {**reading, "value": "lots"}),
    ]
    auditor = [(f"{goal}/readings", reading), (f"/workspace/goals/{pending}/recalibrations/r1/approval",
                                               {"note": "Looks right to me."}), ("/workspace/cycles", {})]
    return {"emp-dev": employee, "mgr-ana": manager, "hr-iris": hr, "aud-kim": auditor}


def test_every_refused_form_says_its_problem_in_words_and_stores_nothing(web: Web) -> None:
    head, found = web.goals.head_position(), []
    for sub, forms in refused_forms(web).items():
        csrf = web.sign_in(sub, ROLES[sub])
        for path, fields in forms:
            answer = web.client.post(path, data={**fields, "csrf_token": csrf}, follow_redirects=False)
            assert answer.status_code >= 400, (sub, path, sorted(fields.items())[-6:], answer.status_code)
            what = f"POST {path} {sorted(fields.items())[:2]}"
            found += findings(sub, what, answer) + not_sentences(sub, what, answer)
        forged = web.client.post(forms[0][0], data={**forms[0][1], "csrf_token": "forged"})
        found += findings(sub, "a forged form", forged)
    web.client.cookies.clear()
    login = csrf_of(web.client.get("/login").text)
    for token in ("", "not-a-token"):
        found += findings("a stranger", f"POST /login {token!r}", web.client.post("/login", data={
            "token": token, "csrf_token": login}))
    assert web.goals.head_position() == head
    assert found == [], "\n".join(found)


def step(web: Web, sub: str, path: str, fields: dict[str, str], status: int = 303) -> list[str]:
    """One step of the review by its form: it answers `status`; a refusal is read for developer wording."""
    csrf = web.sign_in(sub, ROLES[sub])
    answer = web.client.post(path, data={**fields, "csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == status, (sub, path, fields, answer.text[:300])
    what = f"POST {path} {sorted(fields)}"
    return findings(sub, what, answer) + not_sentences(sub, what, answer) if status >= 400 else []


def test_the_review_s_later_stages_show_no_developer_wording(web: Web) -> None:
    """Runs last: the demo cycle's review of Devika Rao is decided, released and disputed through the pages, then
    every role's pages are read again, with the refusals each stage gives."""
    cycle = web.goals.get_goal(web.goal_titled("Support ticket throughput")).cycle.id
    review, cycles = "/workspace/reviews/emp-dev", f"/workspace/cycles/{cycle}"
    decided = {"band": "outstanding", "summary": "A strong half.", "override_reason": "The outage is not hers."}
    found = step(web, "mgr-ana", f"{review}/decision?cycle={cycle}", {**decided, "override_reason": ""}, 422)
    found += step(web, "mgr-ana", f"{review}/decision?cycle={cycle}", decided)
    found += step(web, "hr-iris", f"{cycles}/review", {})
    found += step(web, "emp-dev", f"{review}/disputes?cycle={cycle}", {"reason": "Too low."}, 409)  # not released
    found += step(web, "hr-iris", f"{cycles}/release", {})
    found += step(web, "emp-dev", f"{review}/disputes?cycle={cycle}", {"reason": "The outage was not mine."})
    found += step(web, "emp-dev", f"{review}/acknowledgement?cycle={cycle}", {}, 409)  # a dispute is open
    found += step(web, "mgr-ana", f"{review}/decision?cycle={cycle}", decided, 409)
    found += step(web, "hr-iris", f"{review}/disputes/d1/resolution?cycle={cycle}",
                  {"outcome": "changed", "band": "", "note": ""}, 422)
    found += step(web, "emp-dev", f"{review}/disputes/d1/resolution?cycle={cycle}", {"outcome": "upheld"}, 403)
    for sub, role in ROLES.items():
        web.sign_in(sub, role)
        found += crawl(web, sub, [f"{review}?cycle={cycle}", cycles, "/workspace/cycles", "/workspace/inbox"])
    found += step(web, "hr-iris", f"{review}/disputes/d1/resolution?cycle={cycle}",
                  {"outcome": "upheld", "note": "The override stands."})
    found += step(web, "hr-iris", f"{review}/disputes/d1/resolution?cycle={cycle}", {"outcome": "upheld"}, 409)
    found += step(web, "hr-iris", f"{cycles}/lock", {})
    found += step(web, "emp-dev", f"/workspace/goals/{web.goal_titled('Support ticket throughput')}/readings",
                  {"kpi": "tickets", "value": "17", "observed_at": TODAY.isoformat()}, 409)  # the cycle is locked
    for sub in ("emp-dev", "hr-iris", "aud-kim"):
        web.sign_in(sub, ROLES[sub])
        found += crawl(web, sub, [f"{review}?cycle={cycle}", cycles])
    assert found == [], "\n".join(found)
