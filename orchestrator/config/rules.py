"""Single-field rules shared by the model: formats and limits Azure, AKS and Cilium enforce."""

from __future__ import annotations

import ipaddress
import math
import re
from decimal import Decimal

_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
_CLUSTER_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")
_DEPLOYMENT_NAME = re.compile(r"^[a-z][a-z0-9-]{1,18}[a-z0-9]$")

# Ranges a VNet may not overlap: what IPv4 sets aside and what Azure refuses in a VNet's address
# space (virtual-networks-faq). Subnets, pod and service CIDRs may not overlap these either, nor what
# AKS reserves for itself on the nodes (configure-azure-cni, use-byo-cni).
IP_RESERVED: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple(
    (ipaddress.IPv4Network(cidr), reason)
    for cidr, reason in (
        ("0.0.0.0/8", "'this network', never routed"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local, which Azure and AKS reserve"),
        ("168.63.129.16/32", "Azure's platform DNS and health-probe address"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved, with the broadcast address"),
    )
)
AKS_RESERVED: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple(
    (ipaddress.IPv4Network(cidr), reason)
    for cidr, reason in (
        ("172.17.0.0/16", "the Docker bridge on AKS nodes"),
        ("172.30.0.0/16", "which AKS reserves"),
        ("172.31.0.0/16", "which AKS reserves"),
        ("192.0.2.0/24", "which AKS reserves"),
    )
)

SPOT_PRICE_MAX = 1000.0  # USD per node-hour: far above the on-demand price of any VM size
SPOT_PRICE_DECIMALS = 5  # Azure takes the Spot max price with up to five decimal places

# Azure Resource Manager tag limits (tag-resources#limitations).
TAGS_PER_RESOURCE = 50
TAG_NAME_MAX = 512
TAG_VALUE_MAX = 256
TAG_NAME_FORBIDDEN = frozenset("<>%&\\?/")
# Tags orchestrate sets on what it creates (engine/step.py ownership_tags, steps/aks_shared.py).
PRODUCT_TAGS = ("orchestrate-deployment", "managed-by", "tier")


def shown(value: object, limit: int = 40) -> str:
    """A value as messages quote it: repr (so a newline stays visible), cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_cidr(value: str) -> str:
    """A subnet, pod or service range: a plain CIDR clear of every reserved range."""
    return _check_clear_of(value, (*IP_RESERVED, *AKS_RESERVED))


def check_vnet_cidr(value: str) -> str:
    """The VNet's address space: a plain CIDR that Azure accepts (it may contain AKS's ranges, as
    long as no subnet uses them)."""
    return _check_clear_of(value, IP_RESERVED)


def _check_clear_of(value: str, ranges: tuple[tuple[ipaddress.IPv4Network, str], ...]) -> str:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{shown(value)} is not an IPv4 CIDR with no host bits set ({exc})") from None
    if "/" not in value:
        raise ValueError(f"{shown(value)} needs a prefix length, e.g. {net.network_address}/16")
    clashes = [(reserved, why) for reserved, why in ranges if net.overlaps(reserved)]
    if clashes:
        reserved, why = clashes[0]
        more = f" and {len(clashes) - 1} other reserved ranges" if len(clashes) > 1 else ""
        raise ValueError(
            f"{net} overlaps {reserved} ({why}){more}; use a private range such as 10.0.0.0/8 or"
            " 192.168.0.0/16"
        )
    return value


def check_spot_max_price(value: float) -> float:
    if value == -1:
        return value
    if not math.isfinite(value) or value <= 0:
        raise ValueError("use -1 (pay up to the on-demand price) or a positive price in USD per hour")
    if value > SPOT_PRICE_MAX:
        raise ValueError(f"{value:g} USD per hour is above {SPOT_PRICE_MAX:g}; did you mean -1?")
    exponent = Decimal(repr(value)).as_tuple().exponent
    if isinstance(exponent, int) and exponent < -SPOT_PRICE_DECIMALS:
        raise ValueError(f"{value!r} has more than {SPOT_PRICE_DECIMALS} decimal places, which Azure refuses")
    return value


def check_ip(value: str) -> str:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError(f"{shown(value)} is not an IPv4 address") from None
    return value


def check_authorized_range(value: str) -> str:
    try:
        ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        raise ValueError(f"{shown(value)} is not an IPv4 address or CIDR") from None
    return value


def check_pool_name(value: str) -> str:
    if not _POOL_NAME.match(value):
        raise ValueError(
            f"{shown(value)}: AKS pool names are 1-12 lowercase letters and digits, starting with a letter"
        )
    return value


def check_cluster_name(value: str) -> str:
    if value == "default" or not _CLUSTER_NAME.match(value):
        raise ValueError(
            f"{shown(value)}: cluster names are 1-32 lowercase letters, digits and '-', not starting or ending"
            " with '-' and not 'default' (Cilium Cluster Mesh rule; AKS allows a superset)"
        )
    return value


def check_deployment_name(value: str) -> str:
    if not _DEPLOYMENT_NAME.match(value):
        raise ValueError(
            f"{shown(value)}: deployment names are 3-20 lowercase letters, digits and '-', starting with a letter"
        )
    return value


def tag_name_problem(name: str) -> str | None:
    if not name.strip():
        return "a tag name cannot be empty"
    if len(name) > TAG_NAME_MAX:
        return f"the tag name has {len(name)} characters; Azure allows {TAG_NAME_MAX}"
    bad = sorted(set(name) & TAG_NAME_FORBIDDEN)
    if bad:
        return f"the tag name contains {' '.join(bad)}; Azure tag names cannot contain < > % & \\ ? /"
    if name.lower() in PRODUCT_TAGS:
        return f"{name!r} is a tag orchestrate sets itself on what it creates; use another name"
    return None


def tag_value_problem(value: str) -> str | None:
    if len(value) > TAG_VALUE_MAX:
        return f"the tag value has {len(value)} characters; Azure allows {TAG_VALUE_MAX}"
    return None
