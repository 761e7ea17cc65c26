"""The product's phases 1-2 plus two test phases that hand a generated secret from step to step.

Phase 3 (on aks-mgmt): a namespace, the Secret `db-credentials` whose `password` is generated once
(written with `stringData`) and a ConfigMap whose annotation carries the password's digest, taken
from the run's broker in memory. Phase 4 (on aks-app1, run in another process): the same password
copied into a Secret there and a digest annotation; the producer did not run in that process, so
the value is read back from aks-mgmt's Secret, never from the state file.
`python -m tests.support.secret_phase --cloud local run --phase 3 --yes`
"""

from __future__ import annotations

from typing import Any

from orchestrator.engine.graph import step_id
from orchestrator.engine.phases import Phase, PhaseRegistry
from orchestrator.engine.secrets import SecretKey
from orchestrator.engine.step import Step
from steps.kube import KubeObjectStep
from steps.registry import default_registry
from steps.secret_sources import KubeSecretSource
from steps.secret_values import Generated, SecretDigest

NAMESPACE = "platform-demo"
SECRET = "db-credentials"
MGMT, APP1 = "aks-mgmt", "aks-app1"
DB_PASSWORD = SecretKey("db-password", KubeSecretSource(MGMT, NAMESPACE, SECRET, "password"))


def _namespace() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}


def _secret(cluster: str) -> dict[str, Any]:
    # aks-mgmt makes the password (once); aks-app1 gets a copy of it.
    password = Generated(DB_PASSWORD) if cluster == MGMT else DB_PASSWORD
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": SECRET, "namespace": NAMESPACE},
        "type": "Opaque",
        "stringData": {"username": "app", "password": password},
    }


def _client_config(cluster: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "db-client",
            "namespace": NAMESPACE,
            "annotations": {"checksum/db-password": SecretDigest(DB_PASSWORD)},
        },
        "data": {"cluster": cluster, "user": "app"},
    }


def _objects(cluster: str, phase: int) -> list[Step]:
    ns, secret = step_id(phase, "namespace", cluster), step_id(phase, "db-secret", cluster)
    return [
        KubeObjectStep(ns, phase=phase, cluster=cluster, manifest=_namespace()),
        KubeObjectStep(secret, phase=phase, cluster=cluster, manifest=_secret(cluster), depends_on=(ns,)),
        KubeObjectStep(
            step_id(phase, "db-client", cluster),
            phase=phase,
            cluster=cluster,
            manifest=_client_config(cluster),
            depends_on=(secret,),
        ),
    ]


def registry() -> PhaseRegistry:
    phases = list(default_registry())
    phases[2] = Phase(3, phases[2].name, lambda config: _objects(MGMT, 3))
    phases[3] = Phase(4, phases[3].name, lambda config: _objects(APP1, 4))
    return PhaseRegistry(phases)


if __name__ == "__main__":
    from orchestrator.cli import _default_services, build_cli, main

    main(cli=build_cli(registry, _default_services))
