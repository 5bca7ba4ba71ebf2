"""What every page shares: the templates, the signed-in session, problems shown as pages, the form helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from pydantic import ValidationError

from api.problems import APPLICATION_STATUS, Problem, domain_extra, domain_status
from application.goals.parties import name_lookup
from application.errors import ApplicationError
from application.identity.sign_in import may_keep_session
from application.sign_ins import SpentTokens
from api.admission import admitted
from api.web.session import SESSION_COOKIE, SignInRequired, WebSession, check_csrf, read_session
from api.web import problem_words as words, views
from domain.errors import GoalError
from domain.values import Actor, Role

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(views.FILTERS)
templates.env.globals.update(views.GLOBALS)


@dataclass
class FormProblem:
    """A problem as a page shows it: the API's status and code, and in words the detail and each field's error."""

    status: int
    code: str
    detail: str
    fields: dict[str, str] = field(default_factory=dict)


def problem_of(error: Exception) -> FormProblem:
    """The same status and code the JSON API answers with for this error; the detail and the field errors as
    sentences for people (api/web/problem_words.py), never the validation library's words or a goal's id."""
    if isinstance(error, Problem):
        return _in_words(error.status, error.code, error.detail, _messages(error.extra.get("errors", [])))
    if isinstance(error, GoalError):
        extra = domain_extra(error)
        return _in_words(domain_status(error), error.code, error.message, _messages(extra.get("errors", [])))
    if isinstance(error, ApplicationError):
        return _in_words(APPLICATION_STATUS.get(type(error), 409), error.code, error.message, {})
    if isinstance(error, (ValidationError, RequestValidationError)):
        said: dict[str, str] = {}
        for item in error.errors():  # a union's members each refuse: the first says it best (a number)
            said.setdefault(words.error_path(item["loc"]), words.field_sentence(dict(item)))
        return _in_words(422, "invalid_request", "", said)
    raise error


def _messages(errors: list[dict[str, str]]) -> dict[str, str]:
    """The API's field errors (path: message) with each message said as a sentence."""
    return {error["field"]: words.message_for(error["field"], error["message"]) for error in errors}


def _in_words(status: int, code: str, detail: str, said: dict[str, str]) -> FormProblem:
    shown = words.fields_detail(said) if said else words.refusal_sentence(code, detail)
    return FormProblem(status, code, shown, _fields(said))


def _fields(said: dict[str, str]) -> dict[str, str]:
    """Each error under its path without `body.` (kpis.0.target) and under its last name (target)."""
    fields = {}
    for path, message in said.items():
        path = path.removeprefix("body.")
        fields[path] = fields[path.split(".")[-1]] = message
    return fields


# Only this site's own assets; no framing (the forms act on goals); no referrer (links may carry a goal's id).
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    session = getattr(request.state, "web_session", None)
    people = people_context(request, session)
    response = templates.TemplateResponse(request, template, {"session": session, **people, **context},
                                          status_code=status)
    response.headers.update(PAGE_HEADERS)
    return response


def people_context(request: Request, session: WebSession | None) -> dict[str, Any]:
    """Whether people come from the directory (ADR 0035), the signed-in person's name if it knows them, and how to
    name anyone else (the directory's name; the id in open mode)."""
    directory = request.app.state.directory
    directory_mode = directory.in_directory_mode()
    person = directory.person(session.actor.id) if session is not None and directory_mode else None
    return {"people_mode": "directory" if directory_mode else "open",
            "my_name": person.display_name if person is not None else None,
            "name_of": name_lookup(request.app.state.goals.parties)}  # templates' `person` macro (issue 22)


def error_page(request: Request, problem: FormProblem) -> HTMLResponse:
    return render(request, "error.html", {"problem": problem}, status=problem.status)


NOTHING_HERE = FormProblem(404, "not_found", "There is no page at this address. It may have been mistyped, or what it "
                           "named does not exist.")
# What the browser gets instead of the API's problem JSON for an address of the workspace that is wrong.
PAGE_PROBLEMS = {404: NOTHING_HERE, 405: FormProblem(405, "method_not_allowed", "This address is not a page to "
                                                     "open: it is the target of a button or a form.")}


def is_page_path(path: str) -> bool:
    return path in ("/", "/login", "/logout") or path.startswith("/workspace/") or path == "/workspace"


def install_page_errors(app: FastAPI) -> None:
    """404 and 405 under the workspace's addresses answer with a page; elsewhere the API's problem JSON stays."""
    api_handler = app.exception_handlers[StarletteHTTPException]

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if is_page_path(request.url.path) and error.status_code in PAGE_PROBLEMS:
            page = error_page(request, PAGE_PROBLEMS[error.status_code])
            page.headers.update(error.headers or {})
            return page
        answer: Response = await api_handler(request, error)
        return answer

    app.add_exception_handler(StarletteHTTPException, on_http_error)


class PageRoute(APIRoute):
    """A route that answers with an HTML page: a problem becomes an error page, no session a trip to /login."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as signal:
                # With an identity provider, a signed-out visitor goes straight to it (ADR 0037).
                start = "/auth/login" if request.app.state.identity.settings.oidc else "/login"
                return RedirectResponse(f"{start}?next={quote(signal.next_path, safe='/')}", status_code=303)
            except RequestValidationError as error:
                if any(item["loc"][0] == "path" for item in error.errors()):  # a malformed id names nothing
                    return error_page(request, NOTHING_HERE)
                return error_page(request, problem_of(error))
            except (Problem, GoalError, ApplicationError) as error:
                return error_page(request, problem_of(error))

        return page


ROLE_PEOPLE = {Role.EMPLOYEE: "employees", Role.MANAGER: "managers", Role.HR: "HR", Role.AUDITOR: "auditors"}


def refuse_on_page(actor: Actor, roles: Iterable[Role], what: str = "This page") -> None:
    """403 for a role a page or form is not for, said in words ("This page is for HR and auditors."), never as the
    API's "role employee may not do this; allowed: hr, auditor"."""
    allowed = [role for role in roles if role in ROLE_PEOPLE]
    if actor.role not in allowed:
        people = [ROLE_PEOPLE[role] for role in allowed]
        said = ", ".join(people[:-1]) + f" and {people[-1]}" if len(people) > 1 else "".join(people)
        raise Problem(403, "role_not_allowed", f"{what} is for {said}.")


def spent_tokens(request: Request) -> SpentTokens:
    spent: SpentTokens = request.app.state.spent_tokens
    return spent


def web_session(request: Request) -> WebSession:
    secret = request.app.state.settings.api_secret
    session = read_session(secret, request.cookies.get(SESSION_COOKIE), spent_tokens(request))
    if session is not None and not may_keep_session(request.app.state.identity.people, session.actor.id):
        session = None  # deactivated in the directory since signing in
    if session is None:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(wanted if request.method == "GET" else "/")
    admitted(request.app.state.directory, session.actor)  # a person deactivated since sign-in is out at once
    request.state.web_session = session
    return session


SessionDep = Annotated[WebSession, Depends(web_session)]


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form as text fields, after checking its CSRF token against the session's."""
    session = await run_in_threadpool(web_session, request)  # it reads the store: not on the event loop
    form = await request.form()
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    check_csrf(session, fields.pop("csrf_token", None))
    return fields


FormDep = Annotated[dict[str, str], Depends(form_fields)]


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)
