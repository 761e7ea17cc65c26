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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import watch
from .addons import dns_service, storage_classes, system_workloads
from .backing import Backing, SettingsPort
from .changelog import LOG_LIMIT
from .controllerkinds import KINDS, ControllerKind, ControllerSet
from .controllerkinds import parse as parse_controllers
from .controllers import reconcile
from .errors import KubeError
from .extensions import PluginController
from .faults import Fault, Faults
from .handlers import READ_METHODS, Request, Router
from .identity import ADMIN, UserInfo, service_account
from .negotiation import render
from .network import NODE_CIDR, allocate
from .nodes import build_node
from .objects import NetworkConfig, Objects
from .sqlstore import SqlStore
from .store import Store
from .tokens import claims_of

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KubeResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    stream: Iterator[bytes] | None = None  # a watch: chunks to send as they come (``b""``: nothing yet)


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
        controller_kinds: Mapping[str, ControllerKind] | None = None,
        watch_log: int = LOG_LIMIT,
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
        self._controllers = ControllerSet(KINDS if controller_kinds is None else controller_kinds)
        settings = SettingsPort(self.settings, self._adopt)
        self._backing = Backing(self._store, self._lock, settings, watch_log)
        if _store is None:
            with self._backing.session(write=True):
                self._controllers.replace(parse_controllers(None, self._controllers.kinds))
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
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
        injected: KubeError | None = None,
    ) -> KubeResponse:
        """Answer one request. `injected` (a fault the caller drew for it) is the answer instead, before
        the request reaches anything, as a front end failing in front of the apiserver would."""
        req = Request(method.upper(), path, query, headers, body)
        extra: dict[str, str] = {}
        try:
            if injected is not None:
                raise injected
            with self._backing.session(write=req.method not in READ_METHODS):
                req.user = self._authenticate(req)
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
        if req.warnings:
            extra["Warning"] = ", ".join(f'299 - "{_quoted(w)}"' for w in req.warnings)
        if isinstance(payload, watch.WatchPlan):
            stream = watch.stream(payload, self._backing)
            return KubeResponse(status, {**extra, "Content-Type": watch.CONTENT_TYPE}, b"", stream)
        if isinstance(payload, str):
            return KubeResponse(status, {**extra, "Content-Type": "text/plain"}, payload.encode())
        status, headers, data = render(status, payload, req.header("Accept"))
        return KubeResponse(status, {**extra, **headers}, data)

    def _identify(self, token: str) -> UserInfo | None:
        if hmac.compare_digest(token.encode(), self.token.encode()):
            return ADMIN
        claims = claims_of(self._store, token)
        return service_account(claims) if claims is not None else None

    def _authenticate(self, req: Request) -> UserInfo:
        scheme, _, token = req.header("Authorization").partition(" ")
        user = self._identify(token) if scheme.lower() == "bearer" and token else None
        if user is None:
            raise KubeError(401, "Unauthorized", "Unauthorized")
        return user

    def _dispatch(self, req: Request) -> tuple[int, Any]:
        router = Router(self._objects, self.kubernetes_version, self._identify)
        if req.method in READ_METHODS:
            return router.dispatch(req)
        if req.arg("dryRun") == "All":
            mark = self._store.mark()
            try:
                return router.dispatch(req)
            finally:
                self._store.rollback(mark)
        result = router.dispatch(req)
        self._reconcile()
        return result

    def _reconcile(self) -> int:
        plugins = [*self._controllers.running(), *self._plugins.values()]
        return reconcile(self._objects, self._network.pod_cidr, plugins)

    def add_controller(self, name: str, controller: PluginController) -> None:
        """Register (or replace) a plug-in controller run after every write; see ``extensions``.

        Not persisted: for a controller that survives a reload, use a registered kind
        (``enable_controller``)."""
        with self._backing.session(write=True):
            self._plugins[name] = controller
            self._reconcile()

    # -- controller kinds (persisted; see ``controllerkinds``) ----------------------------------
    def enable_controller(self, kind: str, config: Mapping[str, Any] | None = None) -> None:
        """Run a registered controller kind on this cluster from now on, in every process."""
        with self._backing.session(write=True):
            self._controllers.enable(kind, dict(config or {}))
            self._reconcile()

    def disable_controller(self, kind: str) -> None:
        with self._backing.session(write=True):
            self._controllers.disable(kind)

    def controllers(self) -> dict[str, dict[str, Any]]:
        """The enabled controller kinds and their config."""
        with self._backing.session(write=False):
            return self._controllers.enabled()

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
        with self._backing.session(write=True):
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
        with self._backing.session(write=True):
            rt = self._objects.rt("nodes")
            if self._objects.find(rt, "", name) is not None:
                self._objects.delete(rt, "", name)
            self._reconcile()

    def settle(self) -> int:
        """Run the control loop now (it also runs after every write); returns the passes it took."""
        with self._backing.session(write=True):
            return self._reconcile()

    def node_names(self) -> list[str]:
        with self._backing.session(write=False):
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
        with self._lock:  # in memory only: faults are not persisted
            self._faults.add(Fault(status, count, method, path_contains, retry_after))

    def set_powered(self, on: bool) -> None:
        """Stopped clusters answer every request with 503 ServiceUnavailable; state is kept."""
        with self._backing.session(write=True):
            self.powered = on

    def set_kubernetes_version(self, version: str) -> None:
        """After an upgrade: /version and every node's kubelet/kube-proxy version follow."""
        with self._backing.session(write=True):
            self.kubernetes_version = version
            for node in self._store.items("nodes"):
                updated = copy.deepcopy(node)
                info = updated["status"]["nodeInfo"]
                info["kubeletVersion"] = info["kubeProxyVersion"] = f"v{version}"
                self._store.update("nodes", updated)

    # -- persistence ----------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """Everything but the objects: what a reload needs to rebuild this cluster."""
        return {
            "name": self.name,
            "token": self.token,
            "kubernetesVersion": self.kubernetes_version,
            "serviceCidr": self._network.service_cidr,
            "podCidr": self._network.pod_cidr,
            "nodeCidr": self._network.node_cidr,
            "nodeResourceGroup": self.node_resource_group,
            "location": self.location,
            "powered": self.powered,
            "controllers": self._controllers.export(),
        }

    def _adopt(self, settings: Mapping[str, Any]) -> None:
        """Take the mutable settings another process saved (power, version, controller kinds)."""
        self.powered = bool(settings.get("powered", True))
        self.kubernetes_version = str(settings.get("kubernetesVersion", self.kubernetes_version))
        self._controllers.replace(parse_controllers(settings.get("controllers"), self._controllers.kinds))

    def to_json(self) -> dict[str, Any]:
        with self._backing.session(write=False):
            return copy.deepcopy({**self.settings(), "store": self._store.to_json()})

    @classmethod
    def from_json(
        cls,
        data: Mapping[str, Any],
        *,
        clock: Callable[[], float] = time.time,
        controller_kinds: Mapping[str, ControllerKind] | None = None,
    ) -> KubeCluster:
        return cls._restored(
            data, Store.from_json(copy.deepcopy(dict(data["store"])), clock), controller_kinds
        )

    @classmethod
    def _restored(
        cls, data: Mapping[str, Any], store: Store, controller_kinds: Mapping[str, ControllerKind] | None
    ) -> KubeCluster:
        cluster = cls(
            data["name"],
            data["token"],
            kubernetes_version=data.get("kubernetesVersion", "1.33.0"),
            clock=store.clock,
            service_cidr=data.get("serviceCidr", "172.16.0.0/16"),
            pod_cidr=data.get("podCidr", "10.244.0.0/16"),
            location=data.get("location", "koreacentral"),
            node_cidr=data.get("nodeCidr", NODE_CIDR),
            node_resource_group=data.get("nodeResourceGroup"),
            controller_kinds=controller_kinds,
            _store=store,
        )
        cluster._adopt(data)
        return cluster

    def save_to(self, path: Path) -> None:
        """Keep this cluster in an SQLite file from now on (written in full now, then per change)."""
        self._backing.persist(path)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        controller_kinds: Mapping[str, ControllerKind] | None = None,
    ) -> KubeCluster:
        """The cluster saved at ``path`` (``save_to``); its controller kinds start running again."""
        db = SqlStore(path)
        meta = db.read_meta()
        if "settings" not in meta:
            db.close()
            raise FileNotFoundError(f"no emulated cluster in {path}")
        store = Store(clock)
        store.signing_key = meta["signingKey"]
        store.load(db.load_objects(), int(meta["revision"]), int(meta["sequence"]))
        cluster = cls._restored(json.loads(meta["settings"]), store, controller_kinds)
        cluster._backing.attach(db, meta)
        return cluster

    @property
    def instance(self) -> str:
        """Identifies the file this cluster was saved to (changes when it is saved anew)."""
        return self._backing.instance

    def close(self) -> None:
        """End this cluster's watches and close its file."""
        self._backing.close()


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
