"""``KubeCluster``: one emulated kube-apiserver plus its simulated control loop for one AKS cluster.

Modelled behaviour is documented in the package docstring (``emulator/k8s/__init__.py``).
"""

from __future__ import annotations

import copy
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .addons import dns_service, storage_classes, system_workloads
from .controllers import reconcile
from .errors import KubeError
from .extensions import PluginController
from .faults import Fault, Faults
from .handlers import READ_METHODS, Request, Router, Stream
from .network import NODE_CIDR, allocate
from .nodes import build_node
from .objects import NetworkConfig, Objects
from .store import Store
from .tokens import verify as verify_token

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_JSON = {"Content-Type": "application/json"}
_log = logging.getLogger(__name__)
IDLE_WATCH_PAUSE = 0.5  # seconds, outside the lock


@dataclass(frozen=True)
class KubeResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class KubeCluster:
    """One emulated kube-apiserver + a minimal simulated control loop for one AKS cluster."""

    def __init__(
        self,
        name: str,
        token: str,
        *,
        kubernetes_version: str = "1.33.0",
        clock: Callable[[], float] = time.time,
        service_cidr: str = "172.16.0.0/16",
        pod_cidr: str = "10.244.0.0/16",
        location: str = "koreacentral",
        node_cidr: str = NODE_CIDR,
        node_resource_group: str | None = None,
        dns_service_ip: str | None = None,
        system_addons: bool = True,
        _store: Store | None = None,
    ) -> None:
        self.name = name
        self.token = token
        self.kubernetes_version = kubernetes_version
        self.location = location
        self.powered = True
        self._lock = threading.RLock()
        self._faults = Faults()
        self._plugins: dict[str, PluginController] = {}
        self.node_resource_group = node_resource_group or f"MC_{name}_{location}"
        self._network = NetworkConfig(service_cidr, pod_cidr, node_cidr)
        self._store = _store or Store(clock)
        self._objects = Objects(self._store, self._network)
        if _store is None:
            self._bootstrap(dns_service_ip, system_addons)

    def _bootstrap(self, dns_service_ip: str | None, system_addons: bool) -> None:
        for ns in DEFAULT_NAMESPACES:
            self._objects.create(self._objects.rt("namespaces"), "", {"metadata": {"name": ns}}, None)
        if system_addons:
            dns_ip = dns_service_ip or allocate(self._network.service_cidr, [], skip=9)
            self._objects.create(self._objects.rt("services"), "kube-system", dns_service(dns_ip), None)
            for storage_class in storage_classes():
                self._objects.create(
                    self._objects.rt("storageclasses.storage.k8s.io"), "", storage_class, None
                )
            for key, obj in system_workloads(self.kubernetes_version):
                self._objects.create(self._objects.rt(key), "kube-system", obj, None)
        kubernetes_svc = {
            "metadata": {
                "name": "kubernetes",
                "labels": {"component": "apiserver", "provider": "kubernetes"},
            },
            "spec": {
                "clusterIP": allocate(self._network.service_cidr, [], skip=0),
                "ports": [{"name": "https", "port": 443, "targetPort": 443}],
            },
        }
        self._objects.create(self._objects.rt("services"), "default", kubernetes_svc, None)
        self._reconcile()

    # -- HTTP -----------------------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str], body: bytes
    ) -> KubeResponse:
        req = Request(method.upper(), path, query, headers, body)
        extra: dict[str, str] = {}
        try:
            with self._lock:
                self._authenticate(req)
                if not self.powered:
                    raise KubeError(503, f"cluster {self.name} is stopped", "ServiceUnavailable")
                fault = self._faults.take(req.method, req.path)
                if fault is not None:
                    raise fault
                status, payload = self._dispatch(req)
        except KubeError as err:
            status, payload = err.code, err.status()
            if err.code == 429:  # not on 503: urllib3 would sleep and retry a stopped cluster 3 times
                extra["Retry-After"] = str((err.details or {}).get("retryAfterSeconds", 1))
        except Exception as exc:  # a bug or an unexpected body shape: answer like an apiserver would
            _log.exception("kube emulator %s: %s %s failed", self.name, method, path)
            status, payload = 500, KubeError(500, f"internal error: {exc!r}").status()
        if isinstance(payload, Stream):
            if not payload.data:  # an empty watch: pause so a re-watching client does not spin
                time.sleep(IDLE_WATCH_PAUSE)
            return KubeResponse(status, {**extra, "Content-Type": payload.content_type}, payload.data)
        if isinstance(payload, str):
            return KubeResponse(status, {**extra, "Content-Type": "text/plain"}, payload.encode())
        return KubeResponse(status, {**extra, **_JSON}, json.dumps(payload).encode())

    def _authenticate(self, req: Request) -> None:
        scheme, _, token = req.header("Authorization").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise KubeError(401, "Unauthorized", "Unauthorized")
        if not hmac.compare_digest(token.encode(), self.token.encode()) and not verify_token(
            self._store, token
        ):
            raise KubeError(401, "Unauthorized", "Unauthorized")

    def _dispatch(self, req: Request) -> tuple[int, Any]:
        router = Router(self._objects, self.kubernetes_version)
        if req.method in READ_METHODS:
            return router.dispatch(req)
        if req.arg("dryRun") == "All":
            snapshot = copy.deepcopy(self._store.to_json())
            try:
                return router.dispatch(req)
            finally:
                self._restore(snapshot)
        result = router.dispatch(req)
        self._reconcile()
        return result

    def _reconcile(self) -> int:
        return reconcile(self._objects, self._network.pod_cidr, list(self._plugins.values()))

    def add_controller(self, name: str, controller: PluginController) -> None:
        """Register (or replace) a plug-in controller run after every write; see ``extensions``."""
        with self._lock:
            self._plugins[name] = controller
            self._reconcile()

    def _restore(self, snapshot: dict[str, Any]) -> None:
        restored = Store.from_json(snapshot, self._store.clock)
        self._store.objects = restored.objects
        self._store.revision = restored.revision
        self._store.sequence = restored.sequence

    # -- nodes (driven by the AKS provider) -----------------------------------------------------
    def add_node(
        self,
        name: str,
        *,
        pool: str,
        mode: str,
        spot: bool,
        vm_size: str,
        labels: Mapping[str, str] | None = None,
        taints: Sequence[Mapping[str, str]] = (),
        address: str | None = None,
        provider_id: str | None = None,
    ) -> None:
        """Register the Node of a new VMSS instance (NotReady until a CNI pod runs on it).

        ``address`` is the VM's private IP (default: next free one of ``node_cidr``); ``provider_id`` the
        ``azure:///subscriptions/.../virtualMachines/<n>`` id (default: a synthetic one).
        """
        with self._lock:
            rt = self._objects.rt("nodes")
            if self._objects.find(rt, "", name) is not None:
                return
            used = [
                a["address"] for n in self._store.items("nodes") for a in n["status"].get("addresses") or []
            ]
            node = build_node(
                name,
                pool=pool,
                mode=mode,
                spot=spot,
                vm_size=vm_size,
                location=self.location,
                node_resource_group=self.node_resource_group,
                address=address or allocate(self._network.node_cidr, used, skip=3),
                provider_id=provider_id or f"azure:///emulated/{self.node_resource_group}/{pool}/{name}",
                kubelet_version=self.kubernetes_version,
                labels=labels or {},
                taints=taints,
            )
            self._objects.create(rt, "", node, None)
            self._reconcile()

    def remove_node(self, name: str) -> None:
        """The VM is gone: delete the Node; its pods are deleted and recreated elsewhere (or Pending)."""
        with self._lock:
            rt = self._objects.rt("nodes")
            if self._objects.find(rt, "", name) is not None:
                self._objects.delete(rt, "", name)
            self._reconcile()

    def settle(self) -> int:
        """Run the control loop now (it also runs after every write); returns the passes it took."""
        with self._lock:
            return self._reconcile()

    def node_names(self) -> list[str]:
        with self._lock:
            return [n["metadata"]["name"] for n in self._store.items("nodes")]

    def inject_fault(
        self,
        status: int,
        *,
        count: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: int = 1,
    ) -> None:
        """The next ``count`` matching requests fail with ``status`` (429 carries Retry-After)."""
        with self._lock:
            self._faults.add(Fault(status, count, method, path_contains, retry_after))

    def set_powered(self, on: bool) -> None:
        """Stopped clusters answer every request with 503 ServiceUnavailable; state is kept."""
        with self._lock:
            self.powered = on

    def set_kubernetes_version(self, version: str) -> None:
        """After an upgrade: /version and every node's kubelet/kube-proxy version follow."""
        with self._lock:
            self.kubernetes_version = version
            for node in self._store.items("nodes"):
                updated = copy.deepcopy(node)
                info = updated["status"]["nodeInfo"]
                info["kubeletVersion"] = info["kubeProxyVersion"] = f"v{version}"
                self._store.update("nodes", updated)

    # -- persistence ----------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(
                {
                    "name": self.name,
                    "token": self.token,
                    "kubernetesVersion": self.kubernetes_version,
                    "serviceCidr": self._network.service_cidr,
                    "podCidr": self._network.pod_cidr,
                    "nodeCidr": self._network.node_cidr,
                    "nodeResourceGroup": self.node_resource_group,
                    "location": self.location,
                    "powered": self.powered,
                    "store": self._store.to_json(),
                }
            )

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, clock: Callable[[], float] = time.time) -> KubeCluster:
        cluster = cls(
            data["name"],
            data["token"],
            kubernetes_version=data.get("kubernetesVersion", "1.33.0"),
            clock=clock,
            service_cidr=data.get("serviceCidr", "172.16.0.0/16"),
            pod_cidr=data.get("podCidr", "10.244.0.0/16"),
            location=data.get("location", "koreacentral"),
            node_cidr=data.get("nodeCidr", NODE_CIDR),
            node_resource_group=data.get("nodeResourceGroup"),
            _store=Store.from_json(copy.deepcopy(dict(data["store"])), clock),
        )
        cluster.powered = bool(data.get("powered", True))
        return cluster
