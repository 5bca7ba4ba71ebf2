"""The review workspace in the browser: server-rendered pages over the same application and read models as the API.

install_web(app) adds the pages (none of them in the OpenAPI document), their static assets under /static and the
store of spent sign-in tokens. It runs after the API's routers are installed: the pages read the same goals,
review read models and projection runner the JSON routes do. The page modules are imported here, when an app is
built, so that commands which only need `api.web.session` (`goalengine token --login-url`) start quickly.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from application.sign_ins import SpentTokens

PAGE_MODULES = ("sign_in", "oidc_sign_in", "workspace", "draft_pages", "goal_pages", "review_pages", "review_steps",
                "cycle_pages", "inbox_pages", "oversight_pages", "draft_edit_pages", "goal_updates", "alignment_pages",
                "cycle_admin_pages", "milestone_pages")


def install_web(app: FastAPI) -> None:
    app.state.spent_tokens = SpentTokens(app.state.goals.engine)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="web-static")
    for name in PAGE_MODULES:
        app.include_router(importlib.import_module(f"api.web.{name}").router)
    importlib.import_module("api.web.pages").install_page_errors(app)
