"""The state file's schema (version 1). Plain JSON; what `resume`, `status` and `destroy` read.

One record per step: its status, the outputs later steps need (resource IDs, FQDNs, URLs, never a
credential), the journal of mutating calls (intent written before the call, outcome after) and the
continuation token of a long-running operation in flight, so a resumed run re-attaches to it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from orchestrator.secret import ensure_no_secrets

SCHEMA_VERSION = 2


def _no_secrets(value: dict[str, Any] | None) -> dict[str, Any] | None:
    ensure_no_secrets(value, "state document")  # raises SecretSerializationError, naming the path
    return value


# Free-form JSON the state records (outputs, the applied config): never a Secret, checked on every
# assignment too (`validate_assignment`), so no code path can put one in the document.
Recorded = Annotated[dict[str, Any], AfterValidator(_no_secrets)]


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
    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    status: StepStatus = StepStatus.PENDING
    phase: int = 0
    title: str = ""
    action: str | None = None
    changes: list[str] = Field(default_factory=list)
    outputs: Recorded = Field(default_factory=dict)
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


class OperationRecord(BaseModel):
    """The command in progress (run, destroy, stop, start), kept until it finishes: what `resume`
    continues after a kill at any boundary, between phases included."""

    model_config = ConfigDict(extra="forbid")
    command: str
    phases: list[int] = Field(default_factory=list)  # run --phase N / destroy --phase N: just those
    started_at: float


class StateDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    schema_version: int = SCHEMA_VERSION
    deployment: str
    cloud: str = "azure"
    created_at: float
    updated_at: float
    phases: dict[str, PhaseRecord] = Field(default_factory=dict)
    steps: dict[str, StepRecord] = Field(default_factory=dict)
    clusters_power: dict[str, str] = Field(default_factory=dict)
    operation: OperationRecord | None = None  # absent in files written before it existed: none running
    applied_config: Recorded | None = None  # the deployment.yaml of the last successful run (no secrets)
