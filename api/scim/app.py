"""The SCIM 2.0 service provider at /scim/v2 (RFC 7643, RFC 7644), served by scim2-server over the directory.

It announces what it does: Users with the enterprise extension and Groups; PATCH, filters, sorting and ETags; no
bulk, no password change. Only a provisioning token (`goalengine scim token`) opens it, and such a token opens
nothing else (ADR 0034).
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import FastAPI
from scim2_models import (
    AuthenticationScheme, Bulk, ChangePassword, ETag, External, Filter, Group, Patch, Reference, ResourceType,
    ScimProvider, ServiceProviderConfig, Sort, UnauthorizedException,
)
from scim2_server.applications.asgi import ASGIApplication
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService

from api.scim.models import EnterpriseUser, User
from api.scim.storage import PROVISIONER, AsyncDirectoryStorage, DirectoryStorage
from application.directory.service import Directory
from application.directory.tokens import ProvisioningTokens
from domain.values import Actor, Role

MAX_RESULTS = 1000
BEARER = AuthenticationScheme(
    type=AuthenticationScheme.Type.oauthbearertoken, name="Provisioning token", primary=True,
    description="A bearer token made with `goalengine scim token --name NAME`.",
    spec_uri=Reference[External]("https://datatracker.ietf.org/doc/html/rfc6750"),
)


def provider() -> ScimProvider:
    config = ServiceProviderConfig(
        patch=Patch(supported=True), bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS), change_password=ChangePassword(supported=False),
        sort=Sort(supported=True), etag=ETag(supported=True), authentication_schemes=[BEARER],
    )
    return ScimProvider(models=[User, EnterpriseUser, Group],
                        resource_types=[ResourceType.from_resource(User[EnterpriseUser]),
                                        ResourceType.from_resource(Group)],
                        config=config)


class DirectoryScim(ASGIApplication):
    """scim2-server's ASGI application, opened by provisioning tokens, writing as `scim:<token name>`."""

    def __init__(self, directory: Directory, tokens: ProvisioningTokens) -> None:
        scim = provider()
        models = {rt.name: scim.model_for(rt) for rt in scim.resource_types}
        super().__init__(AsyncDirectoryStorage(DirectoryStorage(directory, models)), scim, ScimService(scim))
        self.tokens = tokens

    async def dispatch_request(self, request: ScimRequest) -> ScimResponse:
        if self.needs_auth(request):
            holder = await anyio.to_thread.run_sync(self._holder, request)
            PROVISIONER.set(Actor(f"scim:{holder}", Role.SERVICE))
        return await self.handler.handle(request)

    def _holder(self, request: ScimRequest) -> str:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        holder = self.tokens.holder(token.strip()) if scheme.lower() == "bearer" else None
        if holder is None:
            raise UnauthorizedException(detail="send `Authorization: Bearer <token>` with a live provisioning token "
                                               "from `goalengine scim token --name NAME`")
        return holder

    def finalize_response(self, request: ScimRequest, response: ScimResponse) -> ScimResponse:
        response = super().finalize_response(request, response)
        if int(response.status) == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="scim"'
        return response


def install_scim(app: FastAPI, directory: Any, tokens: Any) -> None:
    """Serve SCIM under /scim/v2 (scim2-server adds the /v2 itself)."""
    app.mount("/scim", DirectoryScim(directory, tokens))
