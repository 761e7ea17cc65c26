"""Steps whose resources are records on a RecordServer, and a CLI wired to them.

They go through exactly the engine the product uses (Step lifecycle, journal, runner, session, state,
CLI); only the "cloud" differs. Run this module as a script to get that CLI:
`python -m tests.support.record_steps --state S run ...`, with RECORD_SERVER_URL set.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from orchestrator.engine.change import Change
from orchestrator.engine.context import StepContext
from orchestrator.engine.phases import Phase, PhaseRegistry
from orchestrator.engine.step import Document, Outputs, Step, ownership_tags
from orchestrator.errors import CloudError
from steps.registry import PHASE_NAMES


class RecordClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _call(self, method: str, name: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}/records/{name}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise CloudError(f"{method} {name}: HTTP {exc.code}", status=exc.code) from None
        return json.loads(raw) if raw else None

    def get(self, name: str) -> Any:
        return self._call("GET", name)

    def put(self, name: str, body: Any) -> Any:
        return self._call("PUT", name, body)

    def delete(self, name: str) -> None:
        self._call("DELETE", name)


class RecordServices:
    def __init__(self, base_url: str) -> None:
        self.records = RecordClient(base_url)

    def close(self) -> None:
        pass


class RecordStep(Step):
    """One record. `data` is what we set; the server echoes it back plus a server-owned `revision`."""

    def __init__(
        self,
        name: str,
        phase: int,
        data: dict[str, Any],
        depends_on: tuple[str, ...] = (),
        wait_for: str | None = None,
    ) -> None:
        super().__init__(f"p{phase}/{name}", phase=phase, title=f"record {name}", depends_on=depends_on)
        self.name = name
        self.data = data
        self.wait_for = wait_for

    def ignored_fields(self, ctx: StepContext) -> tuple[str, ...]:
        return ("revision",)

    def observe(self, ctx: StepContext) -> Document | None:
        result: Document | None = ctx.services.records.get(self.name)
        return result

    def desired(self, ctx: StepContext) -> Document:
        upstream = {dep: ctx.outputs_of(dep).get("name") for dep in self.depends_on}
        return {"data": self.data, "upstream": upstream, "tags": ownership_tags(ctx.deployment)}

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        body = {**dict(change.desired), "revision": (observed or {}).get("revision", 0) + 1}
        ctx.mutate(
            f"PUT record {self.name} ({change.action})", lambda: ctx.services.records.put(self.name, body)
        )
        if self.wait_for:
            ctx.wait_until(
                f"record {self.wait_for} to appear",
                lambda: ctx.services.records.get(self.wait_for) is not None,
                interval=0.1,
            )
        return {"name": self.name, "id": f"/records/{self.name}"}

    def outputs(self, observed: Document) -> Outputs:
        return {"name": self.name, "id": f"/records/{self.name}"}

    def delete(self, ctx: StepContext, observed: Document) -> None:
        ctx.mutate(f"DELETE record {self.name}", lambda: ctx.services.records.delete(self.name))


def chain_registry() -> PhaseRegistry:
    """Phase 1: a diamond of 6 records; phase 2: 6 more, each depending on phase 1 or its own phase."""

    def phase1(config: Any) -> list[Step]:
        return [
            RecordStep("rg", 1, {"location": "koreacentral"}),
            RecordStep("vnet", 1, {"cidr": "10.0.0.0/8"}, ("p1/rg",)),
            RecordStep("nsg-a", 1, {"rules": 3}, ("p1/rg",)),
            RecordStep("nsg-b", 1, {"rules": 4}, ("p1/rg",)),
            RecordStep("subnet-a", 1, {"cidr": "10.1.0.0/16"}, ("p1/vnet", "p1/nsg-a")),
            RecordStep("subnet-b", 1, {"cidr": "10.2.0.0/16"}, ("p1/vnet", "p1/nsg-b")),
        ]

    def phase2(config: Any) -> list[Step]:
        timeout = float(os.environ.get("RECORD_WAIT_TIMEOUT", "0") or 0)
        steps: list[Step] = [
            RecordStep("identity", 2, {"kind": "user-assigned"}, ("p1/rg",)),
            RecordStep("role", 2, {"role": "Network Contributor"}, ("p2/identity", "p1/subnet-a")),
            RecordStep("cluster-a", 2, {"nodes": 1}, ("p2/role", "p1/subnet-a")),
            RecordStep("cluster-b", 2, {"nodes": 2}, ("p2/identity", "p1/subnet-b")),
            RecordStep("pool-a", 2, {"spot": True}, ("p2/cluster-a",)),
            RecordStep(
                "pool-b",
                2,
                {"spot": True},
                ("p2/cluster-b",),
                wait_for=os.environ.get("RECORD_WAIT_FOR") or None,
            ),
        ]
        if timeout:
            steps[-1].timeout_s = timeout
        return steps

    builders = {1: phase1, 2: phase2}
    return PhaseRegistry(
        [
            Phase(n, name, builders.get(n, lambda c: []), available=n in builders)
            for n, name in enumerate(PHASE_NAMES, 1)
        ]
    )


def record_services(app: Any) -> RecordServices:
    return RecordServices(os.environ["RECORD_SERVER_URL"])


if __name__ == "__main__":
    from orchestrator.cli import build_cli, main

    main(cli=build_cli(chain_registry, record_services))
