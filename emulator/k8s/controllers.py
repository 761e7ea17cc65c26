"""The synchronous control loop run after every mutation (no background threads)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence

from .endpointslices import EndpointSliceController
from .extensions import ControllerContext, PluginController
from .kubelet import Kubelet
from .objects import Objects
from .quota import QuotaStatusWriter
from .services import ServiceController
from .statuses import StatusWriters
from .tokens import TokenController
from .volumes import VolumeBinder
from .workloads import WorkloadControllers

MAX_PASSES = 25
_log = logging.getLogger(__name__)


def reconcile(objects: Objects, pod_cidr: str, plugins: Sequence[PluginController] = ()) -> int:
    """Run controllers, scheduler/kubelet and status writers until nothing changes (bounded).

    Returns the number of passes run (1 means the cluster was already settled).

    A stage that fails (an emulator bug or an object shape it cannot handle) is logged and skipped, so
    one odd object cannot make every later request fail.
    """
    stages: list[Callable[[], None]] = [
        lambda: WorkloadControllers(objects).run(),
        lambda: Kubelet(objects, pod_cidr).run(),
        lambda: VolumeBinder(objects).run(),
        lambda: TokenController(objects).run(),
        lambda: StatusWriters(objects).run(),
        lambda: ServiceController(objects).run(),
        lambda: EndpointSliceController(objects).run(),
        lambda: QuotaStatusWriter(objects.store).run(),
    ]
    context = ControllerContext(objects)
    stages += [functools.partial(plugin, context) for plugin in plugins]
    for passes in range(1, MAX_PASSES + 1):
        before = objects.store.revision
        for stage in stages:
            try:
                stage()
            except Exception:
                _log.exception("kube emulator control loop stage failed")
        if objects.store.revision == before:
            return passes
    _log.warning("kube emulator control loop did not settle after %d passes", MAX_PASSES)
    return MAX_PASSES
