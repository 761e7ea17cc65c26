"""Phase 3's steps as declarations: the graph, the order, the CA, the DNS records' ownership, the
mesh-subnet rule of the config, and the Kustomize overlays (rendered and schema-checked)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from orchestrator.config.checks import check_deployment
from orchestrator.config.model import Deployment
from orchestrator.engine.graph import validate_graph
from orchestrator.engine.step import Ownership, ownership_tags
from orchestrator.secret import Secret
from steps import ids
from steps.clusters import phase2_steps
from steps.network import _record_ownership, phase1_steps
from steps.phase3 import phase3_steps
from steps.phase3.ca import fingerprint, new_ca, split
from steps.phase3.kustomize import find_kubectl, kustomize
from steps.phase3.probe import job_state
from steps.registry import default_registry

VALIDATOR = Path(__file__).resolve().parents[3] / "shared" / "tools" / "validate-manifests" / "validate.py"
VALIDATOR_PY = Path("/tmp/crdcheck-venv/bin/python")
MANIFESTS = Path(__file__).resolve().parents[2] / "manifests"


def _graph(config: Deployment) -> dict[str, list[str]]:
    steps = phase3_steps(config)
    validate_graph([*phase1_steps(config), *phase2_steps(config), *steps])
    return {s.id: list(s.depends_on) for s in steps}


def test_phase_3_forms_one_graph_with_phases_1_and_2() -> None:
    graph = _graph(Deployment())
    for c in ("aks-mgmt", "aks-app1", "aks-app2"):
        # Gateway API CRDs and the shared CA before Cilium; Cilium after its cluster (phase 2)
        assert {ids.cluster(c), ids.gateway_api_crds(c), ids.cilium_ca(c), ids.mesh_subnet_role(c)} <= set(
            graph[ids.cilium(c)]
        )
        assert ids.cilium(c) in graph[ids.verify("nodes-ready", c)]
        assert ids.verify("nodes-ready", c) in graph[ids.kustomization(c, "demo")]
    assert ids.cilium_ca("aks-mgmt") in graph[ids.cilium_ca("aks-app1")]  # copied after it is made
    assert ids.kustomization("aks-mgmt", "gateway") not in graph  # no internet ingress on mgmt
    assert {ids.kustomization(c, "demo") for c in ("aks-mgmt", "aks-app1", "aks-app2")} <= set(
        graph[ids.verify("mesh-probe", "aks-mgmt")]
    )


def test_the_registry_builds_phase_3_and_makes_it_available() -> None:
    registry = default_registry()
    phase = registry.get(3)
    assert phase.available and phase.steps(Deployment())
    registry.graph(Deployment())


def test_the_cilium_release_reads_the_api_server_fqdn_of_its_cluster() -> None:
    steps = {s.id: s for s in phase3_steps(Deployment())}
    refs = steps[ids.cilium("aks-app1")].reads()
    assert [(r.step, r.key) for r in refs] == [(ids.cluster("aks-app1"), "fqdn")]


def test_the_ca_is_a_self_signed_pair_that_never_prints() -> None:
    bundle = new_ca()
    assert isinstance(bundle, Secret) and "BEGIN" not in repr(bundle) and "BEGIN" not in f"{bundle}"
    cert, key = split(bundle)
    assert cert.reveal().startswith("-----BEGIN CERTIFICATE-----")
    assert "PRIVATE KEY" in key.reveal() and "PRIVATE KEY" not in cert.reveal()
    from cryptography import x509

    parsed = x509.load_pem_x509_certificate(cert.reveal().encode())
    assert parsed.issuer == parsed.subject
    assert parsed.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert len(fingerprint(cert.reveal()).split(":")) == 32
    assert split(new_ca())[0] != cert  # a new pair each time: generated once, by the first cluster's step


def test_the_ca_secret_declares_its_data_from_the_broker_not_from_values() -> None:
    steps = {s.id: s for s in phase3_steps(Deployment())}
    for c in ("aks-mgmt", "aks-app1"):
        manifest = steps[ids.cilium_ca(c)].manifest  # type: ignore[attr-defined]
        assert manifest["metadata"] == {"name": "cilium-ca", "namespace": "kube-system"}
        assert {type(v).__name__ for v in manifest["stringData"].values()} == {"SecretKey"}


def test_our_mesh_records_count_as_ours_in_the_zone() -> None:
    ours = {"type": "Microsoft.Network/privateDnsZones/A", "name": "clustermesh-aks-app1",
            "properties": {"metadata": ownership_tags("aks-demo")}}  # fmt: skip
    other = {"type": "Microsoft.Network/privateDnsZones/A", "name": "db", "properties": {"metadata": {}}}
    soa = {"type": "Microsoft.Network/privateDnsZones/SOA", "name": "@", "properties": {}}
    assert _record_ownership(ours, "aks-demo") is Ownership.OURS
    assert _record_ownership(ours, "another") is Ownership.FOREIGN
    assert _record_ownership(other, "aks-demo") is Ownership.FOREIGN
    assert _record_ownership(soa, "aks-demo") is Ownership.SYSTEM


def test_the_mesh_subnet_must_exist_hold_no_cluster_and_have_room_for_every_id() -> None:
    def problems(update: dict[str, object]) -> list[str]:
        return [p.path for p in check_deployment(Deployment.model_validate(update))]

    assert problems({}) == []
    assert problems({"cilium": {"mesh_subnet": "nope"}}) == ["cilium.mesh_subnet"]
    assert problems({"cilium": {"mesh_subnet": "app1"}}) == ["cilium.mesh_subnet"]
    assert problems({"cilium": {"cluster_mesh": False, "mesh_subnet": "nope"}}) == []
    tiny = {"network": {"subnets": [
        {"name": "mgmt", "cidr": "10.1.0.0/16"}, {"name": "app1", "cidr": "10.2.0.0/16", "ingress": True},
        {"name": "app2", "cidr": "10.3.0.0/16", "ingress": True}, {"name": "services", "cidr": "10.4.0.0/29"},
    ]}}  # fmt: skip
    assert problems(tiny) == []  # a /29 holds 3 usable addresses: IDs 1-3 fit (.6, .5, .4)
    clusters = [c.model_dump() for c in Deployment().clusters]
    clusters[2]["cilium_cluster_id"] = 4
    assert problems({**tiny, "clusters": clusters}) == ["clusters[2].cilium_cluster_id"]


def test_probe_job_states() -> None:
    def job(*conditions: tuple[str, str, str]) -> dict[str, object]:
        return {
            "status": {
                "conditions": [
                    {"type": t, "status": "True", "reason": r, "message": m} for t, r, m in conditions
                ]
            }
        }

    assert job_state(job())[0] == "running"
    assert job_state(job(("Complete", "", "")))[0] == "succeeded"
    state, reason = job_state(
        job(("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"))
    )
    assert state == "failed" and reason.startswith("BackoffLimitExceeded")


needs_kubectl = pytest.mark.skipif(find_kubectl() is None, reason="kubectl is not installed")


@needs_kubectl
def test_the_overlays_render_the_objects_each_cluster_needs() -> None:
    def kinds(component: str, cluster: str) -> set[str]:
        docs = yaml.safe_load_all(kustomize(MANIFESTS / component / "overlays" / cluster))
        return {f"{d['kind']}/{d['metadata']['name']}" for d in docs if d}

    links = {"Service/echo-aks-app1", "Service/echo-aks-app2"}
    assert kinds("demo", "aks-mgmt") == {
        "Namespace/demo",
        "Service/echo",
        *links,
    }  # global Services, no backends
    assert kinds("demo", "aks-app1") == {
        "Namespace/demo",
        "Service/echo",
        "Service/echo-aks-app1",
        "Deployment/echo",
    }
    assert kinds("gateway", "aks-app2") == {"Gateway/demo", "HTTPRoute/echo"}
    [job] = [d for d in yaml.safe_load_all(kustomize(MANIFESTS / "demo" / "probe")) if d]
    targets = job["metadata"]["annotations"]["mesh.orchestrate.io/probe"].split(",")
    assert targets == ["demo/echo", "demo/echo-aks-app1", "demo/echo-aks-app2"]  # both, then each link
    urls = [a for a in job["spec"]["template"]["spec"]["containers"][0]["args"] if a.startswith("http")]
    assert urls == [f"http://{t.split('/')[1]}.demo.svc.cluster.local/" for t in targets]
    app1 = [d for d in yaml.safe_load_all(kustomize(MANIFESTS / "demo" / "overlays" / "aks-app1")) if d]
    pods = next(d for d in app1 if d["kind"] == "Deployment")["spec"]["template"]["metadata"]["labels"]
    link = next(d for d in app1 if d["metadata"]["name"] == "echo-aks-app1")
    assert link["spec"]["selector"].items() <= pods.items()  # the link Service selects this cluster's pods
    service = next(
        d
        for d in yaml.safe_load_all(kustomize(MANIFESTS / "demo" / "overlays" / "aks-mgmt"))
        if d["kind"] == "Service"
    )
    assert service["metadata"]["annotations"]["service.cilium.io/global"] == "true"


@needs_kubectl
@pytest.mark.skipif(
    not (VALIDATOR.is_file() and VALIDATOR_PY.is_file()), reason="validate-manifests is not set up"
)
def test_the_rendered_overlays_validate_against_the_upstream_schemas(tmp_path: Path) -> None:
    overlays = [*sorted(MANIFESTS.glob("*/overlays/*")), MANIFESTS / "demo" / "probe"]
    for overlay in overlays:
        if (overlay / "kustomization.yaml").is_file():
            (tmp_path / f"{overlay.parent.parent.name}-{overlay.name}.yaml").write_text(kustomize(overlay))
    done = subprocess.run(
        [str(VALIDATOR_PY), str(VALIDATOR), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "errors 0" in done.stdout and "unchecked 0" in done.stdout
