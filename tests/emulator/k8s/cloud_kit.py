"""An AKS cluster on a real LocalCloud (ARM over HTTPS), for tests of what only the full stack shows:
the clusters' own files, watches through the emulator's HTTPS server, restarts, real kubeconfigs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aks_testkit import AksEnv, cluster, kube_client, make_env
from arm_testkit import LOC, SUB, StaticToken, client_kwargs
from azure.mgmt.resource.resources import ResourceManagementClient
from kubernetes import client as kclient

from emulator import LocalCloud, Settings
from emulator.arm.providers import aks_kube

SETTINGS = Settings(quotas={"lowPriorityCores": 10})


def env_for(cloud: LocalCloud) -> AksEnv:
    def factory(cls: Callable[..., Any], **extra: Any) -> Any:
        return cls(StaticToken(cloud.token), SUB, **client_kwargs(cloud, **extra))

    factory(ResourceManagementClient).resource_groups.create_or_update("rg1", {"location": LOC})
    return make_env(factory, "rg1")


@dataclass
class AksCluster:
    cloud: LocalCloud
    env: AksEnv
    name: str = "aks1"

    @property
    def id(self) -> str:
        return f"/subscriptions/{SUB}/resourceGroups/{self.env.rg}/providers/Microsoft.ContainerService/managedClusters/{self.name}"

    def api(self) -> kclient.ApiClient:
        return kube_client(self.env, self.name)

    def kubeconfig(self, path: Path) -> Path:
        creds = self.env.aks.managed_clusters.list_cluster_admin_credentials(self.env.rg, self.name)
        path.write_text(yaml.safe_dump(yaml.safe_load(creds.kubeconfigs[0].value)))
        return path

    def key(self) -> str:
        return aks_kube.kube_key(self.cloud.backend, self.id)


def create_aks(cloud: LocalCloud) -> AksCluster:
    env = env_for(cloud)
    env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env)).result()
    return AksCluster(cloud, env)


def reattach(found: AksCluster, cloud: LocalCloud) -> AksCluster:
    """The same cluster seen from a restarted local cloud."""
    from azure.mgmt.containerservice import ContainerServiceClient

    found.env.aks = ContainerServiceClient(StaticToken(cloud.token), SUB, **client_kwargs(cloud))
    return AksCluster(cloud, found.env, found.name)
