"""Each AKS cluster's Kubernetes API (emulator.k8s.KubeCluster) and the kubeconfigs that reach it.

State: every KubeCluster is kept as JSON in the ARM state extras (`aks_kube`, keyed by the cluster's
kube key) and rebuilt per request (about 2 ms for a small cluster), so a restarted emulator - or a
second process on the same state directory - serves the same Kubernetes objects. Writes are saved
back with `touch()`; reads are not.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response
from emulator.arm.providers import aks_common as c
from emulator.arm.registry import Registry
from emulator.arm.store import Resource
from emulator.k8s import KubeCluster
from emulator.tls import CA_FILE

_READS = ("GET", "HEAD")
_log = logging.getLogger(__name__)
KUBE_ROUTE = r"/k8s/(?P<key>[^/]+)(?P<rest>/.*)?"


@dataclass
class RawResponse(Response):
    """A response whose body is already encoded (the Kubernetes API answers bytes)."""

    def encoded(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else super().encoded()


def kube_key(backend: Backend, cluster_id: str) -> str:
    return backend.guid(cluster_id.lower(), "kube").replace("-", "")


def _section(backend: Backend) -> dict[str, Any]:
    return backend.extras(c.KUBE_EXTRAS)


def ensure_kube(backend: Backend, cluster: Resource) -> str:
    """Create the cluster's KubeCluster on first need; returns its key."""
    key = kube_key(backend, cluster.id)
    if key not in _section(backend):
        p = cluster.body.get("properties", {})
        net = p.get("networkProfile", {})
        kube = KubeCluster(
            cluster.body["name"],
            secrets.token_urlsafe(32),
            kubernetes_version=str(p.get("currentKubernetesVersion") or c.resolve_version(None)),
            service_cidr=str(net.get("serviceCidr") or "10.0.0.0/16"),
            pod_cidr=str(net.get("podCidr") or "10.244.0.0/16"),
            location=str(cluster.body.get("location") or backend.settings.location),
            dns_service_ip=net.get("dnsServiceIP"),
        )
        _save(backend, key, cluster.id, kube)
    return key


def _save(backend: Backend, key: str, cluster_id: str, kube: KubeCluster) -> None:
    _section(backend)[key] = {"clusterId": cluster_id, "cluster": kube.to_json()}
    backend.touch()


def load(backend: Backend, key: str) -> KubeCluster | None:
    entry = _section(backend).get(key)
    return KubeCluster.from_json(entry["cluster"]) if entry else None


def update_kube(backend: Backend, cluster_id: str, change: Callable[[KubeCluster], None]) -> None:
    """Apply `change` to the cluster's KubeCluster (if it exists) and persist it."""
    key = kube_key(backend, cluster_id)
    kube = load(backend, key)
    if kube is not None:
        change(kube)
        _save(backend, key, cluster_id, kube)


def kube_token(backend: Backend, cluster: Resource) -> str:
    key = ensure_kube(backend, cluster)
    return str(_section(backend)[key]["cluster"]["token"])


def drop_kube(backend: Backend, cluster_id: str) -> None:
    if _section(backend).pop(kube_key(backend, cluster_id), None) is not None:
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
    with backend.store.transaction():
        key = match["key"]
        kube = load(backend, key)
        if kube is None:
            return _status(404, "NotFound", f"no cluster behind /k8s/{key}")
        query = {k: [v] for k, v in request.query.items()}
        answer = kube.handle(request.method, match["rest"] or "/", query, request.headers, request.body)
        if request.method not in _READS and answer.status < 400:
            _save(backend, key, _section(backend)[key]["clusterId"], kube)
        return RawResponse(answer.status, answer.body, dict(answer.headers))


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
