"""The directory as scim2-server's storage: it reads from and writes to the Directory service, nothing else.

scim2-server speaks the protocol (filters, PATCH, ETags, attributes, errors); this maps its five calls onto the
Directory's commands and queries, and the directory's refusals onto SCIM errors. Every write runs as the actor
named by the provisioning token of the request (`scim:<name>`).
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import partial
from typing import Any, Union

import anyio
from scim2_models import (
    ConflictException, InvalidValueException, NotFoundException, PreconditionFailedException, Resource,
    ResourceType, ResponseParameters, SCIMException, ScimFilter, SearchRequest, UniquenessException,
)
from scim2_server.storage import AsyncScimStorage, SearchPage
from scim2_server.utils import parametrize

from api.scim.mapping import group_body, user_body, user_command, version_of
from application.directory.errors import (
    DirectoryVersionMismatchError, PersonExistsError, ReportingLoopError, UnknownGroupError, UnknownPersonError,
    UserNameTakenError,
)
from application.directory.service import Directory
from application.errors import ConcurrentModificationError, StoreBusyError
from domain.errors import GoalError
from domain.values import Actor

PROVISIONER: ContextVar[Actor] = ContextVar("scim_provisioner")


class DirectoryStorage:
    """Users and Groups of the SCIM protocol, kept by the Directory."""

    def __init__(self, directory: Directory, models: dict[str, type[Resource[Any]]]) -> None:
        self.directory = directory
        self.models = models

    def get(self, resource_type: ResourceType, resource_id: str) -> Resource[Any]:
        resource = self._resources(resource_type.name, resource_id).get(resource_id)
        if resource is None:
            raise NotFoundException(detail=f"{resource_type.name} {resource_id!r} not found")
        return resource

    def search(self, resource_types: list[ResourceType], request: SearchRequest[Any]) -> SearchPage:
        candidates = [r for rt in resource_types for r in self._resources(rt.name).values()]
        scim_filter = request.filter
        if scim_filter is not None and not scim_filter.models and candidates:
            models = tuple(dict.fromkeys(type(r) for r in candidates))
            scim_filter = parametrize(ScimFilter, Union[models])(str(scim_filter))  # noqa: UP007
        found = [r for r in candidates if scim_filter is None or scim_filter.match(r)]
        descending = request.sort_by is not None and request.sort_order == SearchRequest.SortOrder.descending
        found.sort(key=lambda r: (request.sort_value(r) is None, request.sort_value(r) or "", r.id), reverse=descending)
        start = request.start_index_0 or 0
        stop = None if request.count is None else start + request.count
        return SearchPage(len(found), found[start:stop])

    def create(self, resource_type: ResourceType, resource: Resource[Any], actor: Actor) -> Resource[Any]:
        body = resource.model_dump()
        with _as_scim_errors():
            if resource_type.name == "User":
                command = user_command(body)
                person = self.directory.provision(actor, command.details, manager_id=command.manager_id,
                                                  active=command.active is not False)
                return self.get(resource_type, person.id)
            group = self.directory.create_group(actor, str(body.get("displayName") or ""), _members(body),
                                                external_id=str(body.get("externalId") or ""))
            return self.get(resource_type, group.id)

    def update(self, resource_type: ResourceType, resource: Resource[Any], actor: Actor,
               expected_version: str | None) -> Resource[Any]:
        body, resource_id = resource.model_dump(), str(resource.id)
        current = self.get(resource_type, resource_id)  # 404 before anything else
        with _as_scim_errors():
            if resource_type.name == "User":
                command = user_command(body)
                active = getattr(current, "active", True) if command.active is None else command.active
                self.directory.replace_person(actor, resource_id, command.details, manager_id=command.manager_id,
                                              active=bool(active), expected_version=version_of(expected_version))
            else:
                self.directory.replace_group(actor, resource_id, str(body.get("displayName") or ""), _members(body),
                                             expected_version=version_of(expected_version),
                                             external_id=str(body.get("externalId") or ""))
        return self.get(resource_type, resource_id)

    def delete(self, resource_type: ResourceType, resource_id: str, actor: Actor, expected_version: str | None) -> None:
        self.get(resource_type, resource_id)
        with _as_scim_errors():
            if resource_type.name == "User":
                self.directory.deactivate(actor, resource_id, version_of(expected_version), removed=True)
            else:
                self.directory.delete_group(actor, resource_id, version_of(expected_version))

    def _resources(self, name: str, only: str | None = None) -> dict[str, Resource[Any]]:
        """Every User (not removed) or every Group, as SCIM resources; just one if `only` names it."""
        model = self.models[name]
        state = self.directory.index.current()
        if name == "User":
            people = {only: state.people[only]} if only is not None and only in state.people else (
                {} if only is not None else state.people)
            return {p.id: model.model_validate(user_body(p, [g for g in state.groups.values() if p.id in g.members]))
                    for p in people.values() if not p.removed}
        groups = {only: state.groups[only]} if only is not None and only in state.groups else (
            {} if only is not None else state.groups)
        return {g.id: model.model_validate(group_body(g, state.people, state.groups)) for g in groups.values()}


def _members(body: dict[str, Any]) -> set[str]:
    return {str(member.get("value")) for member in body.get("members") or [] if member.get("value")}


class _as_scim_errors:  # noqa: N801 (used as a context manager, named for what it does)
    """The directory's refusals as the SCIM errors RFC 7644 names for them."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: Any) -> None:
        if isinstance(error, (UserNameTakenError, PersonExistsError)):
            raise UniquenessException(detail=error.message) from None
        if isinstance(error, DirectoryVersionMismatchError):
            raise PreconditionFailedException(detail=error.message) from None
        if isinstance(error, (UnknownPersonError, UnknownGroupError, ReportingLoopError)):
            raise InvalidValueException(detail=error.message) from None
        if isinstance(error, GoalError):
            raise InvalidValueException(detail=error.message) from None
        if isinstance(error, ConcurrentModificationError):  # another writer saved the same version first
            raise ConflictException(detail=error.message) from None
        if isinstance(error, StoreBusyError):  # the directory's turn stayed taken (a long import): retry later
            raise StoreBusyException(detail=error.message) from None


class StoreBusyException(SCIMException):
    """503 (RFC 7644 lists no status for it, HTTP does): nothing was stored, and the client may retry."""

    status = 503


class AsyncDirectoryStorage(AsyncScimStorage):
    """scim2-server's asynchronous storage over DirectoryStorage: each call runs in a worker thread."""

    def __init__(self, storage: DirectoryStorage) -> None:
        self.storage = storage

    async def get(self, resource_type: ResourceType, resource_id: str, *,
                  response_parameters: ResponseParameters[Any] | None = None) -> Resource[Any]:
        return await anyio.to_thread.run_sync(self.storage.get, resource_type, resource_id)

    async def search(self, resource_types: list[ResourceType], search_request: SearchRequest[Any], *,
                     position: Any = None) -> SearchPage:
        return await anyio.to_thread.run_sync(self.storage.search, resource_types, search_request)

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        return await anyio.to_thread.run_sync(self.storage.create, resource_type, resource, PROVISIONER.get())

    async def update(self, resource_type: ResourceType, resource: Resource[Any], *,
                     expected_version: str | None = None) -> Resource[Any]:
        return await anyio.to_thread.run_sync(partial(
            self.storage.update, resource_type, resource, PROVISIONER.get(), expected_version))

    async def delete(self, resource_type: ResourceType, resource_id: str, *,
                     expected_version: str | None = None) -> None:
        await anyio.to_thread.run_sync(partial(
            self.storage.delete, resource_type, resource_id, PROVISIONER.get(), expected_version))
