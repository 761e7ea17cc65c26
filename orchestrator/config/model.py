"""The deployment.yaml model: the whole seed topology, with the seed's values as defaults.

Every model forbids unknown keys, so a typo is an error with its path rather than a silently
ignored setting. Field-level rules (formats, ranges) live here; rules that relate several fields
(overlaps, references between sections) live in `checks.py`, so each reports the path it is about.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from orchestrator.config import rules
from orchestrator.config.limits import ArmLimits


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)


Cidr = Annotated[str, AfterValidator(rules.check_cidr)]
VnetCidr = Annotated[str, AfterValidator(rules.check_vnet_cidr)]
SpotPrice = Annotated[float, AfterValidator(rules.check_spot_max_price)]
IpAddress = Annotated[str, AfterValidator(rules.check_ip)]
PoolName = Annotated[str, AfterValidator(rules.check_pool_name)]
ClusterName = Annotated[str, AfterValidator(rules.check_cluster_name)]
DeploymentName = Annotated[str, AfterValidator(rules.check_deployment_name)]
AuthorizedRange = Annotated[str, AfterValidator(rules.check_authorized_range)]
K8sVersion = Annotated[str, Field(pattern=r"^\d+\.\d+(\.\d+)?$")]
VmSize = Annotated[str, Field(pattern=r"^Standard_[A-Za-z0-9_]+$")]


class Subnet(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,62}$", description="short subnet key")]
    cidr: Cidr
    ingress: bool = Field(False, description="allow internet TCP 80/443 into this subnet")


def _seed_subnets() -> list[Subnet]:
    return [
        Subnet(name="mgmt", cidr="10.1.0.0/16"),
        Subnet(name="app1", cidr="10.2.0.0/16", ingress=True),
        Subnet(name="app2", cidr="10.3.0.0/16", ingress=True),
        Subnet(name="services", cidr="10.4.0.0/24"),
    ]


class Network(Strict):
    vnet_cidr: VnetCidr = "10.0.0.0/8"
    subnets: list[Subnet] = Field(default_factory=_seed_subnets, min_length=1)
    private_dns_zone: Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9-]+)+$")] = (
        "aks-demo.internal"
    )
    cluster_mesh_ports: bool = Field(True, description="open the Cilium Cluster Mesh ports between clusters")


class SystemPool(Strict):
    name: PoolName = "system"
    vm_size: VmSize = "Standard_D2s_v3"
    count: Annotated[int, Field(ge=1, le=1000)] = 1
    os_disk_size_gb: Annotated[int, Field(ge=30, le=2048)] = 30


class SpotPool(Strict):
    name: PoolName = "spot"
    vm_size: VmSize = "Standard_D2s_v3"
    fallback_vm_sizes: list[VmSize] = Field(
        default_factory=lambda: ["Standard_D2as_v5", "Standard_D2s_v5"],
        description="sizes to try when Spot capacity for vm_size is refused",
    )
    count: Annotated[int, Field(ge=0, le=1000)] = 2
    autoscale: bool = True
    min_count: Annotated[int, Field(ge=0, le=1000)] = 1
    max_count: Annotated[int, Field(ge=1, le=1000)] = 3
    max_price: SpotPrice = Field(-1.0, description="-1 = up to the on-demand price, never evicted for price")
    os_disk_size_gb: Annotated[int, Field(ge=30, le=2048)] = 30


class Cluster(Strict):
    name: ClusterName
    subnet: str = Field(description="name of a subnet in network.subnets")
    tier: Literal[1, 2] = Field(2, description="seed Tier: 1 = platform (mgmt), 2 = applications")
    sku_tier: Literal["Free", "Standard"] = "Free"
    kubernetes_version: K8sVersion = Field(
        "1.34", description="AKS minor version; preflight checks it against the versions the region offers"
    )
    pod_cidr: Cidr
    service_cidr: Cidr = "172.16.0.0/16"
    dns_service_ip: IpAddress = "172.16.0.10"
    system_pool: SystemPool = Field(default_factory=SystemPool)
    spot_pool: SpotPool = Field(default_factory=SpotPool)
    cilium_cluster_id: Annotated[int, Field(ge=1, le=255)]


def _seed_clusters() -> list[Cluster]:
    return [
        Cluster(
            name="aks-mgmt",
            subnet="mgmt",
            tier=1,
            pod_cidr="192.168.0.0/20",
            spot_pool=SpotPool(count=1, min_count=1, max_count=2),
            cilium_cluster_id=1,
        ),
        Cluster(name="aks-app1", subnet="app1", pod_cidr="192.168.16.0/20", cilium_cluster_id=2),
        Cluster(name="aks-app2", subnet="app2", pod_cidr="192.168.32.0/20", cilium_cluster_id=3),
    ]


class ApiAccess(Strict):
    operator_ip: Literal["auto"] | IpAddress = Field(
        "auto", description="your egress IP; 'auto' detects it before phase 2"
    )
    authorized_ranges: list[AuthorizedRange] = Field(default_factory=list)


class Cilium(Strict):
    version: K8sVersion = "1.20.1"
    cluster_mesh: bool = True
    gateway_api: bool = True
    hubble: bool = True
    mesh_subnet: str = Field(
        "services",
        description="subnet (in network.subnets, no cluster in it) for the clustermesh-apiserver internal"
        " load balancers; each cluster gets a fixed IP there, counted down from the subnet's last usable one",
    )


class WorkloadIdentity(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{2,62}$")]
    cluster: ClusterName
    namespace: Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    service_account: Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    roles: list[str] = Field(default_factory=lambda: ["Key Vault Secrets User"])


def _seed_identities() -> list[WorkloadIdentity]:
    return [
        WorkloadIdentity(
            name=f"id-eso-{c}",
            cluster=f"aks-{c}",
            namespace="external-secrets",
            service_account="external-secrets",
        )
        for c in ("mgmt", "app1", "app2")
    ]


class Security(Strict):
    key_vault_sku: Literal["standard", "premium"] = "standard"
    soft_delete_retention_days: Annotated[int, Field(ge=7, le=90)] = 7
    purge_protection: bool = False
    workload_identities: list[WorkloadIdentity] = Field(default_factory=_seed_identities)
    external_secrets_version: str = "0.20.4"
    external_secrets_refresh: str = "1h"
    pod_security_level: Literal["privileged", "baseline", "restricted"] = "baseline"
    admin_group_object_ids: list[str] = Field(
        default_factory=list, description="Entra ID groups for AKS RBAC"
    )


class Policy(Strict):
    effect: Literal["Audit", "Deny"] = "Audit"
    allowed_image_registries: list[str] = Field(
        default_factory=lambda: ["mcr.microsoft.com/", "quay.io/cilium/", "ghcr.io/", "docker.io/library/"]
    )
    deny_privileged: bool = True
    require_resource_limits: bool = True


class ArgoCD(Strict):
    version: str = "9.1.0"
    cluster: ClusterName = "aks-mgmt"
    repo_url: str = "https://github.com/example/aks-platform-gitops.git"
    target_revision: str = "main"


class AlertRule(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{2,62}$")]
    metric: str
    threshold: float
    operator: Literal["GreaterThan", "LessThan"] = "GreaterThan"
    severity: Annotated[int, Field(ge=0, le=4)] = 2


def _seed_alerts() -> list[AlertRule]:
    return [
        AlertRule(name="node-not-ready", metric="kube_node_status_condition", threshold=0, severity=1),
        AlertRule(name="node-cpu-high", metric="node_cpu_usage_percentage", threshold=85),
        AlertRule(name="pod-restarts", metric="kube_pod_container_status_restarts_total", threshold=5),
    ]


class Monitoring(Strict):
    retention_days: Annotated[int, Field(ge=30, le=730)] = 30
    daily_cap_gb: Annotated[float, Field(gt=0, le=1000)] = 5.0
    container_insights: bool = True
    alert_email: str = "platform-team@example.com"
    alerts: list[AlertRule] = Field(default_factory=_seed_alerts)


class Velero(Strict):
    version: str = "1.17.0"
    schedule: str = "0 3 * * *"
    ttl_hours: Annotated[int, Field(ge=1, le=8760)] = 168


StorageClassName = Literal["managed", "managed-premium", "azurefile"]


def _seed_storage_classes() -> list[StorageClassName]:
    return ["managed", "managed-premium", "azurefile"]


class Storage(Strict):
    storage_classes: list[StorageClassName] = Field(default_factory=_seed_storage_classes)
    velero: Velero = Field(default_factory=Velero)
    snapshot_retention_days: Annotated[int, Field(ge=1, le=365)] = 7


class Drills(Strict):
    spot_eviction_cluster: ClusterName = "aks-app1"
    recovery_timeout_s: Annotated[int, Field(ge=30, le=7200)] = 600
    rto_minutes: Annotated[int, Field(ge=1)] = 120
    rpo_hours: Annotated[int, Field(ge=1)] = 24


class Budget(Strict):
    monthly_usd: Annotated[float, Field(gt=0, le=1_000_000)] = 80.0
    strict: bool = Field(False, description="fail preflight when the always-on estimate exceeds the budget")


class StateBackend(Strict):
    kind: Literal["local", "azure_blob"] = "local"
    storage_account: str | None = None
    container: str = "orchestrate-state"


class Deployment(Strict):
    name: DeploymentName = "aks-demo"
    region: Literal["koreacentral"] = "koreacentral"
    subscription_id: str | None = Field(None, description="or AZURE_SUBSCRIPTION_ID")
    profile: Literal["demo", "production"] = "demo"
    tags: dict[str, str] = Field(default_factory=lambda: {"environment": "demo", "cost-center": "platform"})
    network: Network = Field(default_factory=Network)
    # Up to 255: Cilium Cluster Mesh IDs are 1-255; checks.py tests the address plan for the count.
    clusters: list[Cluster] = Field(default_factory=_seed_clusters, min_length=1, max_length=255)
    api_access: ApiAccess = Field(default_factory=ApiAccess)
    cilium: Cilium = Field(default_factory=Cilium)
    security: Security = Field(default_factory=Security)
    policy: Policy = Field(default_factory=Policy)
    argocd: ArgoCD = Field(default_factory=ArgoCD)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    storage: Storage = Field(default_factory=Storage)
    drills: Drills = Field(default_factory=Drills)
    budget: Budget = Field(default_factory=Budget)
    state_backend: StateBackend = Field(default_factory=StateBackend)
    arm_limits: ArmLimits = Field(
        default_factory=ArmLimits,
        description="our request rate toward ARM per kind, kept below ARM's per-principal token buckets",
    )

    def cluster(self, name: str) -> Cluster:
        for cluster in self.clusters:
            if cluster.name == name:
                return cluster
        raise KeyError(name)

    def subnet(self, name: str) -> Subnet:
        for subnet in self.network.subnets:
            if subnet.name == name:
                return subnet
        raise KeyError(name)


def network_of(cidr: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(cidr)
