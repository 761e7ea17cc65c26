"""Each AKS cluster's Kubernetes API (emulator.k8s.KubeCluster) and the kubeconfigs that reach it.

State: every KubeCluster lives in its own SQLite file (`k8s/<kube key>.sqlite`, see emulator.k8s.host),
opened once per process and kept in step with other processes by the file itself; the ARM state extras
(`aks_kube`) only record which clusters exist (id, token, file instance). A restarted emulator - or a
second process on the same state directory - serves the same Kubernetes objects. Entries of the older
format (the whole cluster as JSON in the extras) move to their own file on first use.

HTTP: `/k8s/<key>/<kube path>` on the emulator's HTTPS port reaches `KubeCluster.handle` before the
ARM bearer check (hook in emulator/arm/engine.py); the kube client authenticates with the per-cluster
token from the kubeconfig (never the ARM token).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from emulator.arm.backend import Backend
from emulator.arm.counters import append_request_log
from emulator.arm.http import Request, Response
from emulator.arm.providers import aks_common as c
from emulator.arm.registry import Registry
from emulator.arm.store import Resource
from emulator.k8s import KubeCluster
from emulator.k8s.host import ClusterHost
from emulator.tls import CA_FILE

_log = logging.getLogger(__name__)
KUBE_ROUTE = r"/k8s/(?P<key>[^/]+)(?P<rest>/.*)?"
KUBE_FAULT_LOG = "kubernetes-fault"  # the request log's "type" of an injected Kubernetes API fault


@dataclass
class RawResponse(Response):
    """A response whose body is already encoded (the Kubernetes API answers bytes)."""

    chunks: Iterator[bytes] | None = None  # a watch, streamed by the server

    def encoded(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else super().encoded()


def kube_key(backend: Backend, cluster_id: str) -> str:
    return backend.guid(cluster_id.lower(), "kube").replace("-", "")


def _section(backend: Backend) -> dict[str, Any]:
    return backend.extras(c.KUBE_EXTRAS)


def _host(backend: Backend) -> ClusterHost:
    host = backend.runtime.get("kube")
    if not isinstance(host, ClusterHost):
        host = backend.runtime["kube"] = ClusterHost(backend.state_dir)
    return host


def ensure_kube(backend: Backend, cluster: Resource) -> str:
    """Create the cluster's KubeCluster on first need; returns its key."""
    key = kube_key(backend, cluster.id)
    if key not in _section(backend):
        p = cluster.body.get("properties", {})
        net = p.get("networkProfile", {})
        kube = _host(backend).create(
            key,
            lambda: KubeCluster(
                cluster.body["name"],
                secrets.token_urlsafe(32),
                kubernetes_version=str(p.get("currentKubernetesVersion") or c.resolve_version(None)),
                service_cidr=str(net.get("serviceCidr") or "10.0.0.0/16"),
                pod_cidr=str(net.get("podCidr") or "10.244.0.0/16"),
                location=str(cluster.body.get("location") or backend.settings.location),
                dns_service_ip=net.get("dnsServiceIP"),
            ),
        )
        _record(backend, key, cluster.id, kube)
        load(backend, key)  # starts the models
    return key


def _record(backend: Backend, key: str, cluster_id: str, kube: KubeCluster) -> None:
    _section(backend)[key] = {"clusterId": cluster_id, "token": kube.token, "instance": kube.instance}
    backend.touch()


def load(backend: Backend, key: str) -> KubeCluster | None:
    """The cluster behind `key` (call inside a store transaction); it persists its own changes."""
    entry = _section(backend).get(key)
    if not entry:
        return None
    kube: KubeCluster | None
    if "cluster" in entry:  # saved by an older emulator: the whole cluster as JSON
        kube = _host(backend).migrate(key, entry["cluster"])
        _record(backend, key, entry["clusterId"], kube)
    else:
        kube = _host(backend).get(key, str(entry.get("instance", "")))
    if kube is not None:
        _ensure_models(backend, key, str(entry["clusterId"]), kube)
    return kube


class _Checked(set[tuple[str, str]]):
    """(kube key, file instance) whose models are enabled; kept in ``backend.runtime``."""

    def close(self) -> None:
        self.clear()


def _ensure_models(backend: Backend, key: str, cluster_id: str, kube: KubeCluster) -> None:
    """Run the phase-3 models on every AKS cluster (also on clusters made before they existed).

    The Azure cloud provider and the mesh dataplane read the ARM state and the other clusters, so their
    config says where (``emulator.k8s.cloudview``). Checked once per process and cluster file."""
    checked = backend.runtime.setdefault("kube_models", _Checked())
    if (key, kube.instance) in checked:
        return
    wanted = {"stateDir": str(backend.state_dir), "clusterId": cluster_id}
    models = {
        "cilium-agent": {},
        "cilium-certgen": {},
        "cilium-gateway": {},
        "azure-cloud-provider": wanted,
        "mesh-probe": wanted,
    }
    enabled = kube.controllers()
    for kind, config in models.items():
        if enabled.get(kind) != config:
            kube.enable_controller(kind, config)
    checked.add((key, kube.instance))


def update_kube(backend: Backend, cluster_id: str, change: Callable[[KubeCluster], None]) -> None:
    """Apply `change` to the cluster's KubeCluster (if it exists); the cluster saves it."""
    kube = load(backend, kube_key(backend, cluster_id))
    if kube is not None:
        change(kube)


def kube_token(backend: Backend, cluster: Resource) -> str:
    key = ensure_kube(backend, cluster)
    kube = load(backend, key)
    return kube.token if kube is not None else str(_section(backend)[key]["token"])


def drop_kube(backend: Backend, cluster_id: str) -> None:
    key = kube_key(backend, cluster_id)
    if _section(backend).pop(key, None) is not None:
        _host(backend).drop(key)
        backend.touch()


def _status(code: int, reason: str, message: str) -> RawResponse:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "reason": reason,
        "code": code,
        "message": message,
    }
    return RawResponse(code, json.dumps(body).encode(), {"Content-Type": "application/json"})


def serve(backend: Backend, request: Request, match: re.Match[str]) -> Response:
    """Route handler for /k8s/<key>/...: the cluster's Kubernetes API."""
    try:
        return _serve(backend, request, match)
    except Exception as exc:  # never drop the connection: answer like an apiserver would
        _log.exception("kube API %s %s failed", request.method, request.path)
        return _status(500, "InternalError", f"internal error: {exc!r}")


def _serve(backend: Backend, request: Request, match: re.Match[str]) -> Response:
    key = match["key"]
    with backend.store.transaction():
        kube = load(backend, key)
    if kube is None:
        return _status(404, "NotFound", f"no cluster behind /k8s/{key}")
    rest = match["rest"] or "/"
    backend.refresh_settings()  # kube_faults written to settings.json by another process
    fault = backend.kube_faults.take(kube.name, request.method, rest)  # settings' kube_faults
    if fault is not None and backend.settings.request_log:
        append_request_log(backend.state_dir, request.method, KUBE_FAULT_LOG, rest, str(fault.code))
    query = {k: [v] for k, v in request.query.items()}  # outside the ARM lock: the cluster has its own
    answer = kube.handle(request.method, rest, query, request.headers, request.body, injected=fault)
    return RawResponse(answer.status, answer.body, dict(answer.headers), chunks=answer.stream)


def kubeconfig(backend: Backend, request: Request, cluster: Resource, user_kind: str) -> dict[str, Any]:
    """The kubeconfig AKS returns (token user; server = this emulator's /k8s/<key>)."""
    key = ensure_kube(backend, cluster)
    name, rg = cluster.body["name"], cluster.id.split("/")[4]
    ca = (backend.state_dir / CA_FILE).read_bytes()
    user = f"{user_kind}_{rg}_{name}"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": name,
                "cluster": {
                    "server": f"{request.base_url}{c.KUBE_PREFIX}{key}",
                    "certificate-authority-data": base64.b64encode(ca).decode(),
                },
            }
        ],
        "users": [{"name": user, "user": {"token": kube_token(backend, cluster)}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user}}],
        "current-context": name,
        "preferences": {},
    }
    value = base64.b64encode(yaml.safe_dump(config, sort_keys=False).encode()).decode()
    return {"kubeconfigs": [{"name": user_kind, "value": value}]}


def register(reg: Registry) -> None:
    reg.route("*", KUBE_ROUTE, serve, "kubernetes")
