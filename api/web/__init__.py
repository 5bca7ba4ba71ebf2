"""The review workspace in the browser: server-rendered pages over the same application and read models as the API.

install_web(app) adds the pages (none of them in the OpenAPI document), their static assets under /static and the
store of spent sign-in tokens. It runs after the API's routers are installed: the pages read the same goals,
review read models and projection runner the JSON routes do.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import draft_pages, goal_pages, oversight_pages, review_pages, sign_in, workspace
from api.web.pages import HERE
from application.sign_ins import SpentTokens


def install_web(app: FastAPI) -> None:
    app.state.spent_tokens = SpentTokens(app.state.goals.engine)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="web-static")
    for module in (sign_in, workspace, draft_pages, goal_pages, review_pages, oversight_pages):
        app.include_router(module.router)
