"""The state file's schema (version 1). Plain JSON; what `resume`, `status` and `destroy` read.

One record per step: its status, the outputs later steps need (resource IDs, FQDNs, URLs, never a
credential), the journal of mutating calls (intent written before the call, outcome after) and the
continuation token of a long-running operation in flight, so a resumed run re-attaches to it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # a mutation started and its outcome is unknown: observe first
    DESTROYED = "destroyed"
    SKIPPED = "skipped"


class JournalEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seq: int
    intent: str
    started_at: float
    outcome: str | None = None  # None = the process stopped before the call returned
    finished_at: float | None = None


class LroRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    operation: str
    continuation: str  # azure-core JSON continuation token: request URL, status, body; no auth headers
    started_at: float


class StepRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: StepStatus = StepStatus.PENDING
    phase: int = 0
    title: str = ""
    action: str | None = None
    changes: list[str] = Field(default_factory=list)
    outputs: dict[str, Any] = Field(default_factory=dict)
    journal: list[JournalEntry] = Field(default_factory=list)
    lro: LroRecord | None = None
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    needs_observe: bool = False

    def open_mutation(self) -> JournalEntry | None:
        for entry in reversed(self.journal):
            if entry.outcome is None:
                return entry
        return None


class PhaseRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: StepStatus = StepStatus.PENDING
    finished_at: float | None = None


class StateDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int = SCHEMA_VERSION
    deployment: str
    cloud: str = "azure"
    created_at: float
    updated_at: float
    phases: dict[str, PhaseRecord] = Field(default_factory=dict)
    steps: dict[str, StepRecord] = Field(default_factory=dict)
    clusters_power: dict[str, str] = Field(default_factory=dict)
    applied_config: dict[str, Any] | None = (
        None  # the deployment.yaml of the last successful run (no secrets)
    )
