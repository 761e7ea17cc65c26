"""Test kit: an HTTP handler routing /k8s/<key>/... to KubeCluster instances, clients and helpers.

Each test gets a fresh cluster under its own key, and real kubernetes clients built from a kubeconfig
dict (token user), as the orchestrator builds them from listClusterAdminCredential.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from kubernetes import client, config
from kubernetes.dynamic import DynamicClient

from emulator.k8s import KubeCluster
from emulator.streaming import send_chunked

TOKEN = "test-token"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    clusters: ClassVar[dict[str, KubeCluster]] = {}

    def _serve(self) -> None:
        url = urlsplit(self.path)
        parts = url.path.split("/", 3)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        cluster = self.clusters.get(parts[2]) if len(parts) > 2 and parts[1] == "k8s" else None
        if cluster is None:
            self._reply(404, {"Content-Type": "text/plain"}, b"no such cluster")
            return
        rest = "/" + (parts[3] if len(parts) > 3 else "")
        resp = cluster.handle(self.command, rest, parse_qs(url.query), dict(self.headers.items()), body)
        if resp.stream is not None:  # a watch
            send_chunked(self, resp.status, resp.headers, resp.stream)
            return
        self._reply(resp.status, resp.headers, resp.body)

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass


_keys = itertools.count()


def next_key() -> str:
    return f"c{next(_keys)}"


def kubeconfig(server: str, token: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c1", "cluster": {"server": server}}],
        "users": [{"name": "admin", "user": {"token": token}}],
        "contexts": [{"name": "c1-admin", "context": {"cluster": "c1", "user": "admin"}}],
        "current-context": "c1-admin",
    }


@dataclass
class Kube:
    cluster: KubeCluster
    url: str
    api: client.ApiClient
    tmp: Path

    @property
    def core(self) -> client.CoreV1Api:
        return client.CoreV1Api(self.api)

    @property
    def apps(self) -> client.AppsV1Api:
        return client.AppsV1Api(self.api)

    def dynamic(self) -> DynamicClient:
        return DynamicClient(self.api, cache_file=str(self.tmp / f"discovery-{next(_keys)}.json"))

    def client_with_token(self, token: str) -> client.ApiClient:
        return config.new_client_from_config_dict(kubeconfig(self.url, token))

    def add_nodes(self, *, system: int = 1, spot: int = 0, user: int = 0) -> None:
        for index in range(system):
            self.cluster.add_node(
                f"aks-system-{index}", pool="system", mode="System", spot=False, vm_size="Standard_D2s_v3"
            )
        for index in range(spot):
            self.cluster.add_node(
                f"aks-spot-{index}", pool="spot", mode="User", spot=True, vm_size="Standard_D2s_v3"
            )
        for index in range(user):
            self.cluster.add_node(
                f"aks-user-{index}", pool="user", mode="User", spot=False, vm_size="Standard_D4s_v3"
            )


SPOT_TOLERATION = {
    "key": "kubernetes.azure.com/scalesetpriority",
    "operator": "Equal",
    "value": "spot",
    "effect": "NoSchedule",
}


def cilium() -> dict[str, Any]:
    labels = {"k8s-app": "cilium"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "cilium", "namespace": "kube-system", "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "hostNetwork": True,
                    "tolerations": [{"operator": "Exists"}],
                    "containers": [{"name": "cilium-agent", "image": "quay.io/cilium/cilium:v1.18.0"}],
                },
            },
        },
    }


def deployment(name: str, replicas: int, **pod_spec: Any) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}], **pod_spec},
            },
        },
    }


def ready_nodes(kube: Kube) -> dict[str, bool]:
    out = {}
    for node in kube.core.list_node().items:
        ready = next(c for c in node.status.conditions if c.type == "Ready")
        out[node.metadata.name] = ready.status == "True"
    return out


def install_cni(kube: Kube) -> None:
    dyn = kube.dynamic()
    ds = dyn.resources.get(api_version="apps/v1", kind="DaemonSet")
    dyn.server_side_apply(
        ds, cilium(), namespace="kube-system", field_manager="orchestrate", force_conflicts=True
    )


def pods(kube: Kube, selector: str) -> list[client.V1Pod]:
    return kube.core.list_namespaced_pod("default", label_selector=selector).items
