"""What a release's own software makes at run time and no template renders: CRDs an operator
registers, Secrets a certificate Job issues. `helm uninstall` leaves them behind; destroy does not.

A release declares each kind of leftover (`Leftover`), with the evidence that ties it to the release
(a label the software sets, or the fixed names it writes). Destroy lists them in its plan next to
the rendered objects and deletes them after those are gone, so the software that made them (an
operator still running) cannot make them again; it deletes again until none is left."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.charts.objects import ObjectRef

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext
    from steps.release_live import LiveRelease


@dataclass(frozen=True)
class Leftover:
    api_version: str
    kind: str
    why: str  # who makes them, for the plan and the log
    namespace: str = ""
    names: tuple[str, ...] = ()  # fixed names the software writes, or
    label_selector: str = ""  # the label it puts on everything it makes

    def find(self, live: LiveRelease) -> list[ObjectRef]:
        if self.label_selector:
            return list(
                live.selected(self.api_version, self.kind, self.label_selector, self.namespace or None)
            )
        return [self._ref(name) for name in self.names if live.get(self._ref(name)) is not None]

    def _ref(self, name: str) -> ObjectRef:
        return ObjectRef(self.api_version, self.kind, self.namespace, name)


def find_all(live: LiveRelease, leftovers: tuple[Leftover, ...]) -> list[tuple[ObjectRef, str]]:
    return [(ref, item.why) for item in leftovers for ref in item.find(live)]


def delete_all(ctx: StepContext, live: LiveRelease, leftovers: tuple[Leftover, ...]) -> None:
    """Delete every leftover, and again if its maker brought it back, until none is found."""

    def gone() -> bool:
        found = find_all(live, leftovers)
        for ref, why in found:
            live.delete(ref, f"destroy: {why}")
        return not found

    ctx.wait_until(f"what release {live.release}'s software made is deleted", gone)


def as_entries(found: list[tuple[ObjectRef, str]]) -> list[list[Any]]:
    return [[r.api_version, r.kind, r.namespace, r.name] for r, _ in found]
