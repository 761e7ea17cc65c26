"""Server-side defaults AKS fills in on managed clusters and agent pools (what a GET shows).

Shapes follow real `az aks show` / GET answers: `servicePrincipalProfile.clientId: msi` for managed
identities, `networkPolicy: none`, `podLinkLocalAccess: IMDS`, the plural `podCidrs`/`serviceCidrs`,
`loadBalancerSku: Standard` (AKS's own spelling, whatever the case sent), `autoUpgradeProfile` with
`nodeOSUpgradeChannel: NodeImage`, the CSI drivers of `storageProfile`, pools' `upgradeSettings`
(`maxSurge: 10%`, `maxUnavailable: 0`, not on Spot pools), `securityProfile` (`sshAccess: LocalUser`),
`scaleDownMode: Delete`; `scaleSetPriority` (and `scaleSetEvictionPolicy`) stay absent on Regular pools
unless sent, as AKS leaves them; user-assigned identity keys come back with `/resourcegroups/`.

Choices where AKS varies: maxPods 110 for kubenet and BYO CNI (`none`), 250 for Azure CNI overlay, 30
for classic Azure CNI; osDiskType Ephemeral only when asked for (or left unset and the OS disk fits
the VM cache), otherwise Managed 128 GB; default VM size Standard_D2s_v3; default network plugin kubenet.
"""

from __future__ import annotations

import uuid
from typing import Any

from emulator.arm import ids
from emulator.arm.backend import Backend
from emulator.arm.providers import aks_common as c
from emulator.arm.providers.aks_rules import is_spot
from emulator.arm.registry import Ctx


def pool_defaults(
    backend: Backend, cluster_props: dict[str, Any], pool: dict[str, Any], creating: bool
) -> dict[str, Any]:
    """The stored properties of one agent pool (no name); `pool` is the merged request profile."""
    out = {k: v for k, v in pool.items() if k != "name"}
    size = str(out.setdefault("vmSize", c.DEFAULT_VM_SIZE))
    out.setdefault("count", 1)
    out.setdefault("mode", "User")
    out.setdefault("type", "VirtualMachineScaleSets")
    out.setdefault("osType", "Linux")
    out.setdefault("osSKU", "Ubuntu")
    out.setdefault("kubeletDiskType", "OS")
    out.setdefault("maxPods", _max_pods(cluster_props.get("networkProfile") or {}))
    out.setdefault("enableAutoScaling", False)
    out.setdefault("enableNodePublicIP", False)
    out.setdefault("enableEncryptionAtHost", False)
    out.setdefault("enableFIPS", False)
    out.setdefault("scaleDownMode", "Delete")
    _security(out)
    _os_disk(out, size)
    _versions(out, cluster_props)
    out["nodeImageVersion"] = c.NODE_IMAGE
    out.setdefault("powerState", {"code": str(cluster_props.get("powerState", {}).get("code", "Running"))})
    if is_spot(out):
        _spot(out)
    else:
        upgrade = out.setdefault("upgradeSettings", {})
        upgrade.setdefault("maxSurge", "10%")
        upgrade.setdefault("maxUnavailable", "0")
    out["provisioningState"] = "Creating" if creating else "Updating"
    return out


def new_etag() -> str:
    """AKS etags are bare GUIDs (no `W/"..."`)."""
    return str(uuid.uuid4())


def _security(out: dict[str, Any]) -> None:
    security = out.setdefault("securityProfile", {})
    security.setdefault("sshAccess", "LocalUser")
    security.setdefault("enableVTPM", False)
    security.setdefault("enableSecureBoot", False)


def _max_pods(network: dict[str, Any]) -> int:
    plugin = str(network.get("networkPlugin") or "kubenet").lower()
    if plugin == "azure":
        return 250 if str(network.get("networkPluginMode") or "").lower() == "overlay" else 30
    return 110


def _os_disk(out: dict[str, Any], size: str) -> None:
    facts = c.vm_facts(size)
    disk = int(out.setdefault("osDiskSizeGB", c.DEFAULT_OS_DISK_GB))
    if not out.get("osDiskType"):
        fits = facts.cache_gb > 0 and disk <= facts.cache_gb
        out["osDiskType"] = "Ephemeral" if fits else "Managed"


def _versions(out: dict[str, Any], cluster_props: dict[str, Any]) -> None:
    cluster_version = str(cluster_props.get("kubernetesVersion") or c.DEFAULT_MINOR)
    out.setdefault("orchestratorVersion", cluster_version)
    out["currentOrchestratorVersion"] = c.resolve_version(str(out["orchestratorVersion"]))


def _spot(out: dict[str, Any]) -> None:
    out.setdefault("scaleSetEvictionPolicy", "Delete")
    out.setdefault("spotMaxPrice", -1)
    labels = dict(out.get("nodeLabels") or {})
    labels[c.SPOT_KEY] = "spot"
    out["nodeLabels"] = labels
    taints = list(out.get("nodeTaints") or [])
    if c.SPOT_TAINT not in taints:
        taints.append(c.SPOT_TAINT)
    out["nodeTaints"] = taints


def cluster_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    """Fill the read-only and defaulted cluster fields (create, update and PATCH)."""
    backend, cid = ctx.backend, ctx.resource_id
    p = c.props(body)
    location = str(body.get("location") or ctx.location)
    p.setdefault("kubernetesVersion", c.resolve_version(None))
    p["currentKubernetesVersion"] = c.resolve_version(str(p["kubernetesVersion"]))
    rg, sub = ctx.resource_group or "", ctx.subscription
    p.setdefault("dnsPrefix", f"{ctx.name[:10]}-{rg[:16]}-{sub[:6]}")
    suffix = backend.guid(cid.lower(), "fqdn")[:8]
    p["fqdn"] = f"{p['dnsPrefix']}-{suffix}.hcp.{location}.azmk8s.io"
    p["azurePortalFQDN"] = f"{p['dnsPrefix']}-{suffix}.portal.hcp.{location}.azmk8s.io"
    p.setdefault("nodeResourceGroup", c.node_resource_group(rg, ctx.name, location))
    old = ctx.existing.body.get("properties", {}) if ctx.existing else {}
    p["powerState"] = old.get("powerState", {"code": "Running"})
    p.setdefault("enableRBAC", True)
    p.setdefault("supportPlan", "KubernetesOfficial")
    p.setdefault("disableLocalAccounts", False)
    p.setdefault("maxAgentPools", 100)
    p["resourceUID"] = backend.guid(cid.lower(), "resourceUID")
    body.setdefault("sku", {"name": "Base", "tier": "Free"})
    _identity(backend, cid, body)
    _kubelet_identity(backend, sub, str(p["nodeResourceGroup"]), ctx.name, p)
    _network(p, sub, str(p["nodeResourceGroup"]), backend.guid(cid.lower(), "outbound-ip"))
    _oidc(backend, cid, location, p)
    _profiles(p)


def _profiles(p: dict[str, Any]) -> None:
    """Profiles AKS fills in on every cluster (merged under what the request set)."""
    p.setdefault("servicePrincipalProfile", {"clientId": "msi"})
    upgrade = p.setdefault("autoUpgradeProfile", {})
    upgrade.setdefault("nodeOSUpgradeChannel", "NodeImage")
    storage = p.setdefault("storageProfile", {})
    for driver in ("diskCSIDriver", "fileCSIDriver", "snapshotController"):
        storage.setdefault(driver, {"enabled": True})
    p.setdefault("securityProfile", {})
    p.setdefault("nodeProvisioningProfile", {"mode": "Manual"})
    p.setdefault("metricsProfile", {"costAnalysis": {"enabled": False}})
    p.setdefault("bootstrapProfile", {"artifactSource": "Direct"})
    p.setdefault("workloadAutoScalerProfile", {})


def _identity(backend: Backend, cid: str, body: dict[str, Any]) -> None:
    identity = body.setdefault("identity", {"type": "SystemAssigned"})
    kind = str(identity.get("type", "")).lower()
    if kind == "systemassigned":
        identity["principalId"] = backend.guid(cid.lower(), "principalId")
        identity["tenantId"] = backend.tenant_id
    echoed: dict[str, Any] = {}
    for uai_id, value in (identity.get("userAssignedIdentities") or {}).items():
        res = backend.get(uai_id)
        rp = res.body.get("properties", {}) if res else {}
        echoed[ids.lower_rg(uai_id)] = {  # AKS echoes the key with `/resourcegroups/`
            **(value or {}),
            "principalId": rp.get("principalId", ""),
            "clientId": rp.get("clientId", ""),
        }
    if "userAssignedIdentities" in identity:
        identity["userAssignedIdentities"] = echoed


def kubelet_identity_id(sub: str, node_rg: str, cluster: str) -> str:
    return (
        f"/subscriptions/{sub}/resourcegroups/{node_rg}/providers/"
        f"Microsoft.ManagedIdentity/userAssignedIdentities/{cluster}-agentpool"
    )


def _kubelet_identity(backend: Backend, sub: str, node_rg: str, cluster: str, p: dict[str, Any]) -> None:
    rid = kubelet_identity_id(sub, node_rg, cluster)
    profile = p.setdefault("identityProfile", {})
    profile["kubeletidentity"] = {
        "resourceId": rid,
        "clientId": backend.guid(rid, "clientId"),
        "objectId": backend.guid(rid, "principalId"),
    }


_LB_SKUS = {"standard": "Standard", "basic": "Basic"}


def _network(p: dict[str, Any], sub: str, node_rg: str, ip_guid: str) -> None:
    net = p.setdefault("networkProfile", {})
    for singular in ("podCidr", "serviceCidr"):  # a request may give only the plural form
        if not net.get(singular) and net.get(singular + "s"):
            net[singular] = net[singular + "s"][0]
    plugin = str(net.setdefault("networkPlugin", "kubenet"))
    net.setdefault("networkPolicy", "none")
    net.setdefault("serviceCidr", "10.0.0.0/16")
    net.setdefault("dnsServiceIP", "10.0.0.10")
    if plugin.lower() in ("kubenet", "none") or str(net.get("networkPluginMode", "")).lower() == "overlay":
        net.setdefault("podCidr", "10.244.0.0/16")
    if net.get("podCidr"):
        net["podCidrs"] = [net["podCidr"]]
    net["serviceCidrs"] = [net["serviceCidr"]]
    net.setdefault("ipFamilies", ["IPv4"])
    net.setdefault("podLinkLocalAccess", "IMDS")
    net["loadBalancerSku"] = _LB_SKUS.get(str(net.get("loadBalancerSku") or "standard").lower(), "Standard")
    net.setdefault("outboundType", "loadBalancer")
    if str(net["outboundType"]).lower() == "loadbalancer":
        lb = net.setdefault("loadBalancerProfile", {})
        lb.setdefault("managedOutboundIPs", {"count": 1})
        lb.setdefault("backendPoolType", "nodeIPConfiguration")
        lb["effectiveOutboundIPs"] = [
            {
                "id": f"/subscriptions/{sub}/resourceGroups/{node_rg}/providers/"
                f"Microsoft.Network/publicIPAddresses/{ip_guid}"
            }
        ]


def _oidc(backend: Backend, cid: str, location: str, p: dict[str, Any]) -> None:
    oidc = p.setdefault("oidcIssuerProfile", {"enabled": False})
    if oidc.get("enabled"):
        issuer = backend.guid(cid.lower(), "oidc")
        oidc["issuerURL"] = f"https://{location}.oic.prod-aks.azure.com/{backend.tenant_id}/{issuer}/"
    else:
        oidc.pop("issuerURL", None)
