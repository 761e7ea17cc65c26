"""The model Cilium chart speaks the real chart's values: every key it declares exists upstream with the
same default, and every key the product sets is one the model declares (so the model renders it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from phase3_kit import render

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "emulator" / "charts" / "cilium" / "values.yaml"
PRODUCT = REPO / "manifests" / "cilium"
# What the phase-3 steps compute per cluster (manifests/cilium/values.yaml header): not in the files.
COMPUTED = (
    "cluster.name", "cluster.id", "ipam.operator.clusterPoolIPv4PodCIDRList", "k8sServiceHost",
    "operator.replicas", "gatewayAPI.enabled", "hubble.enabled", "hubble.relay.enabled",
    "clustermesh.useAPIServer", "clustermesh.config.enabled", "clustermesh.config.clusters",
    "clustermesh.apiserver.service.annotations", "clustermesh.apiserver.service.loadBalancerIP",
    "clustermesh.apiserver.tls.auto.server.extraDnsNames", "clustermesh.apiserver.tls.auto.server.extraIpAddresses",
    "tls.ca.cert", "tls.ca.key",
)  # fmt: skip


def _shared() -> Path:
    for base in (REPO.parent / "shared", Path("/work/shared")):
        if (base / "schemas" / "charts" / "cilium" / "1.20.0" / "values.yaml").exists():
            return base / "schemas" / "charts" / "cilium" / "1.20.0"
    pytest.skip("../shared/schemas/charts/cilium/1.20.0 is not beside the checkout")


def _leaves(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict) and node:
        return [p for k, v in node.items() for p in _leaves(v, f"{prefix}{k}.")]
    return [prefix.rstrip(".")] if prefix else []


def _lookup(tree: Any, path: str) -> tuple[bool, Any]:
    node = tree
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _declared(model: dict[str, Any], path: str) -> bool:
    """Declared by the model: the path itself, or under a free-form map or list the model declares."""
    node: Any = model
    for part in path.split("."):
        if isinstance(node, dict) and node == {} and node is not model:
            return True
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _model() -> dict[str, Any]:
    return dict(yaml.safe_load(MODEL.read_text(encoding="utf-8")))


def test_every_key_the_model_declares_exists_in_the_real_chart_with_its_default() -> None:
    real = yaml.safe_load((_shared() / "values.yaml").read_text(encoding="utf-8"))
    for path in _leaves(_model()):
        found, default = _lookup(real, path)
        assert found, f"the model declares {path}, which the real cilium 1.20.0 chart does not have"
        assert default == _lookup(_model(), path)[1], f"{path}: model default differs from the real chart's"


def _product_keys() -> list[str]:
    files = [PRODUCT / "values.yaml", *sorted((PRODUCT / "overlays").glob("*.yaml"))]
    keys = [
        k for f in files if f.exists() for k in _leaves(yaml.safe_load(f.read_text(encoding="utf-8")) or {})
    ]
    return sorted({*keys, *COMPUTED})


def test_every_key_the_product_sets_is_declared_by_the_model() -> None:
    missing = [k for k in _product_keys() if not _declared(_model(), k)]
    assert not missing, (
        f"the product sets keys the model chart ignores: {missing} (add them to {MODEL.relative_to(REPO)})"
    )


def test_the_product_values_render_the_real_object_names(tmp_path: Path) -> None:
    if not (PRODUCT / "values.yaml").exists():
        pytest.skip("manifests/cilium/values.yaml does not exist yet")
    values = yaml.safe_load((PRODUCT / "values.yaml").read_text(encoding="utf-8"))
    computed = {
        "cluster": {"name": "aks-mgmt", "id": 1},
        "ipam": {**values.get("ipam", {}), "operator": {**values["ipam"]["operator"], "clusterPoolIPv4PodCIDRList": ["10.100.0.0/16"]}},
        "k8sServiceHost": "aks-mgmt.hcp.koreacentral.azmk8s.io", "operator": {"replicas": 1},
        "gatewayAPI": {"enabled": True}, "hubble": {**values.get("hubble", {}), "enabled": True, "relay": {"enabled": True}},
    }  # fmt: skip
    mesh = values.setdefault("clustermesh", {})
    mesh["useAPIServer"] = True
    mesh.setdefault("config", {}).update(
        enabled=True, clusters=[{"name": "aks-app1", "ips": ["10.1.12.11"], "port": 2379}]
    )
    mesh.setdefault("apiserver", {}).setdefault("service", {})["annotations"] = {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true"
    }
    docs = render(
        {**values, **computed},
        tmp_path,
        *(),
    )
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for expected in [("DaemonSet", "cilium"), ("Deployment", "cilium-operator"), ("ConfigMap", "cilium-config"),
                     ("Deployment", "clustermesh-apiserver"), ("Service", "clustermesh-apiserver"),
                     ("Secret", "cilium-clustermesh"), ("Job", "clustermesh-apiserver-generate-certs"),
                     ("CronJob", "clustermesh-apiserver-generate-certs"), ("Deployment", "hubble-relay")]:  # fmt: skip
        assert expected in names
    config = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "cilium-config")[
        "data"
    ]
    assert (config["cluster-name"], config["cluster-id"], config["cluster-pool-ipv4-cidr"]) == (
        "aks-mgmt",
        "1",
        "10.100.0.0/16",
    )
    ds = next(d for d in docs if d["kind"] == "DaemonSet")
    assert ds["spec"]["template"]["spec"]["hostAliases"] == [
        {"ip": "10.1.12.11", "hostnames": ["aks-app1.mesh.cilium.io"]}
    ]


def test_the_gateway_class_renders_only_when_the_api_exists_or_is_forced(tmp_path: Path) -> None:
    base = {"gatewayAPI": {"enabled": True}, "hubble": {"tls": {"auto": {"method": "cronJob"}}}}
    assert not [d for d in render(base, tmp_path) if d["kind"] == "GatewayClass"]
    (gc,) = [
        d
        for d in render(base, tmp_path, *["--api-versions", "gateway.networking.k8s.io/v1/GatewayClass"])
        if d["kind"] == "GatewayClass"
    ]
    assert (gc["metadata"]["name"], gc["spec"]["controllerName"]) == (
        "cilium",
        "io.cilium/gateway-controller",
    )


def test_the_helm_certificate_method_is_refused_because_it_renders_new_certificates(tmp_path: Path) -> None:
    import subprocess

    with pytest.raises(subprocess.CalledProcessError) as failed:
        render(
            {"clustermesh": {"useAPIServer": True}, "hubble": {"tls": {"auto": {"method": "cronJob"}}}},
            tmp_path,
        )
    assert "tls.auto.method=helm" in str(failed.value.stderr)
