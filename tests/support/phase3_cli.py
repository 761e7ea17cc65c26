"""The product's CLI with phase 3 runnable before it is marked available (tests/e2e/test_phase3.py).

While `steps.registry.UNFINISHED` holds phase 3, this registry makes it available; and until the lock
file carries the local cloud's digests (`local_digest`), the lock is read with them taken from the
local cloud's own chart repository (emulator/charts), the same bytes it serves.
`python -m tests.support.phase3_cli --cloud local run --phase 3 --yes`
"""

from __future__ import annotations

import dataclasses
from typing import Any

from orchestrator.charts.lock import DEFAULT_LOCK, ChartsLock, load_lock
from orchestrator.engine.phases import PhaseRegistry
from steps.registry import default_registry


def registry() -> PhaseRegistry:
    return PhaseRegistry(
        [dataclasses.replace(p, available=p.available or p.number == 3) for p in default_registry()]
    )


def local_lock() -> ChartsLock:
    from emulator.charts.repository import build

    lock = load_lock(DEFAULT_LOCK)
    served = {(a.kind, a.name): a for a in build()}
    charts = {
        name: pin
        if pin.local_digest
        else pin.model_copy(update={"local_digest": f"sha256:{served[('chart', pin.chart)].sha256}"})
        for name, pin in lock.charts.items()
    }
    manifests = {}
    for name, mpin in lock.manifests.items():
        art = served.get(("manifest", name))
        if mpin.local_digest or art is None:
            manifests[name] = mpin
        else:
            manifests[name] = mpin.model_copy(
                update={"local_digest": f"sha256:{art.sha256}", "version": art.version}
            )
    return lock.model_copy(update={"charts": charts, "manifests": manifests})


def services(app: Any) -> Any:
    from orchestrator.charts.services import ChartServices
    from orchestrator.services import product_services

    bundle = product_services(app)
    if bundle.charts is not None:
        bundle.charts = ChartServices(bundle.charts.source, lock=local_lock)
    return bundle


if __name__ == "__main__":
    from orchestrator.cli import build_cli, main

    main(cli=build_cli(registry, services))
