"""The enterprise User extension as identity providers send it: a manager named by `value` alone.

RFC 7643 §4.3 marks the manager's `$ref` required, but Okta and Entra ID send only `value` (the manager's id), and
the service provider can make the reference itself; scim2-models follows the letter, so this copy of its model
makes `$ref` optional and changes nothing else (the schema published at /Schemas says so).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from scim2_models import URN, CaseExact, ComplexAttribute, Extension, Mutability, Reference, Required, User

__all__ = ["EnterpriseUser", "Manager", "User"]


class Manager(ComplexAttribute):
    value: Annotated[str | None, Required.true, CaseExact.true] = None
    """The id of the SCIM resource representing the User's manager."""

    # The resource type by its name, as scim2-models writes it.
    ref: Annotated[Reference["User"] | None, Required.false] = Field(  # type: ignore[type-arg]  # noqa: UP037
        None, serialization_alias="$ref", validation_alias="$ref")
    """The URI of the SCIM resource representing the User's manager (made by the server when left out)."""

    display_name: Annotated[str | None, Mutability.read_only] = None
    """The displayName of the User's manager."""


class EnterpriseUser(Extension):
    __schema__ = URN("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")

    employee_number: str | None = None
    cost_center: str | None = None
    organization: str | None = None
    division: str | None = None
    department: str | None = None
    manager: Manager | None = None
