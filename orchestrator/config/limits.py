"""`arm_limits` in deployment.yaml: the sizes of our request limiter's token buckets.

The defaults are below ARM's documented per-principal figures (reads 250 refilled 25/s, writes and
deletes 200 refilled 10/s), and a value above them is refused: a limiter looser than ARM would let a
large deployment provoke its own 429s. `orchestrator.azure.limiter` uses them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Mirrors orchestrator.azure.limiter.DOCUMENTED_LIMITS (kept here so the config does not load the SDK layer).
ARM_DOCUMENTED = {"reads": (250, 25.0), "writes": (200, 10.0), "deletes": (200, 10.0)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)


class Bucket(_Strict):
    size: Annotated[int, Field(ge=1, description="requests that may go at once after a quiet spell")]
    per_second: Annotated[float, Field(gt=0, description="requests per second, sustained")]


class ArmLimits(_Strict):
    reads: Bucket = Bucket(size=200, per_second=20.0)
    writes: Bucket = Bucket(size=160, per_second=8.0)
    deletes: Bucket = Bucket(size=160, per_second=8.0)

    @model_validator(mode="after")
    def _within_arm(self) -> ArmLimits:
        for kind, (size, rate) in ARM_DOCUMENTED.items():
            bucket: Bucket = getattr(self, kind)
            if bucket.size > size or bucket.per_second > rate:
                raise ValueError(
                    f"{kind}: ARM allows a principal {size:g} at once and {rate:g}/s;"
                    f" stay at or below that (got {bucket.size} and {bucket.per_second:g}/s)"
                )
        return self

    def buckets(self) -> dict[str, tuple[float, float]]:
        return {kind: (float(b.size), b.per_second) for kind, b in self}
