"""Request and response models of the people routes: erasure and subject-access export (ADR 0026)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import FILLED_TEXT


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000, pattern=FILLED_TEXT,
                        description="Why (recorded in the trail and sent to subscribers: write no personal data).")


class ErasureResponse(BaseModel):
    person_id: str
    keys_erased: int = Field(description="Data keys deleted: every text sealed under them now reads `[erased]`.")
    reason: str
    position: int = Field(description="The log position of the erasure notice (`person.erased.v1`).")


class ExportResponse(BaseModel):
    """Everything the store holds about the person, opened; text already erased reads `[erased]`."""

    model_config = ConfigDict(extra="allow")

    person_id: str
    exported_at: str
    position: int
    aggregates: list[dict[str, Any]] = Field(description="Every event of their goals (and reviews), by anyone.")
    written_about_others: list[dict[str, Any]] = Field(description="Events they wrote on other people's goals.")
    signatures: list[dict[str, Any]]
    readings: list[dict[str, Any]]
    erasures: list[dict[str, Any]] = Field(description="The erasure notices about them.")
